// Report windows are written like durations but reach further back than config durations do:
// `--since 90m`, `--compare 1d`, `--since 2w`. A bare number is refused, as everywhere else.
import { PitstopError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds for a window like `1h` or `7d`; a usage error (exit code 2) otherwise. */
export function parseWindow(input: string, option: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d|w)$/.exec(input.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
  if (!(ms > 0)) {
    throw new PitstopError(`invalid ${option} "${input}"`, {
      hint: 'write a number and a unit: s, m, h, d or w (e.g. "1h", "7d")',
      exitCode: 2,
    });
  }
  return Math.round(ms);
}

/** A short human name for a window length: `1d`, `90m`, `36h`. */
export function describeWindow(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
