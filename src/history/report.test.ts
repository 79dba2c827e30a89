import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { UpdateRecord } from '../model/update.js';
import { buildReport, trend } from './report.js';
import { formatReport as formatColoured } from './report-format.js';
import { jitter, makeRecord } from './testing.js';
import { describeWindow, parseWindow } from './window.js';

const T0 = 1_700_000_000_000;

/** Colour depends on the terminal (and on `CI` being set); the text must not. */
const formatReport = (...args: Parameters<typeof formatColoured>) =>
  stripVTControlCharacters(formatColoured(...args));

/** The textbook median, written independently of the report's. */
function textbookMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Host compile + restart updates of `api`, with realistic jitter; every tenth build is cached. */
function goUpdates(count: number, seed = 1): UpdateRecord[] {
  const rand = jitter(seed);
  return Array.from({ length: count }, (_, i) =>
    makeRecord('api', T0 + i * 30_000, [
      { name: 'detect', ms: Math.round((10 + rand() * 4) * 100) / 100, detail: '1 file(s)' },
      { name: 'plan', ms: Math.round(rand() * 50) / 100 },
      {
        name: 'build',
        ms: i % 10 === 9 ? 2 : Math.round((260 + rand() * 60) * 100) / 100,
        outcome: i % 10 === 9 ? 'cached' : 'ok',
        detail: 'compile',
      },
      { name: 'restart', ms: Math.round((8 + rand() * 3) * 100) / 100, detail: 'pid 1 → pid 2' },
      { name: 'ready', ms: Math.round((18 + rand() * 8) * 100) / 100 },
    ]),
  );
}

describe('buildReport', () => {
  it('gives per-step medians that are exactly those of the recorded spans', () => {
    const records = goUpdates(25);
    const report = buildReport({
      project: 'shop',
      window: { kind: 'last', count: 50 },
      services: [{ service: 'api', records }],
    });
    const api = report.services[0]!;
    expect(api.updates).toBe(25);
    expect(api.steps.map((s) => s.step)).toEqual(['detect', 'plan', 'build', 'restart', 'ready']);
    for (const step of api.steps) {
      const raw = records.flatMap((r) =>
        r.spans.filter((s) => s.name === step.step && s.outcome === 'ok').map((s) => s.durationMs),
      );
      expect(step.medianMs).toBe(textbookMedian(raw));
      expect(step.count).toBe(raw.length);
    }
    const build = api.steps.find((s) => s.step === 'build')!;
    expect(build).toMatchObject({ count: 23, cached: 2 });
    expect(api.editToLive!.medianMs).toBe(textbookMedian(records.map((r) => r.editToLiveMs!)));
    expect(api.editToLive!.p95Ms).toBeGreaterThan(api.editToLive!.medianMs);
    expect(api.editToLive!.p95Ms).toBeLessThanOrEqual(api.editToLive!.maxMs);
  });

  it('names the slowest steps overall, image sub-steps included', () => {
    const web = [0, 1, 2].map((i) =>
      makeRecord('web', T0 + i * 1000, [
        {
          name: 'image',
          ms: 2300,
          detail: 'pitstop/shop-web:1',
          children: [
            { name: 'image', ms: 30, outcome: 'cached', detail: '[1/4] FROM node:20' },
            { name: 'image', ms: 1900 + i * 10, detail: '[3/4] RUN npm ci' },
          ],
        },
        { name: 'start', ms: 400 },
      ]),
    );
    const report = buildReport({
      project: 'shop',
      window: { kind: 'last', count: 50 },
      services: [
        { service: 'api', records: goUpdates(10) },
        { service: 'web', records: web },
      ],
    });
    expect(report.slowest.slice(0, 3)).toEqual([
      { service: 'web', step: 'image', count: 3, medianMs: 2300 },
      { service: 'web', step: 'image', detail: 'RUN npm ci', count: 3, medianMs: 1910 },
      { service: 'web', step: 'start', count: 3, medianMs: 400 },
    ]);
    expect(report.slowest[3]).toMatchObject({ service: 'api', step: 'build' });
  });

  it('compares two windows per step', () => {
    const before = [300, 310, 320].map((ms, i) => makeRecord('api', T0 + i, [{ name: 'build', ms }]));
    const after = [200, 210, 220].map((ms, i) =>
      makeRecord('api', T0 + 86_400_000 + i, [{ name: 'build', ms }]),
    );
    const report = buildReport({
      project: 'shop',
      window: { kind: 'since', from: T0 + 86_400_000, to: T0 + 2 * 86_400_000 },
      services: [{ service: 'api', records: after }],
      previous: [{ service: 'api', records: before }],
    });
    expect(report.compare).toEqual({
      windowMs: 86_400_000,
      services: [
        {
          service: 'api',
          editToLive: {
            beforeCount: 3,
            afterCount: 3,
            beforeMs: 310,
            afterMs: 210,
            deltaMs: -100,
            deltaPct: -32.3,
          },
          steps: [
            {
              step: 'build',
              beforeCount: 3,
              afterCount: 3,
              beforeMs: 310,
              afterMs: 210,
              deltaMs: -100,
              deltaPct: -32.3,
            },
          ],
        },
      ],
    });
    const text = formatReport(report);
    expect(text).toMatch(/compare · previous 1d → last 1d/);
    expect(text).toMatch(/build\s+310ms →\s+210ms\s+−100ms \(−32.3%\)/);
  });

  it('prints a compact table', () => {
    const report = buildReport({
      project: 'shop',
      window: { kind: 'last', count: 50 },
      services: [{ service: 'api', records: goUpdates(12) }],
    });
    const text = formatReport(report);
    expect(text).toMatch(/^shop · last 50 updates per service/);
    expect(text).toMatch(/api · 12 updates \(12 ok\) · edit-to-live \d+ms median, \d+ms p95/);
    expect(text).toMatch(/\n {2}build\s+11\s+\d+ms\s+\d+ms\s+1 cached/);
    expect(formatReport({ ...report, services: [], slowest: [] })).toMatch(/no updates recorded/);
  });
});

describe('trend', () => {
  const rand = jitter(7);
  it('says when edit-to-live is getting slower, and by how much per update', () => {
    const series = Array.from({ length: 40 }, (_, i) => 300 + i * 4 + rand() * 10);
    const t = trend(series);
    expect(t.verdict).toBe('slower');
    expect(t.slopeMsPerUpdate).toBeCloseTo(4, 0);
    expect(t.text).toMatch(/^getting slower by 4(\.\d)? ms per update$/);
  });

  it('calls noise stable and a falling series faster', () => {
    expect(trend(Array.from({ length: 40 }, () => 300 + rand() * 20)).verdict).toBe('stable');
    // One slow outlier at the end moves the slope, not the medians.
    expect(trend([...Array.from({ length: 20 }, () => 300), 3000]).verdict).toBe('stable');
    expect(trend(Array.from({ length: 20 }, (_, i) => 500 - i * 10)).text).toBe(
      'getting faster by 10 ms per update',
    );
  });

  it('gives no verdict on a handful of updates', () => {
    expect(trend([1, 2, 3])).toMatchObject({ verdict: 'unknown', samples: 3 });
  });
});

describe('parseWindow', () => {
  it('reads windows with units up to weeks and refuses bare numbers', () => {
    expect(parseWindow('1h', '--since')).toBe(3_600_000);
    expect(parseWindow('1d', '--compare')).toBe(86_400_000);
    expect(parseWindow('1.5d', '--compare')).toBe(129_600_000);
    expect(() => parseWindow('10', '--since')).toThrow(/invalid --since "10"/);
    expect(() => parseWindow('0h', '--since')).toThrow();
    expect(describeWindow(86_400_000)).toBe('1d');
    expect(describeWindow(5_400_000)).toBe('90m');
  });
});
