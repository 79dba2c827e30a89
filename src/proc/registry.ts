// The state file of live processes. It is what lets a later session (or `pitstop down` from
// another terminal) clean up after a session that died without stopping its processes, and its
// start times are what keep a reused PID from ever being mistaken for one of ours.
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PitstopError } from '../errors.js';
import { killLeftover } from './leftovers.js';
import { isSameProcess, processStartTime } from './start-time.js';

export type ProcessRole = 'service' | 'build' | 'exec';

export interface ProcessOwner {
  pid: number;
  /** null where start times cannot be read. */
  startTime: number | null;
}

export interface ProcessEntry {
  service: string;
  role: ProcessRole;
  /** Leader PID, which is also the process group id. */
  pid: number;
  startTime: number | null;
  /** The command, for display. */
  cmd: string;
  /** The pitstop process that started it. */
  owner: ProcessOwner;
}

export type NewProcessEntry = Omit<ProcessEntry, 'owner'> & { owner?: ProcessOwner };

export interface RegistryOptions {
  /** Called when the state file cannot be written; defaults to a process warning. */
  onWriteError?(err: unknown): void;
}

export interface SweepOptions {
  /** Also kill processes whose pitstop session is still running (for `pitstop down`). */
  force?: boolean;
}

const FILE = 'processes.json';
/** Distinguishes temp files of several registries on one folder within this process. */
let tempCounter = 0;

let self: ProcessOwner | undefined;
/** This pitstop process, as recorded in the entries it owns. */
export function selfOwner(): ProcessOwner {
  self ??= { pid: process.pid, startTime: processStartTime(process.pid) ?? null };
  return self;
}

export class ProcessRegistry {
  readonly file: string;
  #entries: Map<number, ProcessEntry> | undefined;
  /** What loading found wrong, reported by the next sweep. */
  #notes: string[] = [];
  /** A write that has not started yet; changes made meanwhile ride along with it. */
  #queued: Promise<void> | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    readonly stateDir: string,
    private readonly options: RegistryOptions = {},
  ) {
    this.file = join(stateDir, FILE);
  }

  /** Entries in the file (for `pitstop status` / `down`); [] when there is none. */
  static async read(stateDir: string): Promise<ProcessEntry[]> {
    const file = join(stateDir, FILE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    const entries = parseEntries(text);
    if (!entries) {
      throw new PitstopError(`the process list ${file} is corrupt`, {
        hint: 'delete it; `pitstop up` also moves it aside by itself',
      });
    }
    return entries;
  }

  /** Records a process. Updates memory at once; the promise settles when the file is written. */
  add(entry: NewProcessEntry): Promise<void> {
    this.#load().set(entry.pid, { ...entry, owner: entry.owner ?? selfOwner() });
    return this.#persist();
  }

  remove(pid: number): Promise<void> {
    if (!this.#load().delete(pid)) return this.#queued ?? this.#chain;
    return this.#persist();
  }

  entries(): ProcessEntry[] {
    return [...this.#load().values()];
  }

  /** Settles once every change made so far is on disk. */
  flush(): Promise<void> {
    return this.#queued ?? this.#chain;
  }

  /**
   * Kills what earlier sessions left running (only processes whose start time still matches)
   * and forgets the rest. Returns one line per thing done, for the user.
   */
  async sweep(options: SweepOptions = {}): Promise<string[]> {
    const entries = this.#load();
    const notes = this.#notes;
    this.#notes = [];
    const me = selfOwner();
    const kills: Promise<string | undefined>[] = [];
    for (const entry of [...entries.values()]) {
      const ours = entry.owner.pid === me.pid && entry.owner.startTime === me.startTime;
      if (ours) continue;
      if (!options.force && isSameProcess(entry.owner.pid, entry.owner.startTime)) {
        notes.push(
          `left ${entry.service} (pid ${entry.pid}) alone: it belongs to the pitstop session ` +
            `running as pid ${entry.owner.pid}`,
        );
        continue;
      }
      entries.delete(entry.pid);
      kills.push(killLeftover(entry));
    }
    for (const note of await Promise.all(kills)) if (note) notes.push(note);
    await this.#persist();
    return notes;
  }

  #load(): Map<number, ProcessEntry> {
    if (this.#entries) return this.#entries;
    this.#entries = new Map();
    let text: string | undefined;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      // Missing: nothing was left behind.
    }
    if (text === undefined) return this.#entries;
    const entries = parseEntries(text);
    if (entries) {
      for (const entry of entries) this.#entries.set(entry.pid, entry);
      return this.#entries;
    }
    const aside = `${this.file}.corrupt`;
    try {
      mkdirSync(this.stateDir, { recursive: true });
      renameSync(this.file, aside);
      this.#notes.push(
        `moved the unreadable process list aside to ${aside}; processes it listed were not stopped`,
      );
    } catch (err) {
      this.#notes.push(
        `could not move the unreadable process list ${this.file} aside: ${(err as Error).message}`,
      );
    }
    return this.#entries;
  }

  #persist(): Promise<void> {
    if (this.#queued) return this.#queued;
    const write = this.#chain.then(async () => {
      this.#queued = undefined;
      try {
        await this.#write();
      } catch (err) {
        (this.options.onWriteError ?? defaultWriteError)(err);
      }
    });
    this.#queued = write;
    this.#chain = write;
    return write;
  }

  async #write(): Promise<void> {
    const body = `${JSON.stringify({ version: 1, entries: this.entries() }, null, 2)}\n`;
    const temp = `${this.file}.${process.pid}-${++tempCounter}.tmp`;
    await mkdir(this.stateDir, { recursive: true });
    await writeFile(temp, body, 'utf8');
    // rename is atomic: a reader (or a crash) sees the old list or the new one, never half of one.
    await rename(temp, this.file);
  }
}

function defaultWriteError(err: unknown): void {
  process.emitWarning(`pitstop could not update its process list: ${(err as Error).message}`);
}

/** The entries of a state file, or undefined when it is not one. */
function parseEntries(text: string): ProcessEntry[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const list = (data as { entries?: unknown }).entries;
  if (!Array.isArray(list) || !list.every(isEntry)) return undefined;
  return list;
}

function isEntry(value: unknown): value is ProcessEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const owner = e.owner as Record<string, unknown> | null | undefined;
  return (
    typeof e.service === 'string' &&
    (e.role === 'service' || e.role === 'build' || e.role === 'exec') &&
    isPid(e.pid) &&
    isStartTime(e.startTime) &&
    typeof e.cmd === 'string' &&
    typeof owner === 'object' &&
    owner !== null &&
    isPid(owner.pid) &&
    isStartTime(owner.startTime)
  );
}

function isPid(value: unknown): value is number {
  // 0 and negative numbers would address process groups (or everything) when signalled.
  return typeof value === 'number' && Number.isInteger(value) && value > 1;
}

function isStartTime(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}
