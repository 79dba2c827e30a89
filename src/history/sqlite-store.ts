// The history store pitstop uses: `<stateDir>/history.db`, written off the update's path and
// never a reason for pitstop to stop. `record` only queues; the queue is written on the next
// turn of the event loop, in one transaction per batch. A database that turns out corrupt or
// stays locked is reported once, moved aside (`history.db.corrupt-<time>`) and replaced by a
// fresh one; when even that fails, history is kept in memory for the rest of the session.
import fs from 'node:fs';
import path from 'node:path';
import type { UpdateRecord } from '../model/update.js';
import { MemoryHistoryStore } from './memory-store.js';
import { NewerSchemaError } from './migrations.js';
import { HistoryDb } from './sqlite-db.js';
import type { HistoryOptions, HistoryStore, UpdateQuery } from './types.js';

export const HISTORY_FILE = 'history.db';
export const DEFAULT_MAX_UPDATES = 10_000;
export const DEFAULT_MAX_AGE_MS = 30 * 86_400_000;
/** Pruning is a DELETE over an index: cheap, but not worth running for every insert. */
const PRUNE_EVERY = 500;
/** Records waiting while the database is busy; beyond this the oldest are dropped. */
const MAX_QUEUE = 1_000;
/** Consecutive busy writes (each after the busy timeout) before the file is treated as locked for good. */
const MAX_BUSY_WRITES = 3;
const BUSY_RETRY_MS = 500;

/** Opens the project's history; never throws. */
export function openHistory(options: HistoryOptions): HistoryStore {
  return new SqliteHistoryStore(options);
}

export class SqliteHistoryStore implements HistoryStore {
  readonly file: string;
  readonly #project: string;
  readonly #maxUpdates: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #busyTimeoutMs: number;
  readonly #onProblem: (message: string) => void;
  readonly #reported = new Set<string>();
  #db: HistoryDb | undefined;
  #memory: MemoryHistoryStore | undefined;
  #queue: UpdateRecord[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  #retry: NodeJS.Timeout | undefined;
  #busyWrites = 0;
  /** Starts full: the first write prunes, so a store that only reads (`pitstop report`) never deletes. */
  #sincePrune = PRUNE_EVERY;
  #recovered = false;
  #closed = false;

  constructor(options: HistoryOptions) {
    this.file = path.join(options.stateDir, HISTORY_FILE);
    this.#project = options.project;
    this.#maxUpdates = options.maxUpdates ?? DEFAULT_MAX_UPDATES;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 250;
    this.#onProblem = options.onProblem ?? ((message) => process.emitWarning(message));
    this.#open();
  }

  get location(): string {
    return this.#db ? this.file : 'memory';
  }

  record(record: UpdateRecord): void {
    if (this.#closed) return;
    this.#queue.push(record);
    if (this.#queue.length > MAX_QUEUE) {
      this.#queue.splice(0, this.#queue.length - MAX_QUEUE);
      this.#problem('queue', `history: the database is not keeping up; dropped the oldest unsaved updates`);
    }
    this.#scheduled ??= setImmediate(() => {
      this.#scheduled = undefined;
      // While a locked database is waited out, the retry timer writes; not every new record.
      if (!this.#retry) this.flush();
    });
  }

  flush(): void {
    if (this.#closed) return;
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#queue.length === 0) return;
    const batch = this.#queue.splice(0);
    this.#write(batch);
  }

  updates(query: UpdateQuery = {}): UpdateRecord[] {
    this.flush();
    return this.#read(
      () => this.#db?.query(this.#project, query),
      () => this.#memory?.updates(query),
    );
  }

  services(): string[] {
    this.flush();
    return this.#read(
      () => this.#db?.services(this.#project),
      () => this.#memory?.services(),
    );
  }

  close(): void {
    if (this.#closed) return;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    this.flush();
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#queue.length) {
      this.#problem(
        'close',
        `history: ${this.#queue.length} update(s) not saved: ${this.file} stayed locked`,
      );
    }
    this.#queue = [];
    this.#closed = true;
    this.#db?.close();
  }

  #open(): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.#db = new HistoryDb(this.file, this.#busyTimeoutMs, 8 * this.#busyTimeoutMs);
    } catch (err) {
      if (err instanceof NewerSchemaError) {
        // Not damage: a newer pitstop's file, which it will want back intact.
        this.#useMemory(`${err.message}; keeping this session's history in memory`);
      } else if ((isBroken(err) || isBusy(err)) && fs.existsSync(this.file)) {
        this.#recover(err);
      } else {
        // No SQLite verdict on the file (no driver, no permission, no folder): leave it be.
        this.#useMemory(`history: cannot open ${this.file} (${describe(err)}); keeping it in memory`);
      }
    }
  }

  #write(batch: UpdateRecord[]): void {
    if (!this.#db) {
      for (const record of batch) this.#memory?.record(record);
      return;
    }
    try {
      this.#db.insert(this.#project, batch);
      this.#busyWrites = 0;
      this.#sincePrune += batch.length;
      if (this.#sincePrune >= PRUNE_EVERY) this.#prune();
    } catch (err) {
      if (isBusy(err) && ++this.#busyWrites < MAX_BUSY_WRITES) {
        // Another process holds the write lock (a long checkpoint, a `report` migrating): try again soon.
        this.#queue.unshift(...batch);
        this.#retry ??= setTimeout(() => {
          this.#retry = undefined;
          this.flush();
        }, BUSY_RETRY_MS).unref();
      } else if (isBusy(err) || isBroken(err)) {
        this.#recover(err);
        this.#write(batch);
      } else {
        this.#problem('write', `history: could not save ${batch.length} update(s): ${describe(err)}`);
      }
    }
  }

  #read<T>(fromDb: () => T | undefined, fromMemory: () => T | undefined): T {
    const empty = [] as T;
    if (!this.#db) return fromMemory() ?? empty;
    try {
      return fromDb() ?? empty;
    } catch (err) {
      if (!isBroken(err) && !isBusy(err)) {
        this.#problem('read', `history: could not read ${this.file}: ${describe(err)}`);
        return empty;
      }
      this.#recover(err);
      return this.#db ? (fromDb() ?? empty) : (fromMemory() ?? empty);
    }
  }

  #prune(): void {
    this.#sincePrune = 0;
    const cutoff = this.#maxAgeMs > 0 ? this.#now() - this.#maxAgeMs : undefined;
    try {
      this.#db?.prune(this.#project, this.#maxUpdates, cutoff);
    } catch (err) {
      // Too many rows for a while is harmless: the next prune tries again. Damage is not.
      if (isBroken(err)) throw err;
    }
  }

  /** Moves the unusable file aside and starts a fresh one; memory when that fails too. */
  #recover(cause: unknown): void {
    this.#db?.close();
    this.#db = undefined;
    this.#busyWrites = 0;
    if (this.#recovered) {
      this.#useMemory(`history: ${this.file} failed again (${describe(cause)}); keeping history in memory`);
      return;
    }
    this.#recovered = true;
    const stamp = new Date(this.#now()).toISOString().replace(/[:.]/g, '-');
    const aside = `${this.file}.corrupt-${stamp}`;
    try {
      fs.renameSync(this.file, aside);
      // The WAL and shared-memory files belong to the old file; renamed alongside, SQLite
      // would still find them if someone opens the moved-aside copy to look.
      for (const suffix of ['-wal', '-shm']) {
        if (fs.existsSync(this.file + suffix)) fs.renameSync(this.file + suffix, aside + suffix);
      }
    } catch (err) {
      this.#useMemory(
        `history: ${this.file} is unusable (${describe(cause)}) and cannot be moved aside (${describe(err)}); keeping history in memory`,
      );
      return;
    }
    try {
      this.#db = new HistoryDb(this.file, this.#busyTimeoutMs, 8 * this.#busyTimeoutMs);
      this.#problem(
        'recovered',
        `history: ${this.file} was unusable (${describe(cause)}); moved it to ${aside} and started a new one`,
      );
    } catch (err) {
      this.#useMemory(
        `history: ${this.file} was unusable (${describe(cause)}), moved to ${aside}, and a new one cannot be created (${describe(err)}); keeping history in memory`,
      );
    }
  }

  #useMemory(message: string): void {
    this.#memory ??= new MemoryHistoryStore(this.#maxUpdates);
    this.#problem('memory', message);
  }

  #problem(key: string, message: string): void {
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    try {
      this.#onProblem(message);
    } catch {
      // A failing reporter must not turn a history problem into a crash.
    }
  }
}

function code(err: unknown): string {
  const value = (err as { code?: unknown } | undefined)?.code;
  return typeof value === 'string' ? value : '';
}

/** The file is not a database, or its pages are damaged. */
function isBroken(err: unknown): boolean {
  return /^SQLITE_(CORRUPT|NOTADB)/.test(code(err));
}

function isBusy(err: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(code(err));
}

function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const c = code(err);
  return c && !text.includes(c) ? `${text} [${c}]` : text;
}
