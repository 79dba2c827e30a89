// Timings are data: every step of every update is a Span; an update is a record of spans.

export type StepName =
  | 'detect'
  | 'queue'
  | 'plan'
  | 'build'
  | 'image'
  | 'sync'
  | 'run'
  | 'stop'
  | 'start'
  | 'restart'
  | 'ready';

export type StepOutcome = 'ok' | 'failed' | 'skipped' | 'cached';

export interface Span {
  name: StepName;
  /** Epoch milliseconds (fractional). */
  startedAt: number;
  durationMs: number;
  outcome: StepOutcome;
  /** Bytes moved by this step, where the step moves any. */
  bytes?: number;
  /** Bytes the payload diet kept off the wire (raw size minus what was sent). */
  bytesSaved?: number;
  /** Short human detail: the build step's name, the file count, why it was skipped. */
  detail?: string;
  /** Finer steps inside this one (e.g. the stages of an image build), in order. */
  children?: Span[];
}

export type ChangeKind = 'change' | 'delete';

export interface FileChange {
  /** Absolute path. */
  path: string;
  kind: ChangeKind;
}

export interface ChangeBatch {
  changes: FileChange[];
  /** Epoch ms when the first change of the batch was seen by the watcher. */
  firstSeenAt: number;
  /** Epoch ms when the batch was cut. */
  cutAt: number;
}

export interface SyncOp {
  /** Absolute host path (a folder means everything in it). */
  from: string;
  /** Target path in the runtime. */
  to: string;
  kind: ChangeKind;
  /** Set when the file is an output of this build step: synced only if the step really ran. */
  output?: string;
  /** The sync rule's `to`: nothing the op writes or deletes may reach outside it. */
  root?: string;
}

/** What one update of one service will do, decided by the planner before anything runs. */
export interface UpdatePlan {
  /** Rebuild everything and replace the running instance. */
  full: boolean;
  /** Why this plan: the rule or file that decided it. */
  reason: string;
  /** Names of build steps to run, in declaration order. */
  builds: string[];
  syncs: SyncOp[];
  /** Indexes into the service's live-update `run` rules, in order. */
  runs: number[];
  restart: 'none' | 'process' | 'container';
}

export type UpdateKind = 'start' | 'live' | 'trigger' | 'dependency' | 'crash';

export interface UpdateRecord {
  id: number;
  service: string;
  kind: UpdateKind;
  /** Changed files (relative to the project root), capped for display. */
  files: string[];
  fileCount: number;
  plan?: UpdatePlan;
  spans: Span[];
  startedAt: number;
  finishedAt?: number;
  outcome?: 'ok' | 'failed' | 'noop' | 'cancelled';
  /** From the first file event to the new version being ready. */
  editToLiveMs?: number;
  error?: { step: StepName; message: string; logTail?: string[] };
}
