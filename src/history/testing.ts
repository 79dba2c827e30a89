// Synthetic but realistic update records for the history tests: one builder per record shape
// the engine produces (a host compile + restart, a sync + run, a full rebuild with an image).
import type { Span, StepName, UpdatePlan, UpdateRecord } from '../model/update.js';

let nextId = 1;

export interface SpanSpec {
  name: StepName;
  ms: number;
  outcome?: Span['outcome'];
  bytes?: number;
  detail?: string;
  children?: SpanSpec[];
}

/** Spans laid end to end from `at`. */
export function spans(at: number, specs: SpanSpec[]): Span[] {
  let t = at;
  return specs.map((s) => {
    const span: Span = { name: s.name, startedAt: t, durationMs: s.ms, outcome: s.outcome ?? 'ok' };
    if (s.bytes !== undefined) span.bytes = s.bytes;
    if (s.detail !== undefined) span.detail = s.detail;
    if (s.children) span.children = spans(t, s.children);
    t += s.ms;
    return span;
  });
}

export function plan(extra: Partial<UpdatePlan> = {}): UpdatePlan {
  return { full: false, reason: 'live update', builds: [], syncs: [], runs: [], restart: 'none', ...extra };
}

/** A finished update of `service` starting at `at`, its steps from `specs`. */
export function makeRecord(
  service: string,
  at: number,
  specs: SpanSpec[],
  extra: Partial<UpdateRecord> = {},
): UpdateRecord {
  const list = spans(at, specs);
  const total = specs.reduce((sum, s) => sum + s.ms, 0);
  const record: UpdateRecord = {
    id: nextId++,
    service,
    kind: 'live',
    files: [],
    fileCount: 1,
    spans: list,
    startedAt: at,
    finishedAt: at + total,
    outcome: 'ok',
    editToLiveMs: total,
    ...extra,
  };
  return record;
}

/** A deterministic pseudo-random sequence (mulberry32): realistic jitter, same every run. */
export function jitter(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
