// One service's life: its queue of changes, one update at a time, crash policy, and state.
// Changes that arrive while an update runs are kept and applied next — never dropped — and
// the files of a failed update are retried with the next save.

import type { Builder } from '../build/builder.js';
import { type EventBus, epochNow, type ServiceState } from '../events.js';
import type { LogStore } from '../logs/log-store.js';
import type { Command, Service } from '../model/project.js';
import type { FileChange, UpdateKind, UpdatePlan, UpdateRecord } from '../model/update.js';
import { describeExit } from '../proc/process-group.js';
import type { ExitInfo, Instance, Runtime } from '../runtimes/runtime.js';
import { formatMs } from '../util/format.js';
import type { Limiter } from './limiter.js';
import { fullPlan, planUpdate } from './planner.js';
import type { ReadyContext } from './ready.js';
import { makeSpan, StepFailure } from './span.js';
import { StagedStart } from './staged-start.js';
import { runPlan } from './update-runner.js';

const CRASH_WINDOW_MS = 60_000;
const MAX_CRASHES = 5;
const MAX_READY_LINES = 1_000;
const PROGRESS_EVERY_MS = 200;

export interface ControllerDeps {
  service: Service;
  runtime: Runtime;
  builder: Builder;
  limiter: Limiter;
  events: EventBus;
  logs: LogStore;
  nextUpdateId(): number;
  runCheck(cmd: Command, signal: AbortSignal): Promise<number | null>;
  /** This service's process was restarted or replaced (dependents may follow). */
  onRestarted(service: string): void;
  /** Tells which files the service's image leaves out (.dockerignore); read afresh per plan. */
  outsideImage?: () => (abs: string) => boolean;
  /** Any crash fails the service at once instead of restarting it (`pitstop ci`: no one is there to fix and save). */
  failFast: boolean;
  /** Masks secret values in output and messages before anything shows or keeps them. */
  redact: (text: string) => string;
}

interface Work {
  kind: UpdateKind;
  changes: FileChange[];
  firstSeenAt?: number;
  cutAt?: number;
}

export class ServiceController {
  readonly name: string;
  state: ServiceState = 'pending';
  detail: string | undefined;
  /** Ready at least once since the session started (dependents may start). */
  readyOnce = false;
  /** Its process ran to completion with exit code 0 (a one-shot job's dependents may start). */
  completedOnce = false;
  lastRecord: UpdateRecord | undefined;

  #instance: Instance | undefined;
  /** An instance started ahead with its process held (see `stage`), until the start takes it. */
  #staged: StagedStart | undefined;
  /** The instance's process runs; false after it exited until a restart (the instance may live on). */
  #processUp = false;
  #startRequested = false;
  #pending = new Map<string, FileChange>();
  #retry = new Map<string, FileChange>();
  #firstSeenAt: number | undefined;
  #cutAt: number | undefined;
  #flags = new Set<'trigger' | 'dependency' | 'crash'>();
  #triggerWaiters: Array<(record: UpdateRecord) => void> = [];
  #draining: Promise<void> | undefined;
  #stopping = false;
  #abort = new AbortController();
  #exitAbort = new AbortController();
  #generation = 0;
  /** Counts exits; an update that saw one leaves the service's state to the crash policy. */
  #exits = 0;
  #lastExit: string | undefined;
  #crashes: number[] = [];
  #crashTimer: NodeJS.Timeout | undefined;
  #lines: string[] = [];
  #lineListeners = new Set<(line: string) => void>();
  #progressAt = 0;

  constructor(private readonly deps: ControllerDeps) {
    this.name = deps.service.name;
  }

  get instanceId(): string | undefined {
    return this.#instance?.id;
  }

  get started(): boolean {
    return this.#startRequested;
  }

  setState(state: ServiceState, detail?: string): void {
    this.state = state;
    this.detail = detail;
    if (state === 'ready') this.readyOnce = true;
    this.deps.events.emit({ type: 'service-state', service: this.name, state, detail });
  }

  /** The first start, once dependencies allow it. Resolves when it has succeeded or failed. */
  requestStart(): Promise<void> {
    this.#startRequested = true;
    this.#pending.clear();
    return this.#drain();
  }

  enqueue(changes: FileChange[], firstSeenAt: number, cutAt: number): void {
    for (const change of changes) this.#pending.set(change.path, change);
    this.#firstSeenAt = Math.min(this.#firstSeenAt ?? firstSeenAt, firstSeenAt);
    this.#cutAt = Math.max(this.#cutAt ?? cutAt, cutAt);
    if (this.#startRequested) void this.#drain();
  }

  /** Rebuild and replace now (`pitstop trigger`); resolves with that update's record. */
  trigger(): Promise<UpdateRecord> {
    this.#flags.add('trigger');
    const done = new Promise<UpdateRecord>((resolve) => this.#triggerWaiters.push(resolve));
    this.#startRequested = true;
    void this.#drain();
    return done;
  }

  /**
   * Starts the instance ahead, its process held, while the services this one depends on start:
   * a container start (about a second on a busy machine) then overlaps theirs instead of
   * following it. Only where the runtime can hold a process, not for services with host build
   * steps (the image may take their outputs), and only with an image already there: a build or
   * a pull belongs in the start's record. Whatever goes wrong here is left for the real start to
   * meet and report.
   */
  stage(): void {
    const { runtime, service } = this.deps;
    if (!runtime.canHold || this.#staged || this.#startRequested || this.#stopping) return;
    if (service.build.length > 0) return;
    const generation = ++this.#generation;
    this.#staged = new StagedStart(async () => {
      await this.deps.limiter.run(() =>
        runtime.prepare
          ? runtime.prepare(service, {
              force: false,
              cachedOnly: true,
              signal: this.#abort.signal,
              onLine: (stream, line) => this.#log(stream, line),
            })
          : Promise.resolve(undefined),
      );
      if (this.#stopping) throw new Error('pitstop is stopping');
      return runtime.start(service, this.#io(generation), { hold: true });
    });
  }

  dependencyRestarted(): void {
    if (!this.#instance || !this.#startRequested) return;
    this.#flags.add('dependency');
    void this.#drain();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#crashTimer);
    this.#abort.abort(new Error('pitstop is stopping'));
    await this.#draining;
    const staged = this.#staged;
    this.#staged = undefined;
    await staged?.discard();
    const instance = this.#instance;
    this.#instance = undefined;
    if (instance) {
      this.setState('stopping');
      await instance.stop();
    }
    this.setState('stopped');
  }

  #drain(): Promise<void> {
    if (!this.#draining) {
      const run = async () => {
        for (let work = this.#takeWork(); work && !this.#stopping; work = this.#takeWork()) {
          await this.#execute(work);
        }
      };
      // Cleared in a later tick, never synchronously: when there is no work, `run` finishes
      // before this assignment, and clearing inside it would leave a settled promise here for
      // good — every later change would then wait on a queue that never runs.
      this.#draining = run().finally(() => {
        this.#draining = undefined;
      });
    }
    return this.#draining;
  }

  #takeWork(): Work | undefined {
    const changes = [...this.#retry.values(), ...this.#pending.values()];
    const hasChanges = this.#pending.size > 0;
    const timing = { firstSeenAt: this.#firstSeenAt, cutAt: this.#cutAt };
    const take = (kind: UpdateKind, withChanges: boolean): Work => {
      this.#pending.clear();
      this.#firstSeenAt = this.#cutAt = undefined;
      if (withChanges) this.#retry.clear();
      return withChanges ? { kind, changes, ...timing } : { kind, changes: [] };
    };
    if (this.#flags.delete('trigger')) return take('trigger', true);
    if (!this.#instance && this.state !== 'crashed' && this.state !== 'failed') return take('start', true);
    if (hasChanges) return take('live', true);
    if (this.#flags.delete('crash') && this.#instance && !this.#processUp) return take('crash', false);
    if (this.#flags.delete('dependency') && this.#instance) return take('dependency', false);
    return undefined;
  }

  #plan(work: Work): UpdatePlan {
    switch (work.kind) {
      case 'start':
        return fullPlan(this.deps.service, 'first start');
      case 'trigger':
        return fullPlan(this.deps.service, 'triggered by hand');
      case 'crash':
        return {
          full: false,
          reason: 'restart after a crash',
          builds: [],
          syncs: [],
          runs: [],
          restart: 'process',
        };
      case 'dependency':
        return {
          full: false,
          reason: 'a dependency restarted',
          builds: [],
          syncs: [],
          runs: [],
          restart: 'process',
        };
      case 'live': {
        const read = this.deps.outsideImage;
        let excludes: ((abs: string) => boolean) | undefined;
        // Built on first use: most batches are covered by rules and never need the ignore file.
        const outsideImage =
          read &&
          ((abs: string) => {
            excludes ??= read();
            return excludes(abs);
          });
        return planUpdate(this.deps.service, work.changes, { outsideImage });
      }
    }
  }

  async #execute(work: Work): Promise<void> {
    const { events } = this.deps;
    const record: UpdateRecord = {
      id: this.deps.nextUpdateId(),
      service: this.name,
      kind: work.kind,
      files: work.changes.slice(0, 20).map((c) => c.path),
      fileCount: work.changes.length,
      spans: [],
      startedAt: epochNow(),
    };
    const onSpan = (span: UpdateRecord['spans'][number]) =>
      events.emit({ type: 'step', service: this.name, id: record.id, span });
    events.emit({ type: 'update-started', service: this.name, id: record.id, kind: work.kind });
    if (work.firstSeenAt !== undefined && work.cutAt !== undefined) {
      const detect = makeSpan(
        'detect',
        work.firstSeenAt,
        work.cutAt - work.firstSeenAt,
        'ok',
        undefined,
        `${work.changes.length} file(s)`,
      );
      record.spans.push(detect);
      onSpan(detect);
    }
    const exitsBefore = this.#exits;
    // Only the CPU-heavy steps (compiles, image builds) wait for a slot: starting and restarting
    // mostly wait on a daemon or a process, and holding a slot for them slows every other service.
    const limited = async <T>(work: () => Promise<T>): Promise<T> => {
      const queuedAt = epochNow();
      return this.deps.limiter.run(async () => {
        const waited = epochNow() - queuedAt;
        if (waited > 1) {
          const queue = makeSpan('queue', queuedAt, waited, 'ok');
          record.spans.push(queue);
          onSpan(queue);
        }
        return work();
      });
    };
    try {
      const planStart = epochNow();
      const plan = this.#plan(work);
      record.plan = plan;
      const planSpan = makeSpan('plan', planStart, epochNow() - planStart, 'ok', undefined, plan.reason);
      record.spans.push(planSpan);
      onSpan(planSpan);
      this.setState(this.#instance ? 'updating' : plan.builds.length ? 'building' : 'starting', plan.reason);
      const outcome = await runPlan(this.#target(), plan, record, {
        force: work.kind === 'trigger',
        onSpan,
        limited,
      });
      record.outcome = outcome.noop ? 'noop' : 'ok';
      this.#crashes = work.kind === 'crash' ? this.#crashes : [];
      this.setState('ready');
      if (outcome.restarted && work.kind !== 'start') this.deps.onRestarted(this.name);
    } catch (err) {
      this.#fail(record, work, err, this.#exits !== exitsBefore);
    } finally {
      record.finishedAt = epochNow();
      if (record.outcome === 'ok' && work.firstSeenAt !== undefined) {
        record.editToLiveMs = Math.round((record.finishedAt - work.firstSeenAt) * 100) / 100;
      }
      this.lastRecord = record;
      events.emit({ type: 'update-finished', record });
      if (work.kind === 'trigger') for (const resolve of this.#triggerWaiters.splice(0)) resolve(record);
    }
  }

  #fail(record: UpdateRecord, work: Work, err: unknown, exited: boolean): void {
    const failure = err instanceof StepFailure ? err : undefined;
    const cause = failure ? failure.cause : err;
    const { redact } = this.deps;
    // When the process exited meanwhile, that is what went wrong, not the aborted wait it caused.
    const why = exited && this.#lastExit ? `${this.name} ${this.#lastExit}` : undefined;
    const message = redact(why ?? (cause instanceof Error ? cause.message : String(cause)));
    const logTail = ((cause as { logTail?: string[] }).logTail ?? this.deps.logs.tail(this.name, 15)).map(
      redact,
    );
    record.outcome = this.#stopping && !why ? 'cancelled' : 'failed';
    record.error = { step: failure?.span.name ?? 'plan', message, logTail };
    if (this.#stopping) return;
    for (const change of work.changes) this.#retry.set(change.path, change);
    if (why) return; // the exit itself was reported as it happened
    this.deps.events.emit({ type: 'error', service: this.name, message, logTail });
    if (exited) return;
    // A failure before anything reached the instance leaves the running version serving.
    const beforeApply = ['build', 'image', 'sync', 'run', 'plan'].includes(record.error.step);
    if (this.#instance && beforeApply)
      this.setState('ready', 'update failed: the last good version keeps serving');
    else this.setState('failed', `${message} — save a file to retry`);
  }

  #target() {
    return {
      service: this.deps.service,
      builder: this.deps.builder,
      signal: this.#abort.signal,
      instance: () => this.#instance,
      processUp: () => this.#processUp,
      restarted: () => {
        this.#processUp = true;
      },
      startInstance: () => this.#startInstance(),
      prepare: this.deps.runtime.prepare
        ? async (force: boolean) => {
            // A staged start may still be preparing the same image: never build it twice at once.
            await this.#staged?.settled();
            return this.deps.runtime.prepare!(this.deps.service, {
              force,
              signal: this.#abort.signal,
              onLine: (stream, line) => this.#log(stream, line),
              onProgress: (detail) => this.#progress('image', detail),
            });
          }
        : undefined,
      progress: (step: 'image' | 'sync', detail: string, bytes?: number, totalBytes?: number) =>
        this.#progress(step, detail, bytes, totalBytes),
      resetReadiness: () => {
        this.#lines = [];
        this.#exitAbort = new AbortController();
      },
      readiness: (): ReadyContext => ({
        lines: () => this.#lines,
        onLine: (listener) => {
          this.#lineListeners.add(listener);
          return () => this.#lineListeners.delete(listener);
        },
        runCheck: this.deps.runCheck,
        probeTarget: (host, port) => this.#instance?.probeTarget?.(host, port),
        exec: async (cmd) => {
          const instance = this.#instance;
          if (!instance) throw new Error('not running');
          await instance.exec(cmd, { quiet: true });
        },
        signal: AbortSignal.any([this.#abort.signal, this.#exitAbort.signal]),
      }),
      onLine: (stream: 'stdout' | 'stderr', line: string) => this.#log(stream, line),
    };
  }

  /** The instance's output and exits; an exit of anything but the current instance is old news. */
  #io(generation: number) {
    return {
      log: (stream: 'stdout' | 'stderr', line: string) => this.#log(stream, line),
      exited: (info: ExitInfo) => {
        if (generation !== this.#generation) return;
        // A staged instance not yet released has no process of its own to crash.
        if (!this.#instance && this.#staged?.holding) this.#staged.lose();
        else this.#onExit(info);
      },
    };
  }

  async #startInstance(): Promise<{ instance: Instance; aheadMs?: number }> {
    const staged = this.#staged;
    if (staged) {
      const taken = this.#stopping ? await staged.discard() : await staged.release();
      this.#staged = undefined;
      if (taken) {
        this.#instance = taken.instance;
        this.#processUp = true;
        return taken;
      }
    }
    if (this.#stopping) throw new Error('pitstop is stopping');
    const generation = ++this.#generation;
    const instance = await this.deps.runtime.start(this.deps.service, this.#io(generation));
    if (this.#stopping) {
      await instance.stop();
      throw new Error('pitstop is stopping');
    }
    this.#instance = instance;
    this.#processUp = true;
    return { instance };
  }

  #progress(step: 'image' | 'sync', detail: string, bytes?: number, totalBytes?: number): void {
    // A few updates a second are plenty for a person; the last one of a transfer always goes.
    const now = performance.now();
    const last = bytes !== undefined && bytes === totalBytes;
    if (!last && now - this.#progressAt < PROGRESS_EVERY_MS) return;
    this.#progressAt = now;
    this.deps.events.emit({ type: 'progress', service: this.name, step, detail, bytes, totalBytes });
  }

  #log(stream: 'stdout' | 'stderr', raw: string): void {
    const line = this.deps.redact(raw);
    this.#lines.push(line);
    if (this.#lines.length > MAX_READY_LINES) this.#lines.shift();
    for (const listener of this.#lineListeners) listener(line);
    const at = epochNow();
    this.deps.logs.add({ at, service: this.name, stream, line });
    this.deps.events.emit({ type: 'log', at, service: this.name, stream, line });
  }

  #onExit(info: ExitInfo): void {
    this.#processUp = false;
    this.#exits++;
    if (info.code === 0) this.completedOnce = true;
    const how = describeExit(info);
    this.#lastExit = how;
    this.#exitAbort.abort(new Error(`${this.name} ${how} before becoming ready`));
    if (this.#stopping) return;
    const logTail = this.deps.logs.tail(this.name, 15);
    const policy = this.deps.service.restartPolicy;
    // `pitstop ci` has no one to fix and save: any crash is its answer.
    if (this.deps.failFast && info.code !== 0) {
      this.deps.events.emit({ type: 'error', service: this.name, message: `${this.name} ${how}`, logTail });
      this.setState('failed', this.readyOnce ? how : `${how} before becoming ready`);
      return;
    }
    if (policy === 'no' || (policy === 'on-failure' && info.code === 0)) {
      this.deps.events.emit({ type: 'warning', service: this.name, message: `${this.name} ${how}` });
      this.setState('stopped', `${how} (restart: ${policy})`);
      return;
    }
    const now = Date.now();
    this.#crashes = [...this.#crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    this.deps.events.emit({ type: 'error', service: this.name, message: `${this.name} ${how}`, logTail });
    if (this.#crashes.length >= MAX_CRASHES) {
      this.#crashes = [];
      this.setState(
        'failed',
        `crashed ${MAX_CRASHES} times within a minute; save a file or run \`pitstop trigger ${this.name}\` to retry`,
      );
      return;
    }
    const delay = Math.min(250 * 2 ** (this.#crashes.length - 1), 8_000);
    this.setState(
      'crashed',
      `${how}; restarting in ${formatMs(delay)} (crash ${this.#crashes.length} of ${MAX_CRASHES})`,
    );
    clearTimeout(this.#crashTimer);
    this.#crashTimer = setTimeout(() => {
      this.#flags.add('crash');
      void this.#drain();
    }, delay);
  }
}
