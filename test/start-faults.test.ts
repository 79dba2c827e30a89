// Faults while starting, through `pitstop ci`: a missing command, a busy port, a readiness
// check that never passes, a dependent of a failed service. Each fails with exit 1 and a message
// that says what went wrong, and leaves nothing running. Plus the success path: the timing table,
// and a second run of an unchanged Go project whose build is cached.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { PitstopEvent } from '../src/events.js';
import {
  freePort,
  goAvailable,
  goMod,
  goService,
  makeProject,
  nodeService,
  parseEvents,
  processesIn,
  removeProjects,
  runCliAsync,
} from './support/project.js';

const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});
afterAll(() => removeProjects());

type Of<T extends PitstopEvent['type']> = Extract<PitstopEvent, { type: T }>;
const ofType = <T extends PitstopEvent['type']>(events: PitstopEvent[], type: T) =>
  events.filter((e): e is Of<T> => e.type === type);

async function ci(dir: string, json = false) {
  const result = await runCliAsync(json ? ['ci', '--json'] : ['ci'], dir, 60_000);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('internal error');
  // `ci` stops everything it started before it exits.
  expect(processesIn(dir)).toEqual([]);
  expect(fs.existsSync(path.join(dir, '.pitstop', 'session.json'))).toBe(false);
  return { ...result, all: result.stdout + result.stderr, events: json ? parseEvents(result.stdout) : [] };
}

describe('pitstop ci: a service that cannot start', () => {
  it('argv form, command missing: "command not found: <program>"', async () => {
    const dir = makeProject({ 'pitstop.yaml': 'services:\n  api:\n    run: [does-not-exist-xyz]\n' });
    const result = await ci(dir, true);
    expect(result.code, result.all).toBe(1);
    const errors = ofType(result.events, 'error');
    expect(errors.map((e) => e.message)).toContain('command not found: does-not-exist-xyz');
    const record = ofType(result.events, 'update-finished')[0]?.record;
    expect(record).toMatchObject({ service: 'api', outcome: 'failed', error: { step: 'start' } });
    expect(record?.error?.message).toBe('command not found: does-not-exist-xyz');
  });

  it('shell form, command missing, service with a port: the message says "command not found"', async () => {
    const port = await freePort();
    const dir = makeProject({
      'pitstop.yaml': `services:\n  api:\n    run: does-not-exist-xyz --port ${port}\n    ports: [${port}]\n`,
    });
    const result = await ci(dir);
    expect(result.code, result.all).toBe(1);
    expect(result.all).toContain('command not found: does-not-exist-xyz');
    expect(result.stdout).toMatch(/^ci: failed after /m);
  });

  it('shell form with shell syntax, command missing: the exit 127 reads "command not found"', async () => {
    const port = await freePort();
    const dir = makeProject({
      'pitstop.yaml': `services:\n  api:\n    run: MODE=dev does-not-exist-xyz\n    ports: [${port}]\n`,
    });
    const result = await ci(dir);
    expect(result.code, result.all).toBe(1);
    expect(result.all).toContain('exited with code 127: command not found');
    expect(result.stdout).toMatch(/^ci: failed after /m);
  });

  it('shell form, command missing, nothing to wait for: still a failure, not "ready"', async () => {
    const dir = makeProject({ 'pitstop.yaml': 'services:\n  api:\n    run: does-not-exist-xyz\n' });
    const result = await ci(dir);
    expect(result.all).toContain('command not found');
    expect(result.stdout).not.toContain('ci: all services ready');
    expect(result.code, result.all).toBe(1);
  });

  it('a port already in use: names the port, and the service never runs', async () => {
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const dir = makeProject({
      'pitstop.yaml': `services:\n  api:\n    run: touch started-marker; exec node server.mjs\n    env: { PORT: "${port}" }\n    ports: [${port}]\n`,
      'server.mjs': nodeService('1'),
    });
    const result = await ci(dir);
    expect(result.code, result.all).toBe(1);
    expect(result.all).toMatch(new RegExp(`port ${port} is already in use`));
    expect(fs.existsSync(path.join(dir, 'started-marker'))).toBe(false);
  });

  it('a readiness check that never passes: "did not become ready within 1s"', async () => {
    const port = await freePort();
    const dir = makeProject({
      'pitstop.yaml': `services:\n  api:\n    run: exec node -e "setInterval(() => {}, 1000)"\n    ready: { http: "http://127.0.0.1:${port}/", timeout: 1s }\n`,
    });
    const result = await ci(dir, true);
    expect(result.code, result.all).toBe(1);
    const record = ofType(result.events, 'update-finished')[0]?.record;
    expect(record).toMatchObject({ service: 'api', outcome: 'failed', error: { step: 'ready' } });
    expect(record?.error?.message).toMatch(
      new RegExp(`^api did not become ready within 1s: GET http://127.0.0.1:${port}/ → connection refused`),
    );
    expect(ofType(result.events, 'error').map((e) => e.message)).toContain(record?.error?.message);
  });

  it('a dependent of a failed service never starts: it waits, and its process never runs', async () => {
    const dir = makeProject({
      'pitstop.yaml': [
        'services:',
        '  api:',
        '    run: [does-not-exist-xyz]',
        '  web:',
        '    run: touch web-started; exec sleep 30',
        '    depends_on: [api]',
        '',
      ].join('\n'),
    });
    const result = await ci(dir, true);
    expect(result.code, result.all).toBe(1);
    expect(fs.existsSync(path.join(dir, 'web-started'))).toBe(false);
    const web = ofType(result.events, 'service-state').filter((e) => e.service === 'web');
    expect(web.map((e) => e.state)).not.toContain('starting');
    expect(web.map((e) => e.state)).not.toContain('ready');
    expect(web.find((e) => e.state === 'waiting')?.detail).toBe('waiting for api');
    expect(ofType(result.events, 'update-started').map((e) => e.service)).toEqual(['api']);
    const lastBeforeStop = web.filter((e) => e.state !== 'stopping' && e.state !== 'stopped').at(-1);
    expect(lastBeforeStop).toMatchObject({ state: 'waiting', detail: 'waiting for api (api failed)' });
  });
});

describe('pitstop ci: success', () => {
  it('prints a timing table and exits 0', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const dir = makeProject({
      'pitstop.yaml': [
        'services:',
        '  db:',
        '    dir: db',
        '    run: node server.mjs',
        `    env: { PORT: "${p1}" }`,
        `    ports: [${p1}]`,
        '  web:',
        '    dir: web',
        '    run: node server.mjs',
        `    env: { PORT: "${p2}" }`,
        `    ready: { http: "http://127.0.0.1:${p2}/healthz" }`,
        '    depends_on: [db]',
        '',
      ].join('\n'),
      'db/server.mjs': nodeService('db-1'),
      'web/server.mjs': nodeService('web-1'),
    });
    const result = await ci(dir);
    expect(result.code, result.all).toBe(0);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((l) => /^service\s+build\s+start\s+ready\s+total\s+result$/.test(l));
    expect(header, result.stdout).toBeGreaterThanOrEqual(0);
    const row = /^(\S+)\s+-\s+\d+(\.\d+)?m?s\s+\d+(\.\d+)?m?s\s+\d+(\.\d+)?m?s\s+ready$/;
    expect(lines[header + 1]).toMatch(row);
    expect(lines[header + 2]).toMatch(row);
    expect([lines[header + 1], lines[header + 2]].map((l) => l?.split(/\s+/)[0])).toEqual(['db', 'web']);
    expect(result.stdout).toMatch(/^ci: all services ready \(\d+(\.\d+)?m?s\)$/m);
  });
});

describe.runIf(goAvailable())('pitstop ci: Go build cache', () => {
  it('a second ci of an unchanged project reports the build as cached', async () => {
    const port = await freePort();
    const dir = makeProject({
      'pitstop.yaml': [
        'services:',
        '  api:',
        '    build:',
        '      - name: compile',
        '        cmd: go build -o bin/api .',
        '        outputs: [bin]',
        '    run: ./bin/api',
        `    env: { PORT: "${port}" }`,
        `    ports: [${port}]`,
        '',
      ].join('\n'),
      'main.go': goService('1.0.0'),
      'go.mod': goMod,
    });
    const builds = (events: PitstopEvent[]) =>
      ofType(events, 'step')
        .filter((e) => e.span.name === 'build')
        .map((e) => ({ outcome: e.span.outcome, detail: e.span.detail }));

    const first = await ci(dir, true);
    expect(first.code, first.all).toBe(0);
    expect(builds(first.events)).toEqual([{ outcome: 'ok', detail: 'compile' }]);

    const second = await ci(dir, true);
    expect(second.code, second.all).toBe(0);
    expect(builds(second.events)).toEqual([{ outcome: 'cached', detail: 'compile: inputs unchanged' }]);
    expect(ofType(second.events, 'all-ready')).toHaveLength(1);
  });
});
