// The life of a `pitstop up` session around its services: stopped mid-build by SIGTERM or by
// `pitstop down` from another terminal, dependents restarted after their dependency, each kind
// of readiness probe, and the human output of an edit.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ProcessRegistry } from '../src/proc/registry.js';
import {
  cliPath,
  eventually,
  freePort,
  get,
  makeProject,
  nodeService,
  processesIn,
  removeProjects,
  runCliAsync,
} from './support/project.js';
import { is, sleep, stopClean, stopSessions, up } from './support/session.js';

const children: ChildProcess[] = [];

afterEach(async () => {
  await stopSessions();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
afterAll(() => removeProjects());

const isAlive = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};

/** A Node service in `<name>/` on a free port, as pitstop.yaml lines. */
async function nodeSvc(name: string, extra: string[] = []): Promise<{ yaml: string[]; port: number }> {
  const port = await freePort();
  const yaml = [
    `  ${name}:`,
    `    dir: ${name}`,
    '    run: node server.mjs',
    `    env: { PORT: "${port}" }`,
    `    ports: [${port}]`,
    ...extra.map((l) => `    ${l}`),
  ];
  return { yaml, port };
}

describe('stopping a session', () => {
  it('SIGTERM while a build runs: pitstop exits promptly and leaves no process', async () => {
    const dir = makeProject({
      'pitstop.yaml': 'services:\n  slow:\n    build: sh slow-build.sh\n    run: node server.mjs\n',
      'slow-build.sh': 'echo building\nsleep 30\n',
      'server.mjs': nodeService('1'),
    });
    const s = up(dir);
    await s.waitFor(
      is('log', (e) => e.service === 'slow' && e.line === 'building'),
      30_000,
    );
    const build = await eventually(
      async () => (await ProcessRegistry.read(path.join(dir, '.pitstop'))).find((e) => e.role === 'build'),
      10_000,
      'the build to be recorded in processes.json',
    );
    expect(isAlive(build.pid)).toBe(true);
    const group = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p) && isAlive(Number(p)))
      .filter((p) => {
        try {
          return (
            fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ')[2] === String(build.pid)
          );
        } catch {
          return false;
        }
      })
      .map(Number);
    expect(group.length).toBeGreaterThanOrEqual(2); // sh and its sleep

    s.child.kill('SIGTERM');
    await eventually(
      () => s.child.exitCode !== null || s.child.signalCode !== null,
      5_000,
      'pitstop to exit',
    );
    expect(s.child.exitCode).toBe(0);
    for (const pid of group) expect(isAlive(pid), `pid ${pid} of the build`).toBe(false);
    expect(processesIn(dir)).toEqual([]);
    expect(fs.existsSync(path.join(dir, '.pitstop', 'session.json'))).toBe(false);
    expect(s.events.filter(is('service-state', (e) => e.state === 'ready'))).toEqual([]);
  });

  it('`pitstop down` from another terminal stops `up` (exit 0) and both services', async () => {
    const a = await nodeSvc('a');
    const b = await nodeSvc('b', ['depends_on: [a]']);
    const dir = makeProject({
      'pitstop.yaml': ['services:', ...a.yaml, ...b.yaml, ''].join('\n'),
      'a/server.mjs': nodeService('a1'),
      'b/server.mjs': nodeService('b1'),
    });
    const s = up(dir);
    await s.waitReady(30_000);
    expect(await get(`http://127.0.0.1:${b.port}/`)).toBe('b1');
    expect(processesIn(dir).length).toBeGreaterThanOrEqual(3);

    const down = await runCliAsync(['down'], dir, 40_000);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/^stopped the session \(pid \d+\) and its 2 services$/m);
    await eventually(() => s.child.exitCode !== null, 10_000, 'pitstop up to exit');
    expect(s.child.exitCode).toBe(0);
    // Dependents stop first.
    const stopped = s.events.filter(is('service-state', (e) => e.state === 'stopped')).map((e) => e.service);
    expect(stopped).toEqual(['b', 'a']);
    expect(processesIn(dir)).toEqual([]);
    expect(fs.existsSync(path.join(dir, '.pitstop', 'session.json'))).toBe(false);
  });
});

describe('dependencies and readiness', () => {
  it('depends_on restart: true restarts the dependent after its dependency is ready again', async () => {
    const db = await nodeSvc('db');
    const app = await nodeSvc('app', ['depends_on: { db: { restart: true } }']);
    const other = await nodeSvc('other', ['depends_on: [db]']);
    const dir = makeProject({
      'pitstop.yaml': ['services:', ...db.yaml, ...app.yaml, ...other.yaml, ''].join('\n'),
      'db/server.mjs': nodeService('db1'),
      'app/server.mjs': nodeService('app1'),
      'other/server.mjs': nodeService('other1'),
    });
    const s = up(dir);
    await s.waitReady(30_000);
    await s.waitFor(
      is('update-finished', (e) => e.record.service === 'other' && e.record.kind === 'start'),
      10_000,
    );

    const since = s.events.length;
    fs.writeFileSync(path.join(dir, 'db', 'server.mjs'), nodeService('db2'));
    const restarted = await s.waitFor(
      is('update-finished', (e) => e.record.service === 'app' && e.record.kind === 'dependency'),
      30_000,
      since,
    );
    expect(restarted.record.outcome).toBe('ok');
    expect(restarted.record.spans.map((sp) => sp.name)).toEqual(['plan', 'restart', 'ready']);
    expect(await get(`http://127.0.0.1:${db.port}/`)).toBe('db2');
    const after = s.events.slice(since);
    const dbReady = after.findIndex(
      (e) => e.type === 'service-state' && e.service === 'db' && e.state === 'ready',
    );
    const appStarted = after.findIndex((e) => e.type === 'update-started' && e.service === 'app');
    expect(dbReady).toBeGreaterThanOrEqual(0);
    expect(appStarted).toBeGreaterThan(dbReady);
    // Dependents are told in one go when db is ready: had `other` been restarted, it would show.
    expect(after.filter(is('update-started')).map((e) => `${e.service}:${e.kind}`)).toEqual([
      'db:live',
      'app:dependency',
    ]);
    await stopClean(s);
  });

  it('log, tcp and cmd readiness each wait for their condition', async () => {
    const port = await freePort();
    // Each service meets its condition only once the test opens the gate (a file nobody watches).
    const gated = (body: string) =>
      `console.log('waiting for the gate');\nconst t = setInterval(() => {\n  if (!fs.existsSync('../gate')) return;\n  clearInterval(t);\n  ${body}\n}, 20);\nsetInterval(() => {}, 1000);\n`;
    const dir = makeProject({
      'pitstop.yaml': [
        'parallel: 3 # all three wait for the gate at once',
        'services:',
        '  bylog:',
        '    dir: bylog',
        '    run: node main.mjs',
        '    ready: { log: "^listening$" }',
        '  bytcp:',
        '    dir: bytcp',
        '    run: node main.mjs',
        `    env: { PORT: "${port}" }`,
        `    ready: { tcp: ${port} }`,
        '  bycmd:',
        '    dir: bycmd',
        '    run: node main.mjs',
        '    ready: { cmd: "test -f bycmd.done" }',
        '',
      ].join('\n'),
      'bylog/main.mjs': `import fs from 'node:fs';\n${gated("console.log('listening');")}`,
      'bytcp/main.mjs': `import fs from 'node:fs';\nimport net from 'node:net';\n${gated("net.createServer().listen(Number(process.env.PORT), '127.0.0.1');")}`,
      'bycmd/main.mjs': `import fs from 'node:fs';\n${gated("fs.writeFileSync('../bycmd.done', '');")}`,
    });
    const services = ['bylog', 'bytcp', 'bycmd'];
    const s = up(dir);
    for (const service of services) {
      await s.waitFor(
        is('log', (e) => e.service === service && e.line === 'waiting for the gate'),
        30_000,
      );
    }
    // A probe that passed without its condition would show within this time (they poll every 5 ms).
    await sleep(300);
    expect(s.events.filter(is('service-state', (e) => e.state === 'ready'))).toEqual([]);
    expect(s.events.filter(is('service-state')).filter((e) => e.state === 'starting')).toHaveLength(3);

    fs.writeFileSync(path.join(dir, 'gate'), '');
    await s.waitReady(30_000);
    const ready = s.events.filter(is('service-state', (e) => e.state === 'ready')).map((e) => e.service);
    expect(ready.sort()).toEqual([...services].sort());
    expect(s.events.filter(is('error'))).toEqual([]);
    await stopClean(s);
  });
});

describe('human output', () => {
  it('an edit prints "live in" with the step names', async () => {
    const port = await freePort();
    const dir = makeProject({
      'pitstop.yaml': [
        'services:',
        '  web:',
        '    run: node src/server.mjs',
        `    env: { PORT: "${port}" }`,
        `    ports: [${port}]`,
        '    live_update:',
        '      - sync: { from: src, to: /app/src }',
        '      - restart: process',
        '',
      ].join('\n'),
      'src/server.mjs': nodeService('1'),
    });
    const child = spawn(process.execPath, [cliPath, 'up'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await eventually(() => /^web\s+✓ started in /m.test(stdout), 30_000, 'web to start');

    fs.writeFileSync(path.join(dir, 'src', 'server.mjs'), nodeService('2'));
    const line = await eventually(
      () => stdout.split('\n').find((l) => l.includes('live in')),
      30_000,
      'a live line',
    );
    expect(line).toMatch(/^web\s+✓ src\/server\.mjs → live in \d+(\.\d+)?m?s {2}/);
    const steps = line
      .split(/live in \S+\s+/)[1]
      ?.split(' · ')
      .map((part) => part.split(' ')[0]);
    expect(steps).toEqual(['detect', 'plan', 'sync', 'restart', 'ready']);
    expect(stdout).not.toContain('{"type"');
    expect(await get(`http://127.0.0.1:${port}/`)).toBe('2');

    child.kill('SIGTERM');
    await eventually(() => child.exitCode !== null, 15_000, 'pitstop up to exit');
    expect(child.exitCode).toBe(0);
    expect(processesIn(dir)).toEqual([]);
  });
});
