import { describe, expect, it } from 'vitest';
import { PitstopError } from '../errors.js';
import { checkDuration, DURATION_HINT, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads each unit', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('0ms')).toBe(0);
  });

  it('rejects a bare number with a hint to add a unit', () => {
    expect(() => parseDuration(30)).toThrow(PitstopError);
    expect(() => parseDuration(30)).toThrow('a duration needs a unit, got the bare number 30');
    expect(checkDuration('30')).toEqual({ ok: false, message: 'invalid duration "30"', hint: DURATION_HINT });
    expect(DURATION_HINT).toBe('write a unit, e.g. "30s" or "500ms"');
  });

  it('rejects other text', () => {
    for (const bad of ['5 sec', '-1s', '1d', 's', '', '1.s']) {
      expect(checkDuration(bad).ok, bad).toBe(false);
    }
    try {
      parseDuration('soon');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PitstopError);
      expect((err as PitstopError).exitCode).toBe(2);
      expect((err as PitstopError).hint).toBe('use a number followed by ms, s, m or h, e.g. "1.5s"');
    }
  });
});
