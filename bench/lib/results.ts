// The bench's output: bench/results/latest.json for machines and history, a table for people.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MachineInfo } from './machine.js';
import { ratio, round, type Summary } from './stats.js';

export interface ResultEntry {
  scenario: string;
  loop: string;
  runs: number;
  min_ms: number | null;
  median_ms: number | null;
  p95_ms: number | null;
  max_ms: number | null;
  bytes_median: number | null;
  /** Set when the loop could not run or gave up; its numbers then cover what did run. */
  error?: string;
  /** The pitstop loop this entry's ratio is against, when it is not the one named "pitstop". */
  vs?: string;
  [extra: string]: unknown;
}

export interface GoalCheck {
  scenario: string;
  goal: string;
  measured: string;
  met: boolean | null;
}

export interface BenchReport {
  machine: MachineInfo;
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  results: ResultEntry[];
  goals: GoalCheck[];
}

export function entryFrom(
  scenario: string,
  loop: string,
  summary: Summary | null,
  bytesMedian: number | null,
  extra: Record<string, unknown> = {},
): ResultEntry {
  const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : round(v));
  return {
    scenario,
    loop,
    runs: summary?.runs ?? 0,
    min_ms: ms(summary?.min),
    median_ms: ms(summary?.median),
    p95_ms: ms(summary?.p95),
    max_ms: ms(summary?.max),
    bytes_median: bytesMedian,
    ...extra,
  };
}

export function writeReport(file: string, report: BenchReport): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

const fmt = (v: number | null | undefined, digits = 1) =>
  v == null ? '-' : round(v, digits).toFixed(digits);

function bytes(v: number | null): string {
  if (v == null) return '-';
  if (v < 1024) return `${Math.round(v)} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  return `${(v / 1024 / 1024).toFixed(1)} MB`;
}

/** Short per-entry remarks: resource figures for idle scenarios, the error for a failed loop. */
function note(e: ResultEntry): string {
  const parts: string[] = [];
  if (typeof e.cpu_pct === 'number') parts.push(`cpu ${e.cpu_pct.toFixed(2)} %`);
  if (typeof e.rss_mb === 'number') parts.push(`rss ${e.rss_mb.toFixed(0)} MB`);
  if (typeof e.peak_rss_mb === 'number') parts.push(`peak ${e.peak_rss_mb.toFixed(0)} MB`);
  if (typeof e.watched_files === 'number') parts.push(`${e.watched_files} files`);
  if (typeof e.image_builds_max === 'number') parts.push(`image builds ≤ ${e.image_builds_max}`);
  if (typeof e.cli_start_ms === 'number') parts.push(`cli ${fmt(e.cli_start_ms, 0)}`);
  if (typeof e.bare_ms === 'number') parts.push(`under the loops' 2 ms poll; bare ${fmt(e.bare_ms, 0)}`);
  if (e.sync_choices && typeof e.sync_choices === 'object') {
    const choices = Object.entries(e.sync_choices as Record<string, number>);
    parts.push(choices.map(([c, n]) => `${c} ×${n}`).join(' '));
  }
  if (typeof e.vs_s1_local === 'number') parts.push(`${e.vs_s1_local.toFixed(1)}× S1 local`);
  if (typeof e.sse_clients === 'number') parts.push(`${e.sse_clients} SSE client`);
  if (e.steps_median_ms && typeof e.steps_median_ms === 'object') {
    const steps = Object.entries(e.steps_median_ms as Record<string, number>);
    parts.push(steps.map(([k, v]) => `${k} ${fmt(v, 0)}`).join(' · '));
  }
  if (typeof e.skipped === 'string') parts.push(`SKIPPED: ${e.skipped}`);
  if (e.error) parts.push(`ERROR: ${e.error.split('\n')[0]}`);
  return parts.join(', ');
}

/**
 * One row per scenario and loop. `pitstop/this` is the ratio of medians against the same
 * scenario's pitstop loop (or the one named in `vs`): below 1 means pitstop is faster by that factor.
 */
export function formatTable(results: readonly ResultEntry[]): string {
  const header = [
    'scenario',
    'loop',
    'runs',
    'min',
    'median',
    'p95',
    'max',
    'bytes',
    'pitstop/this',
    'notes',
  ];
  const rows = results.map((e) => {
    // A scenario with two pitstop loops (S3: docker and local) points each baseline at its own.
    const ref = typeof e.vs === 'string' ? e.vs : 'pitstop';
    const pitstop = results.find((r) => r.scenario === e.scenario && r.loop === ref);
    const r = e.loop === ref ? undefined : ratio(pitstop?.median_ms, e.median_ms);
    return [
      e.scenario,
      e.loop,
      String(e.runs),
      fmt(e.min_ms),
      fmt(e.median_ms),
      fmt(e.p95_ms),
      fmt(e.max_ms),
      bytes(e.bytes_median),
      r === undefined ? '-' : r.toFixed(2),
      note(e),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function formatGoals(goals: readonly GoalCheck[]): string {
  return goals
    .map((g) => `${g.met === null ? '?' : g.met ? 'met ' : 'MISS'}  ${g.scenario}  ${g.goal}: ${g.measured}`)
    .join('\n');
}

/** For a goal measured against a polled compile: the same overhead against the bare compile. */
export function bareNote(compile: ResultEntry | undefined, measured: number | null): string {
  const bare = compile?.bare_ms;
  if (typeof bare !== 'number' || measured == null) return '';
  return `; the compile ran under the same 2 ms poll as the loops (bare ${Math.round(bare)} ms, +${Math.round(measured - bare)} ms against it)`;
}
