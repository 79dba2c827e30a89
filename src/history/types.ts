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
  /** Finished updates, newest first. Records handed to `record` are included at once. */
  updates(query?: UpdateQuery): UpdateRecord[];
  /** Names of the services with recorded updates, sorted. */
  services(): string[];
  /** Writes what `record` queued now (close does too). */
  flush(): void;
  /** Where the history lives: the database file, or `memory` after a fallback. */
  readonly location: string;
  close(): void;
}

export interface HistoryOptions {
  /** pitstop's state folder: the database is `<stateDir>/history.db`. */
  stateDir: string;
  /** Every record is kept under this project name, and queries read only this project's. */
  project: string;
  /** Keep at most this many updates per project (default 10,000). */
  maxUpdates?: number;
  /** Drop updates older than this (default 30 days; 0 keeps them regardless of age). */
  maxAgeMs?: number;
  /** Told once per problem (a corrupt or locked database moved aside, a failing write). */
  onProblem?: (message: string) => void;
  /**
   * How long a write waits for another process's lock before retrying later (default 250 ms;
   * opening waits eight times as long). After three such waits in a row the file counts as locked.
   */
  busyTimeoutMs?: number;
  /** Epoch ms clock, for age-based retention (tests). */
  now?: () => number;
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

/** One finding of `adviseDockerfile` (src/runtimes/docker/dockerfile-advice.ts) for a service. */
export interface DockerfileFinding {
  message: string;
  /** The lines to put in place of the whole-context COPY. */
  suggestion: string[];
  /** The dependency tool (`npm`, `pip`, `go`, ...), when known: narrows which build sub-step is the install. */
  tool?: string;
}

/** What the advisor knows besides the records: facts read from files or measured elsewhere. */
export interface AdvisorFacts {
  /** Per service: the Dockerfile findings (whole context copied before a dependency install). */
  dockerfileAdvice?: Record<string, DockerfileFinding[]>;
  /** Measured speed of the link to the docker engine, bytes per second; estimated from syncs when absent. */
  linkBytesPerSec?: number;
  /** Measured updates a rule needs before it may speak (default 3). */
  minUpdates?: number;
}
