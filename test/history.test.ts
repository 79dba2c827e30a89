// History end to end: real updates of a real service, kept in `.pitstop/history.db`, read back
// by `pitstop report --json` in another process. Until `pitstop up` records history itself
// (the composition root wires the store to the event stream), the test writes the session's
// records with the same store, the way that wiring does; once up records them, it only checks.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { PitstopSession } from '../bench/lib/pitstop.js';
import { pitstopBin } from '../bench/lib/tmp.js';
import type { Report } from '../src/history/report.js';
import { openHistory } from '../src/history/sqlite-store.js';
import type { UpdateRecord } from '../src/model/update.js';
import {
  eventually,
  freePort,
  get,
  makeProject,
  nodeService,
  removeProjects,
  writeFile,
} from './support/project.js';
import { is, ready, stopClean, stopSessions, up } from './support/session.js';

afterEach(() => stopSessions());
afterAll(() => removeProjects());

type ReportJson = Report & { history: string; warnings: string[] };

function pitstop(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [pitstopBin, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function reportJson(dir: string, args: string[] = []): ReportJson {
  const r = pitstop(['report', '--json', ...args], dir);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ReportJson;
}

async function webProject(): Promise<{ dir: string; port: number }> {
  const port = await freePort();
  const dir = makeProject({
    'pitstop.yaml': [
      'name: historic',
      'services:',
      '  web:',
      '    run: node server.mjs',
      `    env: { PORT: "${port}" }`,
      `    ports: [${port}]`,
      '',
    ].join('\n'),
    'server.mjs': nodeService('v0'),
  });
  return { dir, port };
}

/** Saves server.mjs with a new version and waits for the update and for the version to answer. */
async function edit(s: PitstopSession, dir: string, port: number, version: string): Promise<void> {
  const since = s.events.length;
  writeFile(dir, 'server.mjs', nodeService(version));
  await s.waitFor(
    is('update-finished', (e) => e.record.service === 'web' && e.record.outcome === 'ok'),
    20_000,
    since,
  );
  await eventually(async () => (await get(`http://127.0.0.1:${port}/`)) === version, 10_000, version);
}

/**
 * Makes sure `records` are in the project's history: checks them when `pitstop up` wrote them,
 * writes them with the store (as the wiring in src/main.ts does) when it did not.
 */
function ensureRecorded(dir: string, records: UpdateRecord[]): 'by pitstop up' | 'by the test' {
  const store = openHistory({
    stateDir: path.join(dir, '.pitstop'),
    project: 'historic',
    onProblem: () => {},
  });
  try {
    const kept = new Set(store.updates().map((r) => r.startedAt));
    if (records.every((r) => kept.has(r.startedAt))) return 'by pitstop up';
    for (const record of records) store.record(record);
    return 'by the test';
  } finally {
    store.close();
  }
}

function textbookMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** The report's numbers for `web` must be exactly those of the raw spans of `records`. */
function expectMediansOf(report: ReportJson, records: UpdateRecord[]): void {
  const web = report.services.find((s) => s.service === 'web')!;
  expect(web.updates).toBe(records.length);
  const names = new Set(records.flatMap((r) => r.spans.map((s) => s.name)));
  expect(new Set(web.steps.map((s) => s.step))).toEqual(names);
  for (const step of web.steps) {
    const raw = records.flatMap((r) =>
      r.spans
        .filter((s) => s.name === step.step && (s.outcome === 'ok' || s.outcome === 'failed'))
        .map((s) => s.durationMs),
    );
    expect(step.count, step.step).toBe(raw.length);
    if (raw.length) expect(step.medianMs, step.step).toBe(textbookMedian(raw));
  }
  const live = records.filter((r) => r.outcome === 'ok' && r.editToLiveMs !== undefined);
  expect(web.editToLive!.count).toBe(live.length);
  expect(web.editToLive!.medianMs).toBe(textbookMedian(live.map((r) => r.editToLiveMs!)));
}

describe('pitstop report over real updates', () => {
  it('gives per-step medians equal to the recorded spans, and history survives a restart', async () => {
    const { dir, port } = await webProject();
    const first = up(dir);
    await ready(first, 30_000);
    for (const version of ['v1', 'v2', 'v3', 'v4']) await edit(first, dir, port, version);
    await stopClean(first);
    const session1 = [...first.records];
    expect(session1.filter((r) => r.kind === 'live').length).toBeGreaterThanOrEqual(4);
    ensureRecorded(dir, session1);

    const report = reportJson(dir);
    expect(report.project).toBe('historic');
    expect(report.history).toBe(path.join(dir, '.pitstop', 'history.db'));
    expect(report.warnings).toEqual([]);
    expectMediansOf(report, session1);

    // A second session: the first one's updates are still there, the new ones join them.
    const second = up(dir);
    await ready(second, 30_000);
    await edit(second, dir, port, 'v5');
    await stopClean(second);
    const session2 = [...second.records];
    ensureRecorded(dir, session2);
    expectMediansOf(reportJson(dir, ['--last', '100']), [...session1, ...session2]);
    // --last counts per service, newest first.
    const last2 = reportJson(dir, ['--last', '2']);
    expect(last2.services[0]!.updates).toBe(2);

    const human = pitstop(['report'], dir);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^historic · last 50 updates per service$/m);
    expect(human.stdout).toMatch(/^web · \d+ updates .* edit-to-live \S+ median, \S+ p95/m);
    expect(human.stdout).toMatch(/^ {2}ready\s+\d+\s+\S+ms/m);

    const since = reportJson(dir, ['--since', '1h']);
    expect(since.services[0]!.updates).toBe(session1.length + session2.length);
    const compare = reportJson(dir, ['--compare', '1d']);
    expect(compare.compare!.services[0]!.editToLive.afterCount).toBe(
      [...session1, ...session2].filter((r) => r.editToLiveMs !== undefined && r.outcome === 'ok').length,
    );

    const advice = pitstop(['advise', '--json'], dir);
    expect(advice.code, advice.stderr).toBe(0);
    // A one-file Node service restarted on change: nothing to advise.
    expect(JSON.parse(advice.stdout)).toMatchObject({ project: 'historic', suggestions: [] });
  });

  it('refuses an unknown service and conflicting windows with exit code 2', async () => {
    const { dir } = await webProject();
    expect(pitstop(['report', 'nope'], dir)).toMatchObject({ code: 2 });
    expect(pitstop(['report', '--last', '5', '--since', '1h'], dir)).toMatchObject({ code: 2 });
    expect(pitstop(['report', '--since', '10'], dir).stderr).toMatch(/invalid --since window "10"/);
  });
});

describe('a damaged history', () => {
  it('is moved aside by `pitstop report`, which still answers', async () => {
    const { dir } = await webProject();
    const state = path.join(dir, '.pitstop');
    fs.mkdirSync(state, { recursive: true });
    fs.writeFileSync(path.join(state, 'history.db'), 'not a database, just garbage\n'.repeat(500));
    const r = pitstop(['report', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ReportJson;
    expect(report.services).toEqual([]);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/unusable .*moved it to .*history\.db\.corrupt-/);
    expect(r.stderr).toMatch(/^warning: history: /m);
    expect(fs.readdirSync(state).filter((f) => /^history\.db\.corrupt-[\dTZ-]+$/.test(f))).toHaveLength(1);
    // The fresh database is fine: no warning the second time.
    expect(reportJson(dir).warnings).toEqual([]);
  });

  it('never stops `pitstop up`', async () => {
    const { dir, port } = await webProject();
    const state = path.join(dir, '.pitstop');
    fs.mkdirSync(state, { recursive: true });
    fs.writeFileSync(path.join(state, 'history.db'), Buffer.alloc(64 * 1024, 0xa5));
    const s = up(dir);
    await ready(s, 30_000);
    await edit(s, dir, port, 'v1');
    await stopClean(s);
    const how = ensureRecorded(dir, s.records);
    if (how === 'by pitstop up') {
      // up found the garbage, said so once, and kept its history in a fresh file.
      const warnings = s.events.filter(is('warning', (e) => /history\.db\.corrupt-/.test(e.message)));
      expect(warnings).toHaveLength(1);
    }
    expectMediansOf(reportJson(dir), s.records);
  });
});
