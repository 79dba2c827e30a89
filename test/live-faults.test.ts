// Faults while `pitstop up` keeps services live: a compile error, a crash loop, edits racing
// with compiles, a failing live-update command, a burst of files. In each the last good version
// keeps serving, nothing is dropped, and the session recovers with the next save.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  eventually,
  freePort,
  get,
  goAvailable,
  goMod,
  goService,
  makeProject,
  nodeService,
  removeProjects,
} from './support/project.js';
import { finished, is, ready, sleep, stopClean, stopSessions, up } from './support/session.js';

afterEach(stopSessions);
afterAll(() => removeProjects());

async function goProject(version: string) {
  const port = await freePort();
  const dir = makeProject({
    'pitstop.yaml': [
      'services:',
      '  api:',
      '    build:',
      '      - name: compile',
      '        cmd: go build -o bin/api .',
      '        inputs: ["**/*.go", go.mod]',
      '        outputs: [bin]',
      '    run: ./bin/api',
      `    env: { PORT: "${port}" }`,
      `    ports: [${port}]`,
      `    ready: { http: "http://127.0.0.1:${port}/" }`,
      '    live_update:',
      '      - restart: process',
      '',
    ].join('\n'),
    'main.go': goService(version),
    'go.mod': goMod,
  });
  return { dir, url: `http://127.0.0.1:${port}/`, main: path.join(dir, 'main.go') };
}

describe.runIf(goAvailable())('live faults (Go)', () => {
  it('a compile error keeps the old version serving; the fix goes live', async () => {
    const { dir, url, main } = await goProject('1.0.0');
    const s = up(dir);
    await ready(s, 120_000);
    expect(await get(url)).toBe('1.0.0');

    let since = s.events.length;
    fs.writeFileSync(main, goService('1.0.1').replace('func main() {', 'func main() {\n\tthis is not go'));
    const broken = (await s.waitFor(finished('api'), 60_000, since)).record;
    expect(broken).toMatchObject({ kind: 'live', outcome: 'failed', error: { step: 'build' } });
    expect(broken.error?.message).toMatch(
      /^build step "compile" of api failed: "go build -o bin\/api \." exited/,
    );
    expect(broken.error?.logTail?.join('\n')).toMatch(/main\.go:\d+:\d+: syntax error/);
    // The state as that update ended (a later batch may already be under way on a loaded machine).
    const endedAt = s.events.findIndex((e) => e.type === 'update-finished' && e.record.id === broken.id);
    expect(
      s.events
        .slice(since, endedAt)
        .filter(is('service-state', (e) => e.service === 'api'))
        .at(-1),
    ).toMatchObject({
      state: 'ready',
      detail: 'update failed: the last good version keeps serving',
    });
    expect(await get(url)).toBe('1.0.0');

    since = s.events.length;
    fs.writeFileSync(main, goService('1.0.2'));
    const fixed = (await s.waitFor(finished('api'), 60_000, since)).record;
    expect(fixed).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(fixed.spans.map((sp) => sp.name)).toEqual(['detect', 'plan', 'build', 'restart', 'ready']);
    expect(await get(url)).toBe('1.0.2');
    await stopClean(s);
  });

  it('rapid edits during compiles: the last version wins and no change is dropped', async () => {
    const { dir, url, main } = await goProject('2.0.0');
    const s = up(dir);
    await ready(s, 120_000);
    const since = s.events.length;
    for (let i = 1; i <= 8; i++) {
      fs.writeFileSync(main, goService(`2.0.${i}`));
      await sleep(30);
    }
    const started = () => s.events.slice(since).filter(is('update-started')).length;
    const done = () => s.events.slice(since).filter(finished('api')).length;
    await eventually(
      async () => started() > 0 && started() === done() && (await get(url)) === '2.0.8',
      90_000,
      'api to serve 2.0.8 with no update in flight',
    );
    // Nothing is left queued: the last update went live, and no later one follows.
    const records = s.events.slice(since).filter(finished('api'));
    expect(records.at(-1)?.record.outcome).toBe('ok');
    expect(records.length).toBeLessThanOrEqual(8);
    await sleep(300);
    expect(started()).toBe(records.length);
    expect(await get(url)).toBe('2.0.8');
    await stopClean(s);
  });
});

describe('live faults (Node)', () => {
  it('a crash loop backs off, then gives up after five crashes', async () => {
    const dir = makeProject({
      'pitstop.yaml': 'services:\n  flaky:\n    run: node crash.mjs\n',
      'crash.mjs': "console.log('about to fail');\nsetTimeout(() => process.exit(1), 50);\n",
    });
    const s = up(dir);
    await ready(s, 30_000);
    const failed = await s.waitFor(
      is('service-state', (e) => e.service === 'flaky' && e.state === 'failed'),
      30_000,
    );
    expect(failed.detail).toMatch(/^crashed 5 times within a minute; /);
    const crashed = s.events.filter(
      is('service-state', (e) => e.service === 'flaky' && e.state === 'crashed'),
    );
    expect(crashed.map((e) => e.detail)).toEqual(
      [1, 2, 3, 4].map((n) =>
        expect.stringMatching(new RegExp(`^exited with code 1; restarting in \\S+ \\(crash ${n} of 5\\)$`)),
      ),
    );
    const errors = s.events.filter(is('error', (e) => e.service === 'flaky'));
    expect(errors.length).toBeGreaterThanOrEqual(5);
    for (const error of errors) {
      expect(error.message).toBe('flaky exited with code 1');
      expect(error.logTail).toContain('about to fail');
    }
    await stopClean(s);
  });

  it('a live-update run: a trigger file runs it; a failing run keeps the service ready', async () => {
    const port = await freePort();
    const dir = makeProject({
      'pitstop.yaml': [
        'services:',
        '  web:',
        '    run: node server.mjs',
        `    env: { PORT: "${port}" }`,
        `    ports: [${port}]`,
        '    ignore: [ran.txt]',
        '    live_update:',
        '      - run: { cmd: "echo ran > ran.txt", trigger: [package.json] }',
        '      - run: { cmd: "echo about to fail; exit 3", trigger: [broken.txt] }',
        '',
      ].join('\n'),
      'server.mjs': nodeService('1'),
      'package.json': '{ "name": "web" }\n',
    });
    const s = up(dir);
    await ready(s, 30_000);

    let since = s.events.length;
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "web", "version": "1.0.1" }\n');
    const ran = (await s.waitFor(finished('web'), 30_000, since)).record;
    expect(ran).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(ran.spans.map((sp) => sp.name)).toEqual(['detect', 'plan', 'run']);
    expect(fs.readFileSync(path.join(dir, 'ran.txt'), 'utf8')).toBe('ran\n');

    since = s.events.length;
    fs.writeFileSync(path.join(dir, 'broken.txt'), 'x\n');
    const failed = (await s.waitFor(finished('web'), 30_000, since)).record;
    expect(failed).toMatchObject({
      outcome: 'failed',
      error: {
        step: 'run',
        message: '"echo about to fail; exit 3" exited with code 3',
        logTail: ['about to fail'],
      },
    });
    expect(
      s.events
        .slice(since)
        .filter(is('service-state', (e) => e.service === 'web'))
        .at(-1),
    ).toMatchObject({
      state: 'ready',
      detail: 'update failed: the last good version keeps serving',
    });
    expect(await get(`http://127.0.0.1:${port}/`)).toBe('1');
    await stopClean(s);
  });

  it('a burst of 500 files (and one created and deleted) is one batch and one update', async () => {
    const port = await freePort();
    const dir = makeProject({
      'pitstop.yaml': [
        'services:',
        '  web:',
        '    run: node server.mjs',
        `    env: { PORT: "${port}" }`,
        `    ports: [${port}]`,
        '    live_update:',
        '      - sync: { from: data, to: /app/data }',
        '      - restart: process',
        '',
      ].join('\n'),
      'server.mjs': nodeService('1'),
      'data/.keep': '',
    });
    const s = up(dir);
    await ready(s, 30_000);
    const since = s.events.length;
    for (let i = 0; i < 500; i++) {
      fs.writeFileSync(path.join(dir, 'data', `f${i}.txt`), `file ${i}\n`);
      if (i === 250) {
        fs.writeFileSync(path.join(dir, 'data', 'transient.txt'), 'here and gone\n');
        fs.unlinkSync(path.join(dir, 'data', 'transient.txt'));
      }
    }
    const record = (await s.waitFor(finished('web'), 30_000, since)).record;
    // A straggler the watcher still held would be cut within a burst's quiet time (≤ 200 ms).
    await sleep(1_000);
    const batches = s.events.slice(since).filter(is('batch'));
    expect(batches, JSON.stringify(batches.map((b) => b.fileCount))).toHaveLength(1);
    expect(batches[0]?.fileCount).toBeGreaterThanOrEqual(500);
    expect(batches[0]?.fileCount).toBeLessThanOrEqual(501);
    expect(s.events.slice(since).filter(is('update-started'))).toHaveLength(1);
    expect(record).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(record.fileCount).toBe(batches[0]?.fileCount);
    expect(record.spans.map((sp) => sp.name)).toEqual(['detect', 'plan', 'sync', 'restart', 'ready']);
    expect(await get(`http://127.0.0.1:${port}/`)).toBe('1');
    await stopClean(s);
  });
});
