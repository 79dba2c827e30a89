// What the history part offers the rest of pitstop (the dashboard, the CLI, the advisor).
import type { UpdateRecord } from '../model/update.js';

export interface UpdateQuery {
  service?: string;
  /** Only updates started at or after this epoch ms. */
  since?: number;
  /** Only updates started before this epoch ms. */
  until?: number;
  /** At most this many, newest first. */
  limit?: number;
}

export interface HistoryStore {
  /** Keeps a finished update; never throws (a failing write is reported once and skipped). */
  record(record: UpdateRecord): void;
  /** Finished updates, newest first. */
  updates(query?: UpdateQuery): UpdateRecord[];
  close(): void;
}

/** One piece of the talk's advice, backed by measurements. */
export interface Suggestion {
  /** Stable id of the rule that produced it, e.g. `dockerfile-order`. */
  rule: string;
  service: string;
  title: string;
  /** What to change, concretely (may span lines). */
  detail: string;
  /** Expected saving per update, when it can be estimated. */
  savingMs?: number;
  /** The numbers it rests on, each a short sentence. */
  evidence: string[];
}
