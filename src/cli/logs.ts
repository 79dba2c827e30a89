// `pitstop logs [service] [-f]`: reads the per-service log files the session writes, so it
// works from another terminal and after the session ended.
import fs from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import { type LogLine, logDir, parseLogLine } from '../logs/log-store.js';
import { EXIT } from './exit-codes.js';
import { type GlobalOptions, openProject, requireService } from './project.js';

export interface LogsOptions extends GlobalOptions {
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
}

const COLORS = [pc.cyan, pc.magenta, pc.yellow, pc.blue, pc.green, pc.red];

export async function logsCommand(service: string | undefined, options: LogsOptions): Promise<number> {
  const project = await openProject(options);
  if (service) requireService(project, service);
  const names = service ? [service] : project.services.map((s) => s.name);
  const width = Math.max(...names.map((n) => n.length));
  const color = new Map(project.services.map((s, i) => [s.name, COLORS[i % COLORS.length] ?? pc.white]));
  const print = (entry: LogLine) => {
    if (options.json) return process.stdout.write(`${JSON.stringify(entry)}\n`);
    const time = options.timestamps ? `${pc.dim(new Date(entry.at).toISOString())} ` : '';
    const prefix =
      names.length > 1 || !service
        ? `${(color.get(entry.service) ?? pc.white)(entry.service.padEnd(width))} │ `
        : '';
    const text = entry.stream === 'pitstop' ? pc.dim(entry.line) : entry.line;
    return process.stdout.write(`${time}${prefix}${text}\n`);
  };

  const readers = names.map(
    (name) => new LogFileReader(name, path.join(logDir(project.stateDir), `${name}.log`)),
  );
  const initial = readers.flatMap((r) => r.readNew()).sort((a, b) => a.at - b.at);
  const tail =
    options.tail === undefined ? initial.length : Math.max(0, Number.parseInt(options.tail, 10) || 0);
  for (const entry of initial.slice(initial.length - tail)) print(entry);
  if (!options.follow) return EXIT.OK;

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (const entry of readers.flatMap((r) => r.readNew()).sort((a, b) => a.at - b.at)) print(entry);
    }, 100);
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.OK;
}

/** Reads whole lines appended since the last call; starts over when a new session replaced the file. */
class LogFileReader {
  #offset = 0;
  #inode = 0;
  #partial = '';

  constructor(
    private readonly service: string,
    private readonly file: string,
  ) {}

  readNew(): LogLine[] {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file);
    } catch {
      return [];
    }
    if (stat.ino !== this.#inode || stat.size < this.#offset) {
      this.#inode = stat.ino;
      this.#offset = 0;
      this.#partial = '';
    }
    if (stat.size === this.#offset) return [];
    const fd = fs.openSync(this.file, 'r');
    const buffer = Buffer.alloc(stat.size - this.#offset);
    try {
      fs.readSync(fd, buffer, 0, buffer.length, this.#offset);
    } finally {
      fs.closeSync(fd);
    }
    this.#offset = stat.size;
    const text = this.#partial + buffer.toString('utf8');
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    return lines.flatMap((line) => parseLogLine(this.service, line) ?? []);
  }
}
