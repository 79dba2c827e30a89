// Turns the watcher's stream of raw changes into batches: one save becomes one batch within
// `settleMs`, a branch switch touching thousands of files becomes one batch too.
import path from 'node:path';
import { epochNow } from '../events.js';
import type { ChangeBatch, ChangeKind } from '../model/update.js';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs `fn` once pending I/O has been read; without it a due batch is cut at once. */
  afterIo?(fn: () => void): void;
}

export const systemClock: Clock = {
  now: epochNow,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  // After a busy stretch Node runs due timers before it reads I/O, so file events already
  // queued in the kernel would land in the next batch; an immediate runs after that read.
  afterIo: (fn) => setImmediate(fn),
};

export interface CoalescerOptions {
  /** Quiet time that ends a batch of at most two paths (a save). Default 10 ms. */
  settleMs?: number;
  /** Quiet time that ends a batch of more paths: a burst is in progress. Default 50 ms. */
  burstSettleMs?: number;
  /** A batch is cut at the latest this long after its first change, even if writes go on. */
  maxBatchMs: number;
  clock?: Clock;
  onBatch(batch: ChangeBatch): void;
}

export interface TimedChange {
  path: string;
  kind: ChangeKind;
  seenAt: number;
}

// Paths up to this many are "a save"; an editor's atomic write touches the file and a temp file.
const SAVE_PATHS = 2;

// A burst that has gone on for a while comes from a slow writer (a checkout on a busy disk),
// whose pauses are longer too: the quiet that ends it grows to this fraction of its length so
// far, up to BURST_QUIET_CAP times burstSettleMs. Short bursts keep burstSettleMs.
const BURST_QUIET_FRACTION = 0.25;
const BURST_QUIET_CAP = 4;

// Node timers run on whole milliseconds and may fire a fraction early; closer than this counts
// as due, instead of re-arming a timer for the remaining sliver.
const TIMER_SLACK_MS = 1;

interface Pending {
  kind: ChangeKind;
  /** Order of the latest change to this path, to know which of two paths changed last. */
  seq: number;
}

export class Coalescer {
  readonly #settleMs: number;
  readonly #burstSettleMs: number;
  readonly #maxBatchMs: number;
  readonly #clock: Clock;
  readonly #onBatch: (batch: ChangeBatch) => void;
  /** Insertion order is first-seen order; `set` on a known path keeps its place. */
  #pending = new Map<string, Pending>();
  #seq = 0;
  #firstSeenAt = 0;
  #startedAt = 0;
  #lastAt = 0;
  #timer: unknown;
  /** A cut is due and waits for `afterIo`; counts as an armed timer. */
  #confirming = false;
  #disposed = false;

  constructor(options: CoalescerOptions) {
    this.#settleMs = options.settleMs ?? 10;
    this.#burstSettleMs = options.burstSettleMs ?? 50;
    this.#maxBatchMs = options.maxBatchMs;
    this.#clock = options.clock ?? systemClock;
    this.#onBatch = options.onBatch;
  }

  add(changes: readonly TimedChange[]): void {
    if (this.#disposed || changes.length === 0) return;
    const now = this.#clock.now();
    if (this.#pending.size === 0) {
      this.#startedAt = now;
      this.#firstSeenAt = Number.POSITIVE_INFINITY;
    }
    for (const change of changes) {
      this.#pending.set(change.path, { kind: change.kind, seq: this.#seq++ });
      if (change.seenAt < this.#firstSeenAt) this.#firstSeenAt = change.seenAt;
    }
    this.#lastAt = now;
    // The timer is only ever pushed later, so an armed one is kept and re-checks when it fires:
    // thousands of events in a burst cost no timer churn.
    if (this.#timer === undefined && !this.#confirming) this.#arm(this.#dueAt() - now);
  }

  /** Cuts the pending batch now, if there is one (shutdown, tests). */
  flush(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const pending = this.#pending;
    this.#pending = new Map();
    this.#onBatch({ changes: collapse(pending), firstSeenAt: this.#firstSeenAt, cutAt: this.#clock.now() });
  }

  /** Drops whatever is pending and stops; later `add` calls are ignored. */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  #dueAt(): number {
    let settle = this.#settleMs;
    if (this.#pending.size > SAVE_PATHS) {
      const grown = (this.#lastAt - this.#startedAt) * BURST_QUIET_FRACTION;
      settle = Math.max(this.#burstSettleMs, Math.min(grown, this.#burstSettleMs * BURST_QUIET_CAP));
    }
    return Math.min(this.#lastAt + settle, this.#startedAt + this.#maxBatchMs);
  }

  #arm(delayMs: number): void {
    this.#timer = this.#clock.setTimeout(() => this.#onTimer(), Math.max(0, delayMs));
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#disposed || this.#pending.size === 0) return;
    const wait = this.#dueAt() - this.#clock.now();
    if (wait > TIMER_SLACK_MS) {
      this.#arm(wait);
      return;
    }
    const afterIo = this.#clock.afterIo;
    if (!afterIo) {
      this.flush();
      return;
    }
    const seq = this.#seq;
    this.#confirming = true;
    afterIo(() => {
      this.#confirming = false;
      if (this.#disposed || this.#pending.size === 0) return;
      // Events read in between restart the quiet period, unless the batch is at maxBatchMs.
      const now = this.#clock.now();
      if (this.#seq === seq || now >= this.#startedAt + this.#maxBatchMs - TIMER_SLACK_MS) this.flush();
      else this.#arm(this.#dueAt() - now);
    });
  }
}

/**
 * The batch's changes in first-seen order, each with its latest kind. A change to a path inside
 * a folder deleted after it becomes a delete: the file went with the folder.
 */
function collapse(pending: Map<string, Pending>): ChangeBatch['changes'] {
  let deletes = 0;
  for (const entry of pending.values()) if (entry.kind === 'delete') deletes++;
  const changes: ChangeBatch['changes'] = [];
  for (const [file, entry] of pending) {
    let kind = entry.kind;
    if (kind === 'change' && deletes > 0) {
      for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const parent = pending.get(dir);
        if (parent?.kind === 'delete' && parent.seq > entry.seq) {
          kind = 'delete';
          break;
        }
      }
    }
    changes.push({ path: file, kind });
  }
  return changes;
}
