// Every service's output: a bounded ring in memory (for crash reports and readiness) and a
// file per service under the state dir (for `pitstop logs` from another terminal).
import fs from 'node:fs';
import path from 'node:path';
import type { LogStream } from '../events.js';

const RING_LINES = 1_000;

export interface LogLine {
  at: number;
  service: string;
  stream: LogStream;
  line: string;
}

export function logDir(stateDir: string): string {
  return path.join(stateDir, 'logs');
}

/** One line in a log file: epoch ms, stream initial, text. */
export function formatLogLine(entry: LogLine): string {
  return `${entry.at.toFixed(0)} ${entry.stream[0]} ${entry.line}\n`;
}

export function parseLogLine(service: string, text: string): LogLine | undefined {
  const m = /^(\d+) ([sop]) (.*)$/.exec(text);
  if (!m) return undefined;
  const stream: LogStream = m[2] === 'o' ? 'stdout' : m[2] === 'e' ? 'stderr' : 'pitstop';
  return { at: Number(m[1]), service, stream, line: m[3] ?? '' };
}

export class LogStore {
  readonly #rings = new Map<string, LogLine[]>();
  readonly #files = new Map<string, fs.WriteStream>();
  readonly #dir: string;

  constructor(stateDir: string, services: string[]) {
    this.#dir = logDir(stateDir);
    fs.mkdirSync(this.#dir, { recursive: true });
    for (const service of services) {
      // A new session starts each service's log afresh; the previous one is kept once.
      const file = path.join(this.#dir, `${service}.log`);
      if (fs.existsSync(file)) fs.renameSync(file, `${file}.1`);
      this.#files.set(service, fs.createWriteStream(file, { flags: 'a' }));
      this.#rings.set(service, []);
    }
  }

  add(entry: LogLine): void {
    const ring = this.#rings.get(entry.service);
    if (!ring) return;
    ring.push(entry);
    if (ring.length > RING_LINES) ring.splice(0, ring.length - RING_LINES);
    this.#files.get(entry.service)?.write(formatLogLine(entry));
  }

  /** The last `n` lines of the service's own output (not pitstop's messages). */
  tail(service: string, n = 20): string[] {
    const ring = this.#rings.get(service) ?? [];
    return ring
      .filter((l) => l.stream !== 'pitstop')
      .slice(-n)
      .map((l) => l.line);
  }

  /** The last `limit` lines of a service, or of all services merged by time. */
  lines(service: string | undefined, limit: number): LogLine[] {
    const rings = service === undefined ? [...this.#rings.values()] : [this.#rings.get(service) ?? []];
    const merged = rings.length === 1 ? (rings[0] ?? []) : rings.flat().sort((a, b) => a.at - b.at);
    return merged.slice(-limit);
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.#files.values()].map((stream) => new Promise<void>((resolve) => stream.end(resolve))),
    );
  }
}
