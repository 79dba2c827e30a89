// Decides, before anything runs, what one update of one service does: the cheapest plan that
// is still correct. Pure: the same service and changes always give the same plan.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import createIgnore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { PitstopError } from '../errors.js';
import type { LiveUpdateRule, Service } from '../model/project.js';
import type { FileChange, SyncOp, UpdatePlan } from '../model/update.js';

const matcherCache = new Map<string, (p: string) => boolean>();

function matches(globs: string[], rel: string): string | undefined {
  for (const glob of globs) {
    let test = matcherCache.get(glob);
    if (!test) {
      test = picomatch(glob, { dot: true });
      matcherCache.set(glob, test);
    }
    if (test(rel)) return glob;
  }
  return undefined;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function isInside(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

type SyncRule = Extract<LiveUpdateRule, { kind: 'sync' }>;
const ruleIgnores = new WeakMap<SyncRule, Ignore>();

/** Whether a sync rule covers a path: under its `from`, within `include`, outside `ignore`. */
export function syncTakes(rule: LiveUpdateRule, abs: string): boolean {
  if (rule.kind !== 'sync' || !isInside(rule.from, abs)) return false;
  const rel = toPosix(path.relative(rule.from, abs));
  if (rel === '') return true;
  if (rule.include?.length && !matches(rule.include, rel)) return false;
  if (rule.ignore?.length) {
    let ignore = ruleIgnores.get(rule);
    if (!ignore) {
      ignore = createIgnore().add(rule.ignore);
      ruleIgnores.set(rule, ignore);
    }
    if (ignore.ignores(rel)) return false;
  }
  return true;
}

/** The full rebuild-and-replace plan, also used for the first start and for `pitstop trigger`. */
export function fullPlan(service: Service, reason: string): UpdatePlan {
  return {
    full: true,
    reason,
    builds: service.build.map((b) => b.name),
    syncs: [],
    runs: [],
    restart: 'none',
  };
}

export interface PlanContext {
  /**
   * Files left out of the service's image (.dockerignore): when no rule covers such a change, it
   * affects nothing that runs, so it needs no rebuild. Asked only about uncovered changes.
   */
  outsideImage?: (abs: string) => boolean;
}

export function planUpdate(service: Service, changes: FileChange[], context: PlanContext = {}): UpdatePlan {
  const rel = (p: string) => toPosix(path.relative(service.dir, p));
  const outsideImage = context.outsideImage ?? (() => false);

  for (const change of changes) {
    const glob = matches(service.fallBackOn, rel(change.path));
    if (glob) return fullPlan(service, `${rel(change.path)} matches fall_back_on "${glob}"`);
  }
  if (service.liveUpdate.length === 0) {
    const isInput = (c: FileChange) => service.build.some((b) => matches(b.inputs, rel(c.path)));
    if (changes.every((c) => !isInput(c) && outsideImage(c.path))) {
      return noChange('only files outside the image changed');
    }
    return fullPlan(service, 'no live_update rules');
  }

  const builds = new Set<string>();
  const runs = new Set<number>();
  const syncs: SyncOp[] = [];
  const runRules = service.liveUpdate.flatMap((rule, index) =>
    rule.kind === 'run' ? [{ rule, index }] : [],
  );

  for (const change of changes) {
    const file = rel(change.path);
    let covered = false;
    for (const step of service.build) {
      if (matches(step.inputs, file)) {
        builds.add(step.name);
        covered = true;
      }
    }
    const sync = service.liveUpdate.find((r) => r.kind === 'sync' && syncTakes(r, change.path));
    if (sync?.kind === 'sync') {
      syncs.push({
        from: change.path,
        to: syncTarget(sync.from, sync.to, change.path),
        kind: change.kind,
        root: sync.to,
      });
      covered = true;
    }
    for (const { rule, index } of runRules) {
      if (rule.trigger.length > 0 && matches(rule.trigger, file)) {
        runs.add(index);
        covered = true;
      }
    }
    if (!covered) {
      if (outsideImage(change.path)) continue;
      // Full rebuild is always correct; a cheaper plan must account for every change.
      return fullPlan(service, `${file} is not covered by any live_update rule or build input`);
    }
  }

  // Host-compiled outputs (a Go binary) travel like synced files when a sync rule covers them:
  // an output inside a rule's `from`, or a rule's `from` inside an output folder (`bin` vs `bin/api`).
  for (const step of service.build) {
    if (!builds.has(step.name)) continue;
    for (const output of step.outputs) {
      if (/[*?[\]{}]/.test(output)) continue;
      const abs = path.resolve(service.dir, output);
      for (const rule of service.liveUpdate) {
        if (rule.kind !== 'sync') continue;
        if (isInside(rule.from, abs)) {
          syncs.push({
            from: abs,
            to: syncTarget(rule.from, rule.to, abs),
            kind: 'change',
            output: step.name,
            root: rule.to,
          });
        } else if (isInside(abs, rule.from)) {
          syncs.push({ from: rule.from, to: rule.to, kind: 'change', output: step.name, root: rule.to });
        }
      }
    }
  }
  if (syncs.length > 0) {
    for (const { rule, index } of runRules) if (rule.trigger.length === 0) runs.add(index);
  }
  const restartRule = service.liveUpdate.find((r) => r.kind === 'restart');
  const didSomething = builds.size > 0 || syncs.length > 0 || runs.size > 0;
  const restart = restartRule?.kind === 'restart' && didSomething ? restartRule.mode : 'none';
  const orderedBuilds = service.build.map((b) => b.name).filter((n) => builds.has(n));

  return {
    full: false,
    reason: describe(orderedBuilds, syncs.length, runs.size, restart),
    builds: orderedBuilds,
    syncs,
    runs: [...runs].sort((a, b) => a - b),
    restart,
  };
}

/** Maps a host path under `from` to the target path under `to`, refusing anything that escapes `to`. */
export function syncTarget(from: string, to: string, file: string): string {
  const relative = toPosix(path.relative(from, file));
  const target = relative === '' ? path.posix.normalize(to) : path.posix.join(to, relative);
  const root = path.posix.normalize(to);
  if (target !== root && !target.startsWith(root.endsWith('/') ? root : `${root}/`)) {
    throw new PitstopError(`refusing to sync ${file}: it would be written outside ${to}`, {
      hint: 'check the sync rule: files must stay inside its `to` path',
    });
  }
  return target;
}

function describe(builds: string[], syncs: number, runs: number, restart: UpdatePlan['restart']): string {
  const parts: string[] = [];
  if (builds.length) parts.push(`build ${builds.join(', ')}`);
  if (syncs) parts.push(`sync ${syncs} file${syncs === 1 ? '' : 's'}`);
  if (runs) parts.push(`run ${runs} command${runs === 1 ? '' : 's'}`);
  if (restart !== 'none') parts.push(`restart ${restart}`);
  return parts.length ? `live update: ${parts.join(', ')}` : 'only files outside the image changed';
}

function noChange(reason: string): UpdatePlan {
  return { full: false, reason, builds: [], syncs: [], runs: [], restart: 'none' };
}

export function isNoop(plan: UpdatePlan): boolean {
  return (
    !plan.full &&
    plan.builds.length === 0 &&
    plan.syncs.length === 0 &&
    plan.runs.length === 0 &&
    plan.restart === 'none'
  );
}

/** Every file under the `initial` sync rules' sources, for the sync right after a start. */
export async function initialSyncs(service: Service): Promise<SyncOp[]> {
  const ops: SyncOp[] = [];
  for (const rule of service.liveUpdate) {
    if (rule.kind !== 'sync' || !rule.initial) continue;
    let names: string[];
    try {
      const st = await stat(rule.from);
      names = st.isDirectory() ? await readdir(rule.from, { recursive: true }) : [''];
    } catch {
      continue;
    }
    for (const name of names) {
      const abs = name === '' ? rule.from : path.join(rule.from, name);
      if (!syncTakes(rule, abs) || (name !== '' && (await stat(abs)).isDirectory())) continue;
      ops.push({ from: abs, to: syncTarget(rule.from, rule.to, abs), kind: 'change', root: rule.to });
    }
  }
  return ops;
}
