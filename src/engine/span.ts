import { epochNow } from '../events.js';
import type { Span, StepName, StepOutcome } from '../model/update.js';
import type { StepResult } from '../runtimes/runtime.js';

/** Thrown by `timed` so the caller gets the failed span along with the cause. */
export class StepFailure extends Error {
  constructor(
    readonly span: Span,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'StepFailure';
  }
}

/**
 * Runs one step and returns its span. Durations come from the monotonic clock; startedAt is
 * epoch time so spans from different processes line up.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: steps such as Instance.stop() resolve to void
export async function timed<T extends StepResult | void>(
  name: StepName,
  work: () => Promise<T>,
  onSpan: (span: Span) => void,
  detail?: string,
): Promise<{ span: Span; result: T }> {
  const startedAt = epochNow();
  const t0 = performance.now();
  try {
    const result = await work();
    const span = makeSpan(name, startedAt, performance.now() - t0, 'ok', result || undefined, detail);
    onSpan(span);
    return { span, result };
  } catch (err) {
    const span = makeSpan(name, startedAt, performance.now() - t0, 'failed', undefined, detail);
    onSpan(span);
    throw new StepFailure(span, err);
  }
}

export function makeSpan(
  name: StepName,
  startedAt: number,
  durationMs: number,
  outcome: StepOutcome,
  result?: StepResult,
  detail?: string,
): Span {
  const span: Span = { name, startedAt, durationMs: round(durationMs), outcome };
  if (result?.bytes !== undefined) span.bytes = result.bytes;
  if (result?.bytesSaved) span.bytesSaved = result.bytesSaved;
  if (result?.children?.length) span.children = result.children;
  const text = [detail, result?.detail].filter(Boolean).join(': ');
  if (text) span.detail = text;
  return span;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
