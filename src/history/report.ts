// "Where does the time go?" as data: per service, the count, median and p95 of every step and
// of edit-to-live over a window of updates, the slowest steps overall, whether edit-to-live is
// drifting, and two windows side by side. Pure: records in, one JSON-ready object out.
import type { Span, StepName, UpdateRecord } from '../model/update.js';
import { median, p95, round, slope } from './stats.js';

export type ReportWindow =
  | { kind: 'last'; count: number }
  /** Updates started in [from, to). */
  | { kind: 'since'; from: number; to: number };

export interface ServiceRecords {
  service: string;
  records: UpdateRecord[];
}

export interface ReportInput {
  project: string;
  window: ReportWindow;
  services: ServiceRecords[];
  /** `--compare`: the window of the same length just before `window` (which is then a `since`). */
  previous?: ServiceRecords[];
}

export interface Summary {
  count: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

/**
 * One step name of one service. The numbers cover every top-level span of that name that did
 * work (outcome ok or failed), one sample per span; cached and skipped spans are only counted.
 */
export interface StepStats extends Partial<Summary> {
  step: StepName;
  count: number;
  cached: number;
  skipped: number;
  failed: number;
  /** Median bytes moved, for steps that move any. */
  bytesMedian?: number;
}

export interface Trend {
  verdict: 'slower' | 'faster' | 'stable' | 'unknown';
  /** Least-squares slope of edit-to-live against update order, ms per update. */
  slopeMsPerUpdate?: number;
  olderMedianMs?: number;
  newerMedianMs?: number;
  samples: number;
  text: string;
}

export interface ServiceReport {
  service: string;
  updates: number;
  outcomes: Record<string, number>;
  /** Over updates that went live (outcome ok, started by a file change). */
  editToLive?: Summary;
  steps: StepStats[];
  trend: Trend;
}

export interface SlowStep {
  service: string;
  step: StepName;
  /** For a sub-step of an image build: the BuildKit step (`RUN npm ci`). */
  detail?: string;
  count: number;
  medianMs: number;
}

export interface Delta {
  beforeMs?: number;
  afterMs?: number;
  deltaMs?: number;
  deltaPct?: number;
  beforeCount: number;
  afterCount: number;
}

export interface ServiceComparison {
  service: string;
  editToLive: Delta;
  steps: (Delta & { step: StepName })[];
}

export interface Report {
  project: string;
  window: ReportWindow;
  services: ServiceReport[];
  slowest: SlowStep[];
  compare?: { windowMs: number; services: ServiceComparison[] };
}

/** Pipeline order, so every table reads like an update runs. */
const STEP_ORDER: StepName[] = [
  'detect',
  'queue',
  'plan',
  'build',
  'image',
  'sync',
  'run',
  'stop',
  'start',
  'restart',
  'ready',
];
const MIN_TREND_SAMPLES = 6;
const SLOWEST = 5;

export function buildReport(input: ReportInput): Report {
  const services = input.services.map(serviceReport);
  const report: Report = {
    project: input.project,
    window: input.window,
    services,
    slowest: slowest(input.services),
  };
  if (input.previous && input.window.kind === 'since') {
    const windowMs = input.window.to - input.window.from;
    report.compare = { windowMs, services: compare(input.previous, input.services) };
  }
  return report;
}

/** Whether a span's duration is time spent: cached and skipped spans only say nothing was done. */
export function didWork(span: Span): boolean {
  return span.outcome === 'ok' || span.outcome === 'failed';
}

/** Durations of the top-level `step` spans that did work, in record order. */
export function stepDurations(records: readonly UpdateRecord[], step: StepName): number[] {
  return records.flatMap((r) =>
    r.spans.filter((s) => s.name === step && didWork(s)).map((s) => s.durationMs),
  );
}

/** Edit-to-live of the updates that went live, oldest first. */
export function editToLiveSeries(records: readonly UpdateRecord[]): number[] {
  return [...records]
    .sort((a, b) => a.startedAt - b.startedAt)
    .filter((r) => r.outcome === 'ok' && r.editToLiveMs !== undefined)
    .map((r) => r.editToLiveMs!);
}

export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  return {
    count: values.length,
    medianMs: median(values)!,
    p95Ms: p95(values)!,
    minMs: Math.min(...values),
    maxMs: Math.max(...values),
  };
}

function serviceReport({ service, records }: ServiceRecords): ServiceReport {
  const outcomes: Record<string, number> = {};
  for (const r of records) outcomes[r.outcome ?? 'unknown'] = (outcomes[r.outcome ?? 'unknown'] ?? 0) + 1;
  const series = editToLiveSeries(records);
  const out: ServiceReport = {
    service,
    updates: records.length,
    outcomes,
    steps: stepsOf(records),
    trend: trend(series),
  };
  const e2l = summarize(series);
  if (e2l) out.editToLive = e2l;
  return out;
}

function stepsOf(records: readonly UpdateRecord[]): StepStats[] {
  const all = records.flatMap((r) => r.spans);
  const names = STEP_ORDER.filter((name) => all.some((s) => s.name === name));
  return names.map((step) => {
    const mine = all.filter((s) => s.name === step);
    const worked = mine.filter(didWork);
    const stats: StepStats = {
      step,
      count: worked.length,
      cached: mine.filter((s) => s.outcome === 'cached').length,
      skipped: mine.filter((s) => s.outcome === 'skipped').length,
      failed: mine.filter((s) => s.outcome === 'failed').length,
      ...summarize(worked.map((s) => s.durationMs)),
    };
    const bytes = worked.flatMap((s) => (s.bytes === undefined ? [] : [s.bytes]));
    if (bytes.length) stats.bytesMedian = median(bytes)!;
    return stats;
  });
}

/**
 * Is edit-to-live drifting? Two views must agree before we say so: the least-squares slope,
 * and the newer half's median against the older half's, by at least 10 % (and 5 ms) — one
 * slow outlier moves a slope but not a median.
 */
export function trend(series: readonly number[]): Trend {
  const samples = series.length;
  if (samples < MIN_TREND_SAMPLES) {
    return { verdict: 'unknown', samples, text: `not enough updates for a trend (${samples})` };
  }
  const half = Math.floor(samples / 2);
  const older = median(series.slice(0, half))!;
  const newer = median(series.slice(samples - half))!;
  const perUpdate = slope(series)!;
  const overall = median(series)!;
  const moved = Math.abs(newer - older) >= Math.max(0.1 * overall, 5);
  const base = { samples, slopeMsPerUpdate: round(perUpdate, 2), olderMedianMs: older, newerMedianMs: newer };
  if (moved && newer > older && perUpdate > 0) {
    return { ...base, verdict: 'slower', text: `getting slower by ${fmt(perUpdate)} ms per update` };
  }
  if (moved && newer < older && perUpdate < 0) {
    return { ...base, verdict: 'faster', text: `getting faster by ${fmt(-perUpdate)} ms per update` };
  }
  return { ...base, verdict: 'stable', text: 'stable' };
}

function fmt(ms: number): string {
  return String(ms >= 10 ? Math.round(ms) : round(ms, 1));
}

function slowest(services: readonly ServiceRecords[]): SlowStep[] {
  const out: SlowStep[] = [];
  for (const { service, records } of services) {
    for (const step of STEP_ORDER) {
      const values = stepDurations(records, step);
      if (values.length) out.push({ service, step, count: values.length, medianMs: median(values)! });
    }
    // The sub-steps of image builds: "RUN npm ci" is the answer, "image" only the question.
    const sub = new Map<string, number[]>();
    for (const r of records) {
      for (const span of r.spans) {
        if (span.name !== 'image' || !didWork(span)) continue;
        for (const child of span.children ?? []) {
          if (!didWork(child) || !child.detail) continue;
          const key = child.detail.replace(/^\[[^\]]*\]\s*/, '');
          sub.set(key, [...(sub.get(key) ?? []), child.durationMs]);
        }
      }
    }
    for (const [detail, values] of sub) {
      out.push({ service, step: 'image', detail, count: values.length, medianMs: median(values)! });
    }
  }
  return out.sort((a, b) => b.medianMs - a.medianMs).slice(0, SLOWEST);
}

function compare(before: readonly ServiceRecords[], after: readonly ServiceRecords[]): ServiceComparison[] {
  const names = [...new Set([...before, ...after].map((s) => s.service))].sort();
  return names.map((service) => {
    const b = before.find((s) => s.service === service)?.records ?? [];
    const a = after.find((s) => s.service === service)?.records ?? [];
    const steps = STEP_ORDER.filter((step) => [...a, ...b].some((r) => r.spans.some((s) => s.name === step)));
    return {
      service,
      editToLive: delta(editToLiveSeries(b), editToLiveSeries(a)),
      steps: steps.map((step) => ({ step, ...delta(stepDurations(b, step), stepDurations(a, step)) })),
    };
  });
}

function delta(before: readonly number[], after: readonly number[]): Delta {
  const out: Delta = { beforeCount: before.length, afterCount: after.length };
  const b = median(before);
  const a = median(after);
  if (b !== undefined) out.beforeMs = b;
  if (a !== undefined) out.afterMs = a;
  if (a !== undefined && b !== undefined) {
    out.deltaMs = round(a - b, 2);
    if (b > 0) out.deltaPct = round(((a - b) / b) * 100, 1);
  }
  return out;
}
