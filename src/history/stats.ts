// Summary statistics the report and the advisor share. Medians are exact (the middle value, or
// the mean of the two middle values) so a report can be checked against the raw spans; p95
// interpolates between ranks so 20 samples give a value between the 19th and 20th.

export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return lo === hi ? a : a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function p95(values: readonly number[]): number | undefined {
  return quantile(values, 0.95);
}

/** Least-squares slope of `values` against their index (units per sample). */
export function slope(values: readonly number[]): number | undefined {
  const n = values.length;
  if (n < 2) return undefined;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let den = 0;
  values.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return num / den;
}

/** Rounds for display and estimates; never applied to the medians the report promises to be exact. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
