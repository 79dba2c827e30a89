// Records ↔ table rows. Spans are stored flat in depth-first order: each row carries its
// ordinal within the update and its parent's ordinal, which is enough to rebuild the tree.
import type { Span, StepName, StepOutcome, UpdatePlan, UpdateRecord } from '../model/update.js';

export interface UpdateRow {
  id: number;
  service: string;
  kind: string;
  outcome: string | null;
  started_at: number;
  finished_at: number | null;
  edit_to_live_ms: number | null;
  file_count: number;
  files: string;
  plan_full: number | null;
  plan_reason: string | null;
  plan_json: string | null;
  error_step: string | null;
  error_message: string | null;
}

export interface SpanRow {
  update_id: number;
  ordinal: number;
  parent: number | null;
  name: string;
  started_at: number;
  duration_ms: number;
  outcome: string;
  bytes: number | null;
  detail: string | null;
}

/** The values of an `updates` insert, in the column order of the store's INSERT. */
export function updateValues(project: string, r: UpdateRecord): unknown[] {
  return [
    project,
    r.service,
    r.kind,
    r.outcome ?? null,
    r.startedAt,
    r.finishedAt ?? null,
    r.editToLiveMs ?? null,
    r.fileCount,
    JSON.stringify(r.files),
    r.plan ? Number(r.plan.full) : null,
    r.plan?.reason ?? null,
    r.plan ? JSON.stringify(r.plan) : null,
    r.error?.step ?? null,
    // The log tail stays out: it is output, large, and only useful while it is fresh.
    r.error?.message ?? null,
  ];
}

/** Span rows without their update id, depth-first, parents before children. */
export function flattenSpans(spans: readonly Span[]): Omit<SpanRow, 'update_id'>[] {
  const rows: Omit<SpanRow, 'update_id'>[] = [];
  const walk = (list: readonly Span[], parent: number | null) => {
    for (const span of list) {
      const ordinal = rows.length;
      rows.push({
        ordinal,
        parent,
        name: span.name,
        started_at: span.startedAt,
        duration_ms: span.durationMs,
        outcome: span.outcome,
        bytes: span.bytes ?? null,
        detail: span.detail ?? null,
      });
      if (span.children?.length) walk(span.children, ordinal);
    }
  };
  walk(spans, null);
  return rows;
}

/** The span tree of one update from its rows (any order). */
export function buildSpans(rows: readonly SpanRow[]): Span[] {
  const sorted = [...rows].sort((a, b) => a.ordinal - b.ordinal);
  const byOrdinal = new Map<number, Span>();
  const top: Span[] = [];
  for (const row of sorted) {
    const span: Span = {
      name: row.name as StepName,
      startedAt: row.started_at,
      durationMs: row.duration_ms,
      outcome: row.outcome as StepOutcome,
    };
    if (row.bytes !== null) span.bytes = row.bytes;
    if (row.detail !== null) span.detail = row.detail;
    byOrdinal.set(row.ordinal, span);
    const parent = row.parent === null ? undefined : byOrdinal.get(row.parent);
    if (parent) {
      parent.children ??= [];
      parent.children.push(span);
    } else top.push(span);
  }
  return top;
}

export function toRecord(row: UpdateRow, spans: Span[]): UpdateRecord {
  const record: UpdateRecord = {
    id: row.id,
    service: row.service,
    kind: row.kind as UpdateRecord['kind'],
    files: parseJson<string[]>(row.files) ?? [],
    fileCount: row.file_count,
    spans,
    startedAt: row.started_at,
  };
  const plan = planOf(row);
  if (plan) record.plan = plan;
  if (row.finished_at !== null) record.finishedAt = row.finished_at;
  if (row.outcome !== null) record.outcome = row.outcome as UpdateRecord['outcome'];
  if (row.edit_to_live_ms !== null) record.editToLiveMs = row.edit_to_live_ms;
  if (row.error_step !== null) {
    record.error = { step: row.error_step as StepName, message: row.error_message ?? '' };
  }
  return record;
}

/** The stored plan; rows written before schema 2 kept only `full` and `reason`. */
function planOf(row: UpdateRow): UpdatePlan | undefined {
  const stored = row.plan_json === null ? undefined : parseJson<UpdatePlan>(row.plan_json);
  if (stored) return stored;
  if (row.plan_full === null) return undefined;
  return {
    full: row.plan_full === 1,
    reason: row.plan_reason ?? '',
    builds: [],
    syncs: [],
    runs: [],
    restart: 'none',
  };
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
