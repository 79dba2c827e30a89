// The page's log lines: a bounded buffer (oldest lines go first) and the filtered view of it
// that the log view windows over. Both grow at the end and shrink at the front, so each keeps a
// start offset and compacts now and then instead of shifting 50,000 entries per line.
import type { LogLine } from '../api.js';
import { stripAnsi } from './format.js';

export interface LogEntry extends LogLine {
  seq: number;
  /** The line lower-cased, made on first search. */
  lower?: string;
}

export interface LogFilter {
  service: string | null;
  query: string;
}

class Window<T> {
  items: T[] = [];
  start = 0;

  get length(): number {
    return this.items.length - this.start;
  }

  at(i: number): T | undefined {
    return this.items[this.start + i];
  }

  /** Drops from the front while `drop` says so. */
  dropWhile(drop: (item: T) => boolean): void {
    while (this.start < this.items.length && drop(this.items[this.start] as T)) this.start++;
    if (this.start > 4_096 && this.start > this.items.length / 4) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }

  reset(items: T[]): void {
    this.items = items;
    this.start = 0;
  }
}

export class LogBuffer {
  readonly #all = new Window<LogEntry>();
  readonly #view = new Window<LogEntry>();
  #seq = 0;
  #filter: LogFilter = { service: null, query: '' };
  /** Bumped on every change, for views that redraw only when something changed. */
  version = 0;

  constructor(readonly capacity = 50_000) {}

  get size(): number {
    return this.#all.length;
  }

  get lastAt(): number {
    return this.#all.at(this.#all.length - 1)?.at ?? -Infinity;
  }

  get filter(): LogFilter {
    return this.#filter;
  }

  /** Lines that pass the filter. */
  get viewLength(): number {
    return this.#view.length;
  }

  viewAt(i: number): LogEntry | undefined {
    return this.#view.at(i);
  }

  push(lines: readonly LogLine[]): void {
    if (lines.length === 0) return;
    for (const line of lines) {
      const entry: LogEntry = { ...line, line: stripAnsi(line.line), seq: this.#seq++ };
      this.#all.items.push(entry);
      if (this.#matches(entry)) this.#view.items.push(entry);
    }
    const over = this.#all.length - this.capacity;
    if (over > 0) {
      const firstKept = (this.#all.at(over) as LogEntry).seq;
      this.#all.dropWhile((e) => e.seq < firstKept);
      this.#view.dropWhile((e) => e.seq < firstKept);
    }
    this.version++;
  }

  setFilter(filter: LogFilter): void {
    this.#filter = { service: filter.service, query: filter.query.trim().toLowerCase() };
    const kept: LogEntry[] = [];
    for (let i = 0; i < this.#all.length; i++) {
      const entry = this.#all.at(i) as LogEntry;
      if (this.#matches(entry)) kept.push(entry);
    }
    this.#view.reset(kept);
    this.version++;
  }

  clear(): void {
    this.#all.reset([]);
    this.#view.reset([]);
    this.version++;
  }

  #matches(entry: LogEntry): boolean {
    const { service, query } = this.#filter;
    if (service !== null && entry.service !== service) return false;
    if (query === '') return true;
    entry.lower ??= entry.line.toLowerCase();
    return entry.lower.includes(query);
  }
}
