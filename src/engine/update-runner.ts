// Carries out one planned update as a sequence of timed steps. Knows the order of steps and
// what a failure means; knows nothing of processes or containers (the Instance does that).

import type { Builder } from '../build/builder.js';
import { PitstopError } from '../errors.js';
import type { Service } from '../model/project.js';
import type { Span, UpdatePlan, UpdateRecord } from '../model/update.js';
import type { Instance, PrepareResult } from '../runtimes/runtime.js';
import { formatMs } from '../util/format.js';
import { initialSyncs, isNoop } from './planner.js';
import { type ReadyContext, waitReady } from './ready.js';
import { timed } from './span.js';

export interface UpdateTarget {
  service: Service;
  builder: Builder;
  /** The instance, or undefined when none was started (or its start failed). */
  instance(): Instance | undefined;
  /** Whether the instance's process runs (it may have exited while the instance lives on). */
  processUp(): boolean;
  /** The instance's process was restarted. */
  restarted(): void;
  /** Start a fresh instance (first start, or to replace). */
  /** Starts the instance; `ahead` tells how long ago it was started with its process held. */
  startInstance(): Promise<{ instance: Instance; aheadMs?: number }>;
  /** Make what starting needs (an image), when the runtime needs anything. */
  prepare?(force: boolean): Promise<PrepareResult>;
  /** Forget lines seen so far: readiness looks only at the new process's output. */
  resetReadiness(): void;
  readiness(): ReadyContext;
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /** Tells how a long step is going (throttled by the receiver). */
  progress(step: 'image' | 'sync', detail: string, bytes?: number, totalBytes?: number): void;
  signal: AbortSignal;
}

export interface UpdateOutcome {
  /** The service's process was (re)started or replaced by this update. */
  restarted: boolean;
  noop: boolean;
}

/** Runs `plan`, appending a span per step to `record` (and reporting it through `onSpan`). */
export async function runPlan(
  target: UpdateTarget,
  plan: UpdatePlan,
  record: UpdateRecord,
  options: {
    force: boolean;
    onSpan(span: Span): void;
    /** Runs CPU-heavy work (compiles, image builds) within the session's parallel limit. */
    limited<T>(work: () => Promise<T>): Promise<T>;
  },
): Promise<UpdateOutcome> {
  const { service } = target;
  const emit = (span: Span) => {
    record.spans.push(span);
    options.onSpan(span);
  };

  const built = new Set<string>();
  for (const name of plan.builds) {
    const step = service.build.find((b) => b.name === name);
    if (!step) throw new PitstopError(`unknown build step ${name}`);
    let cached = false;
    await timed(
      'build',
      async () => {
        const result = await options.limited(() =>
          target.builder.run(service, step, {
            force: options.force,
            signal: target.signal,
            onLine: target.onLine,
          }),
        );
        cached = result.cached;
        return result;
      },
      (span) => emit(cached ? { ...span, outcome: 'cached' } : span),
      name,
    );
    if (!cached) built.add(name);
  }
  // Outputs of a step that found its inputs unchanged are what the instance already has.
  const syncs = plan.syncs.filter((op) => !op.output || built.has(op.output));

  const instance = target.instance();
  if (isNoop(plan) && instance && target.processUp()) return { restarted: false, noop: true };
  if (plan.full || !instance) {
    const prepare = target.prepare;
    if (prepare) {
      let cached = false;
      await timed(
        'image',
        async () => {
          const result = await options.limited(() => prepare(options.force));
          cached = result.cached;
          return result;
        },
        (span) => emit(cached ? { ...span, outcome: 'cached' } : span),
      );
    }
    if (instance) await timed('stop', () => instance.stop(), emit);
    target.resetReadiness();
    await timed(
      'start',
      () =>
        target.startInstance().then(({ instance, aheadMs }) => ({
          detail:
            aheadMs === undefined
              ? instance.id
              : `${instance.id}, started ${formatMs(aheadMs)} ahead and held until now`,
        })),
      emit,
    );
    const initial = await initialSyncs(service);
    const fresh = target.instance();
    if (initial.length > 0 && fresh) await timed('sync', () => fresh.sync(initial), emit, 'initial sync');
    await timed('ready', () => waitReady(service.name, service.ready, target.readiness()), emit);
    return { restarted: true, noop: false };
  }

  // Every compile found its inputs unchanged and nothing else is asked: the running version is current.
  const nothingNew =
    plan.builds.length > 0 && built.size === 0 && syncs.length === 0 && plan.runs.length === 0;
  if (nothingNew && target.processUp()) {
    return { restarted: false, noop: true };
  }

  const restartNext = plan.runs.length === 0 && plan.restart === 'process';
  const onProgress = (sent: number, total: number) => target.progress('sync', 'sending', sent, total);
  if (syncs.length > 0) await timed('sync', () => instance.sync(syncs, { restartNext, onProgress }), emit);
  for (const index of plan.runs) {
    const rule = service.liveUpdate[index];
    if (rule?.kind !== 'run') continue;
    const text = 'shell' in rule.cmd ? rule.cmd.shell : rule.cmd.argv.join(' ');
    await timed('run', () => instance.exec(rule.cmd), emit, text);
  }
  // A process that exited (a crash waiting for its back-off) is started again by any update.
  const mode = plan.restart === 'none' ? (target.processUp() ? undefined : 'process') : plan.restart;
  if (!mode) return { restarted: false, noop: false };
  target.resetReadiness();
  await timed('restart', () => instance.restart(mode, { signal: target.signal }), emit, mode);
  target.restarted();
  await timed('ready', () => waitReady(service.name, service.ready, target.readiness()), emit);
  return { restarted: true, noop: false };
}
