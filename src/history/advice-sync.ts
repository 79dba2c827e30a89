// sync-rule: the talk's "live update — don't rebuild or replace the container". A service whose
// edits keep landing outside every live_update rule gets a full rebuild and replace each time;
// when those edits gather under one folder, a sync rule for that folder turns them into a copy
// and a restart.
import path from 'node:path';
import type { Service } from '../model/project.js';
import type { UpdateRecord } from '../model/update.js';
import { medianOf, ms, type Rule, recordsOf, updateMs } from './advice-shared.js';
import { round } from './stats.js';
import type { Suggestion } from './types.js';

const UNCOVERED = /is not covered by any live_update rule|^no live_update rules$/;
/**
 * Steps a sync and a process restart make unnecessary. On docker that is the image and the
 * container's replacement (less the restart that takes its place); a local process is stopped
 * and started either way, so only the full rebuild's build steps go.
 */
const REPLACED: Record<Service['runtime'], Set<string>> = {
  docker: new Set(['build', 'image', 'stop', 'start']),
  local: new Set(['build', 'image']),
};

export const syncRule: Rule = (input) => {
  const out: Suggestion[] = [];
  for (const service of input.project.services) {
    const live = recordsOf(input, service.name).filter((r) => r.kind === 'live');
    const full = live.filter((r) => r.plan?.full && UNCOVERED.test(r.plan.reason));
    // "Mostly": at least half of the live updates were such rebuilds.
    if (full.length < input.min || full.length * 2 < live.length) continue;
    const folder = commonFolder(
      service,
      full,
      Math.max(input.min, Math.ceil(full.length / 2)),
      input.project.root,
    );
    if (!folder) continue;
    const abs = path.resolve(service.dir, folder.path);
    // The configuration may have changed since: a rule that now covers the folder is the answer already.
    if (service.liveUpdate.some((r) => r.kind === 'sync' && isInside(r.from, abs))) continue;
    const suggestion = withSaving(service, live, folder.records, input.min);
    if (!suggestion) continue;
    const shown = folder.path === '.' ? `${service.name}'s folder` : `${folder.path}/`;
    out.push({
      rule: 'sync-rule',
      service: service.name,
      title: `add a sync rule for ${shown}`,
      detail: syncDetail(service, folder.path),
      savingMs: suggestion.savingMs,
      evidence: [
        `${full.length} of ${live.length} live updates were full rebuilds: no live_update rule covered a changed file`,
        `${folder.records.length} of them changed only files under ${shown}`,
        ...suggestion.evidence,
      ],
    });
  }
  return out;
};

function withSaving(service: Service, live: UpdateRecord[], full: UpdateRecord[], min: number) {
  const fullMs = full.filter((r) => r.outcome === 'ok').flatMap((r) => updateMs(r) ?? []);
  if (fullMs.length < min) return undefined;
  const fullMedian = medianOf(fullMs);
  const synced = live
    .filter((r) => r.outcome === 'ok' && !r.plan?.full && r.spans.some((s) => s.name === 'sync'))
    .flatMap((r) => updateMs(r) ?? []);
  const evidence = [`those rebuilds took a median ${ms(fullMedian)} (${fullMs.length} measured)`];
  let savingMs: number;
  if (synced.length >= min) {
    savingMs = fullMedian - medianOf(synced);
    evidence.push(`its sync updates took a median ${ms(medianOf(synced))} (${synced.length} measured)`);
  } else {
    // No sync update of this service yet: what a sync would skip is the rebuild-and-replace
    // steps, less the restart that replaces them (measured where the history has one).
    const steps = REPLACED[service.runtime] ?? REPLACED.docker;
    const replace = full.map((r) =>
      r.spans.filter((s) => steps.has(s.name) && s.outcome === 'ok').reduce((t, s) => t + s.durationMs, 0),
    );
    const restarts =
      service.runtime === 'docker'
        ? live.flatMap((r) => r.spans.filter((s) => s.name === 'restart' && s.outcome === 'ok'))
        : [];
    const restartMs = restarts.length ? medianOf(restarts.map((s) => s.durationMs)) : 0;
    savingMs = medianOf(replace) - restartMs;
    evidence.push(
      `estimate: the steps of those rebuilds a sync makes unnecessary (${[...steps].join(', ')}: median ${ms(medianOf(replace))})` +
        (restarts.length ? ` less a process restart (median ${ms(restartMs)})` : '') +
        '; no sync update of this service measured yet',
    );
  }
  if (savingMs < 50) return undefined;
  return { savingMs: round(savingMs), evidence };
}

/**
 * The folder (relative to the service) that holds every changed file of the most rebuilds, at
 * least `need` of them; the deeper one of two that hold as many. `.` when no folder below the
 * service's own does.
 */
function commonFolder(service: Service, records: UpdateRecord[], need: number, root: string) {
  const counts = new Map<string, UpdateRecord[]>();
  for (const r of records) {
    const files = r.files.length ? r.files : uncoveredFile(r);
    if (files.length === 0) continue;
    const dirs = files.map((f) => path.posix.dirname(relative(service, root, f)));
    if (dirs.some((d) => d.startsWith('..'))) continue;
    for (const folder of ancestors(commonPrefix(dirs))) {
      counts.set(folder, [...(counts.get(folder) ?? []), r]);
    }
  }
  const depth = (folder: string) => (folder === '.' ? 0 : folder.split('/').length);
  const fits = [...counts.entries()].filter(([, list]) => list.length >= need);
  fits.sort(
    (a, b) =>
      Math.sign(depth(b[0])) - Math.sign(depth(a[0])) ||
      b[1].length - a[1].length ||
      depth(b[0]) - depth(a[0]),
  );
  const best = fits[0];
  return best && { path: best[0], records: best[1] };
}

/** The file named in the planner's reason, for records that kept no file list. */
function uncoveredFile(r: UpdateRecord): string[] {
  const m = /^(.+) is not covered by any live_update rule/.exec(r.plan?.reason ?? '');
  return m ? [m[1]!] : [];
}

/** A recorded file relative to the service folder (records hold absolute paths, or paths from the project root). */
function relative(service: Service, root: string, file: string): string {
  const abs = path.isAbsolute(file) ? file : path.resolve(root, file);
  return path.relative(service.dir, abs).split(path.sep).join('/');
}

function commonPrefix(dirs: string[]): string {
  const parts = dirs.map((d) => (d === '.' ? [] : d.split('/')));
  const first = parts[0] ?? [];
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return n === 0 ? '.' : first.slice(0, n).join('/');
}

/** `a/b/c` → `a/b/c`, `a/b`, `a`, `.`. */
function ancestors(folder: string): string[] {
  if (folder === '.') return ['.'];
  const parts = folder.split('/');
  return [...parts.map((_, i) => parts.slice(0, parts.length - i).join('/')), '.'];
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function syncDetail(service: Service, folder: string): string {
  const onDocker = service.runtime === 'docker';
  const base = service.docker.workdir ?? '/app';
  const to = onDocker ? path.posix.join(base, folder) : folder;
  const lines = [
    `In ${service.name}:`,
    '  live_update:',
    `    - sync: { from: ${folder}, to: ${to} }`,
    '    - restart: process',
  ];
  if (onDocker)
    lines.push(
      `(set \`to\` to where the image keeps ${folder === '.' ? 'the service' : folder}; keep restart only if the process must reload them)`,
    );
  return lines.join('\n');
}
