// Durations are written with a unit ("250ms", "30s", "2m", "1h") so a bare number can never be
// misread as seconds when milliseconds were meant, or the other way round.
import { PitstopError } from '../errors.js';

export const DURATION_PATTERN = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(ms|s|m|h)$/;
export const DURATION_HINT = 'write a unit, e.g. "30s" or "500ms"';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export type DurationCheck = { ok: true; ms: number } | { ok: false; message: string; hint: string };

/** Validate a duration as written by the user, explaining what is wrong with it. */
export function checkDuration(input: unknown): DurationCheck {
  if (typeof input === 'number') {
    return {
      ok: false,
      message: `a duration needs a unit, got the bare number ${input}`,
      hint: DURATION_HINT,
    };
  }
  if (typeof input !== 'string') {
    return { ok: false, message: 'expected a duration like "30s"', hint: DURATION_HINT };
  }
  const match = DURATION_PATTERN.exec(input);
  if (!match) {
    const hint = /^[0-9]+(\.[0-9]+)?$/.test(input.trim())
      ? DURATION_HINT
      : 'use a number followed by ms, s, m or h, e.g. "1.5s"';
    return { ok: false, message: `invalid duration "${input}"`, hint };
  }
  return { ok: true, ms: Math.round(Number(match[1]) * UNIT_MS[match[2]!]!) };
}

/** Milliseconds for a duration like "1.5s"; a PitstopError (usage, exit code 2) otherwise. */
export function parseDuration(input: string | number): number {
  const result = checkDuration(input);
  if (!result.ok) throw new PitstopError(result.message, { hint: result.hint, exitCode: 2 });
  return result.ms;
}
