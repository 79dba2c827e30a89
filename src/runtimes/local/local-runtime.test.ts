import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PitstopError } from '../../errors.js';
import type { RunSpec, Service } from '../../model/project.js';
import { makeService } from '../../model/testing.js';
import { waitUntil } from '../../proc/leftovers.js';
import { ProcessRegistry } from '../../proc/registry.js';
import { groupMembers, isDead, isGroupGone, isSameProcess } from '../../proc/start-time.js';
import type { ExitInfo, Instance, InstanceIO } from '../runtime.js';
import { LocalRuntime } from './local-runtime.js';

const SERVER = `
const http = require('node:http');
const port = Number(process.env.PORT);
http.createServer((req, res) => res.end('hello from ' + process.pid))
  .listen(port, '127.0.0.1', () => console.log('listening on ' + port));
if (process.env.SPAWN_CHILD) {
  const child = require('node:child_process').spawn('sleep', ['300'], { stdio: 'ignore' });
  console.log('child ' + child.pid);
}
if (process.env.EXIT_CODE) setTimeout(() => { console.error('bye'); process.exit(Number(process.env.EXIT_CODE)); }, 50);
`;

let dir: string;
let runtime: LocalRuntime;
let registry: ProcessRegistry;
const servers: Server[] = [];
const pgids: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitstop-local-'));
  writeFileSync(join(dir, 'server.cjs'), SERVER);
  registry = new ProcessRegistry(join(dir, '.pitstop'));
  runtime = new LocalRuntime({ stateDir: join(dir, '.pitstop'), registry });
});

afterEach(async () => {
  await runtime.stopAll();
  for (const pgid of pgids.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function service(port: number, run: Partial<RunSpec> = {}, name = 'api'): Service {
  return makeService(name, dir, {
    run: {
      cmd: { argv: [process.execPath, 'server.cjs'] },
      cwd: dir,
      env: { PORT: String(port) },
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 2_000,
      ...run,
    },
    ports: [port],
    ready: { check: { kind: 'none' }, timeoutMs: 10_000 },
  });
}

class Recorder implements InstanceIO {
  lines: string[] = [];
  exits: ExitInfo[] = [];
  log(_stream: 'stdout' | 'stderr', line: string): void {
    this.lines.push(line);
  }
  exited(info: ExitInfo): void {
    this.exits.push(info);
  }
  waitFor(pattern: RegExp, from = 0): Promise<boolean> {
    return waitUntil(() => this.lines.slice(from).some((l) => pattern.test(l)), 10_000);
  }
}

function pidOf(instance: Instance): number {
  const pid = Number(instance.id.replace('pid ', ''));
  pgids.push(pid);
  return pid;
}

async function get(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return res.text();
}

async function startServer(port: number, run: Partial<RunSpec> = {}) {
  const io = new Recorder();
  const instance = await runtime.start(service(port, run), io);
  const pid = pidOf(instance);
  expect(await io.waitFor(/^listening on/)).toBe(true);
  return { io, instance, pid };
}

describe('LocalRuntime', () => {
  it('starts a service that answers, recorded in the registry', async () => {
    const port = await freePort();
    const { instance, pid } = await startServer(port);
    expect(instance.id).toMatch(/^pid \d+$/);
    expect(await get(port)).toBe(`hello from ${pid}`);
    await registry.flush();
    const entries = await ProcessRegistry.read(join(dir, '.pitstop'));
    expect(entries).toMatchObject([{ service: 'api', role: 'service', pid }]);
    expect(await instance.sync([{ from: join(dir, 'a'), to: join(dir, 'a'), kind: 'change' }])).toEqual({
      bytes: 0,
      detail: 'in place: 1 file',
    });
  });

  it('exec runs in the service folder with its env and reports failures with the log tail', async () => {
    const port = await freePort();
    const { io, instance } = await startServer(port);
    await instance.exec({ shell: 'echo "port=$PORT in $(pwd)"' });
    expect(io.lines).toContain(`port=${port} in ${dir}`);
    const err = await instance.exec({ shell: 'echo boom; exit 3' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PitstopError);
    expect((err as PitstopError).message).toBe('"echo boom; exit 3" exited with code 3');
    expect((err as PitstopError).logTail).toEqual(['boom']);
  });

  it('restart gives a new process and leaves nothing of the old one', async () => {
    const port = await freePort();
    const { io, instance, pid } = await startServer(port, { env: { PORT: String(port), SPAWN_CHILD: '1' } });
    expect(await io.waitFor(/^child \d+/)).toBe(true);
    const oldMembers = groupMembers(pid).filter((m) => !isDead(m));
    expect(oldMembers.length).toBe(2);
    const mark = io.lines.length;
    const result = await instance.restart('process');
    const newPid = pidOf(instance);
    expect(newPid).not.toBe(pid);
    expect(result.detail).toBe(`pid ${pid} → pid ${newPid}`);
    for (const m of oldMembers) expect(isSameProcess(m.pid, m.startTime)).toBe(false);
    expect(isGroupGone(pid)).toBe(true);
    expect(await io.waitFor(/^listening on/, mark)).toBe(true);
    expect(await get(port)).toBe(`hello from ${newPid}`);
    expect(io.exits).toEqual([]);
    await registry.flush();
    expect((await ProcessRegistry.read(join(dir, '.pitstop'))).map((e) => e.pid)).toEqual([newPid]);
  });

  it('reports a process that exits by itself exactly once', async () => {
    const port = await freePort();
    const io = new Recorder();
    const instance = await runtime.start(service(port, { env: { PORT: String(port), EXIT_CODE: '3' } }), io);
    pidOf(instance);
    expect(await waitUntil(() => io.exits.length > 0, 10_000)).toBe(true);
    expect(io.exits).toEqual([{ code: 3, signal: null }]);
    expect(io.lines).toContain('bye');
    await instance.stop();
    expect(io.exits).toHaveLength(1);
    await registry.flush();
    expect(await ProcessRegistry.read(join(dir, '.pitstop'))).toEqual([]);
  });

  it('stop and stopAll leave nothing behind and report no crash', async () => {
    const port = await freePort();
    const a = await startServer(port, { env: { PORT: String(port), SPAWN_CHILD: '1' } });
    const b = await startServer(await freePort());
    const c = await startServer(await freePort());
    expect(await a.io.waitFor(/^child \d+/)).toBe(true);
    const members = [a, b, c].flatMap(({ pid }) => groupMembers(pid).filter((m) => !isDead(m)));
    await a.instance.stop();
    expect(isGroupGone(a.pid)).toBe(true);
    await runtime.stopAll();
    for (const m of members) expect(isSameProcess(m.pid, m.startTime)).toBe(false);
    for (const s of [a, b, c]) expect(s.io.exits).toEqual([]);
    expect(await ProcessRegistry.read(join(dir, '.pitstop'))).toEqual([]);
  });

  it('refuses to start on a port in use, pointing at the ports key', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const located = new LocalRuntime({
      stateDir: join(dir, '.pitstop'),
      registry,
      locate: (path) =>
        path.join('.') === 'services.api.ports'
          ? { file: join(dir, 'pitstop.yaml'), line: 7, col: 5 }
          : undefined,
    });
    const err = await located.start(service(port), new Recorder()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PitstopError);
    expect((err as PitstopError).message).toMatch(new RegExp(`^port ${port} is already in use`));
    expect((err as PitstopError).where).toBe(`${join(dir, 'pitstop.yaml')}:7:5`);
  });

  it('rejects a missing command with a PitstopError', async () => {
    const err = await runtime
      .start(service(await freePort(), { cmd: { argv: ['pitstop-no-such-server'] } }), new Recorder())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PitstopError);
    expect((err as PitstopError).message).toBe('command not found: pitstop-no-such-server');
  });

  it('explains a missing working directory, pointing at the nearest written key', async () => {
    const located = new LocalRuntime({
      stateDir: join(dir, '.pitstop'),
      registry,
      locate: (path) =>
        path.join('.') === 'services.api.run'
          ? { file: join(dir, 'pitstop.yaml'), line: 3, col: 5 }
          : undefined,
    });
    const missing = join(dir, 'gone');
    const err = await located
      .start(service(await freePort(), { cwd: missing }), new Recorder())
      .catch((e) => e);
    expect(err).toBeInstanceOf(PitstopError);
    expect((err as PitstopError).message).toBe(`working directory does not exist: ${missing}`);
    expect((err as PitstopError).where).toBe(`${join(dir, 'pitstop.yaml')}:3:5`);
  });

  it('a restart whose command broke fails clearly, and a later restart recovers', async () => {
    const port = await freePort();
    const script = join(dir, 'run.sh');
    writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" server.cjs\n`, { mode: 0o755 });
    const { io, instance, pid } = await startServer(port, { cmd: { argv: ['./run.sh'] } });
    chmodSync(script, 0o644);
    const err = await instance.restart('process').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PitstopError);
    expect((err as PitstopError).message).toBe('not executable: ./run.sh');
    expect(isGroupGone(pid)).toBe(true);
    expect(io.exits).toEqual([]);
    chmodSync(script, 0o755);
    const mark = io.lines.length;
    await instance.restart('process');
    expect(pidOf(instance)).not.toBe(pid);
    expect(await io.waitFor(/^listening on/, mark)).toBe(true);
  });

  it('a stopAll racing with a start leaves nothing behind', async () => {
    const starting = runtime.start(service(await freePort()), new Recorder());
    const stopping = runtime.stopAll();
    const outcome = await starting.then(
      (instance) => pidOf(instance),
      (e: unknown) => e,
    );
    await stopping;
    expect(outcome).toBeInstanceOf(PitstopError);
    await registry.flush();
    expect(await ProcessRegistry.read(join(dir, '.pitstop'))).toEqual([]);
  });

  it('recover() kills what an earlier session left', async () => {
    const port = await freePort();
    const { pid } = await startServer(port);
    // Simulate a crashed session: the entry's owner is a process that is no longer running.
    await registry.flush();
    const entries = await ProcessRegistry.read(join(dir, '.pitstop'));
    const earlier = new ProcessRegistry(join(dir, '.pitstop'));
    await earlier.remove(pid);
    await earlier.add({ ...entries[0]!, owner: { pid: 999_999_999, startTime: 1 } });
    const later = new LocalRuntime({
      stateDir: join(dir, '.pitstop'),
      registry: new ProcessRegistry(join(dir, '.pitstop')),
    });
    expect(await later.recover()).toEqual([`killed api (pid ${pid}, left by an earlier session)`]);
    expect(await waitUntil(() => isGroupGone(pid), 5_000)).toBe(true);
  });
});
