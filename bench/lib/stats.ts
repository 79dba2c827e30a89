// Summary statistics over a sample of durations. p95 interpolates between ranks so a sample of
// 10 gives a value between its 9th and 10th, not simply the max.

export interface Summary {
  runs: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function summarize(values: readonly number[]): Summary {
  return {
    runs: values.length,
    min: values.length ? Math.min(...values) : Number.NaN,
    median: median(values),
    p95: quantile(values, 0.95),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** a ÷ b of two medians; undefined when either is missing, so no ratio is ever invented. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | undefined {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return a / b;
}

/** Rounds for reporting: 0.1 ms is below anything this harness can resolve. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
