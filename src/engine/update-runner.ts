// Carries out one planned update as a sequence of timed steps. Knows the order of steps and
// what a failure means; knows nothing of processes or containers (the Instance does that).

import type { Builder } from '../build/builder.js';
import { PitstopError } from '../errors.js';
import type { Service } from '../model/project.js';
import type { Span, UpdatePlan, UpdateRecord } from '../model/update.js';
import type { Instance } from '../runtimes/runtime.js';
import { type ReadyContext, waitReady } from './ready.js';
import { timed } from './span.js';

export interface UpdateTarget {
  service: Service;
  builder: Builder;
  /** The running instance, or undefined when the service is not running. */
  instance(): Instance | undefined;
  /** Start a fresh instance (first start, after a crash, or to replace). */
  startInstance(): Promise<Instance>;
  /** Forget lines seen so far: readiness looks only at the new process's output. */
  resetReadiness(): void;
  readiness(): ReadyContext;
  onLine(stream: 'stdout' | 'stderr', line: string): void;
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
  options: { force: boolean; onSpan(span: Span): void },
): Promise<UpdateOutcome> {
  const { service } = target;
  const emit = (span: Span) => {
    record.spans.push(span);
    options.onSpan(span);
  };

  let built = 0;
  for (const name of plan.builds) {
    const step = service.build.find((b) => b.name === name);
    if (!step) throw new PitstopError(`unknown build step ${name}`);
    let cached = false;
    await timed(
      'build',
      async () => {
        const result = await target.builder.run(service, step, {
          force: options.force,
          signal: target.signal,
          onLine: target.onLine,
        });
        cached = result.cached;
        return result;
      },
      (span) => emit(cached ? { ...span, outcome: 'cached' } : span),
      name,
    );
    if (!cached) built++;
  }

  const instance = target.instance();
  if (plan.full || !instance) {
    if (instance) await timed('stop', () => instance.stop(), emit);
    target.resetReadiness();
    await timed('start', () => target.startInstance().then((i) => ({ detail: i.id })), emit);
    await timed('ready', () => waitReady(service.name, service.ready, target.readiness()), emit);
    return { restarted: true, noop: false };
  }

  // Every compile found its inputs unchanged and nothing else is asked: the running version is current.
  if (plan.builds.length > 0 && built === 0 && plan.syncs.length === 0 && plan.runs.length === 0) {
    return { restarted: false, noop: true };
  }

  if (plan.syncs.length > 0) await timed('sync', () => instance.sync(plan.syncs), emit);
  for (const index of plan.runs) {
    const rule = service.liveUpdate[index];
    if (rule?.kind !== 'run') continue;
    const text = 'shell' in rule.cmd ? rule.cmd.shell : rule.cmd.argv.join(' ');
    await timed('run', () => instance.exec(rule.cmd), emit, text);
  }
  if (plan.restart === 'none') return { restarted: false, noop: false };
  target.resetReadiness();
  await timed('restart', () => instance.restart(plan.restart as 'process' | 'container'), emit, plan.restart);
  await timed('ready', () => waitReady(service.name, service.ready, target.readiness()), emit);
  return { restarted: true, noop: false };
}
