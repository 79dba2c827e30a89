// History kept in memory only: the last resort when no database can be opened (a read-only
// state folder, a broken native module). The session keeps its numbers; they end with it.
import type { UpdateRecord } from '../model/update.js';
import type { HistoryStore, UpdateQuery } from './types.js';

export class MemoryHistoryStore implements HistoryStore {
  readonly location = 'memory';
  /** Oldest first, as they arrive. */
  readonly #records: UpdateRecord[] = [];
  #nextId = 1;

  constructor(private readonly maxUpdates = 10_000) {}

  record(record: UpdateRecord): void {
    // Ids are the store's own, like the database's: a session's ids restart at 1.
    this.#records.push({ ...record, id: this.#nextId++ });
    if (this.#records.length > this.maxUpdates)
      this.#records.splice(0, this.#records.length - this.maxUpdates);
  }

  updates(query: UpdateQuery = {}): UpdateRecord[] {
    const out = this.#records
      .filter(
        (r) =>
          (query.service === undefined || r.service === query.service) &&
          (query.since === undefined || r.startedAt >= query.since) &&
          (query.until === undefined || r.startedAt < query.until),
      )
      .sort((a, b) => b.startedAt - a.startedAt || b.id - a.id);
    return query.limit === undefined ? out : out.slice(0, Math.max(0, query.limit));
  }

  services(): string[] {
    return [...new Set(this.#records.map((r) => r.service))].sort();
  }

  flush(): void {}

  close(): void {}
}
