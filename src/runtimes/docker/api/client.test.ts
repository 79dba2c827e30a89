// The client against the real daemon: version negotiation, error mapping, timeouts, overhead.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { PitstopError } from '../../../errors.js';
import { DockerApiError, isNotFound } from './api-error.js';
import { DockerClient, MAX_API_VERSION } from './client.js';
import { parseDockerHost } from './docker-host.js';
import { dockerAvailable } from './testing.js';
import { minVersion, queryString } from './wire.js';

describe('queryString and minVersion', () => {
  it('repeats arrays, drops empty values, sends booleans as 1/0', () => {
    expect(queryString({ t: ['a:1', 'b:2'], force: true, v: false, x: undefined, y: null, n: 5 })).toBe(
      '?t=a%3A1&t=b%3A2&force=1&v=0&n=5',
    );
    expect(queryString({})).toBe('');
  });

  it('compares API versions numerically', () => {
    expect(minVersion('1.41', '1.9')).toBe('1.9');
    expect(minVersion('1.45', MAX_API_VERSION)).toBe('1.41');
    expect(minVersion('1.40', MAX_API_VERSION)).toBe('1.40');
  });
});

describe.runIf(dockerAvailable())('DockerClient against the daemon', () => {
  const client = DockerClient.fromEnv();
  afterAll(() => client.close());

  it('pings, reads the version and negotiates the API version once', async () => {
    const ping = await client.system.ping();
    expect(ping.apiVersion).toMatch(/^1\.\d+$/);
    expect(ping.osType).toBe('linux');
    const version = await client.system.version();
    expect(version.ApiVersion).toMatch(/^1\.\d+$/);
    expect(await client.apiVersion()).toBe(minVersion(version.ApiVersion, MAX_API_VERSION));
    const info = await client.system.info();
    expect(info.NCPU).toBeGreaterThan(0);
    expect(info.OSType).toBe('linux');
  });

  it('uses a pinned API version without asking (DOCKER_API_VERSION)', async () => {
    const pinned = DockerClient.fromEnv({ ...process.env, DOCKER_API_VERSION: '1.40' });
    try {
      expect(await pinned.apiVersion()).toBe('1.40');
      expect((await pinned.system.version()).Os).toBe('linux');
    } finally {
      pinned.close();
    }
  });

  it('turns an HTTP error into a DockerApiError with the daemon message', async () => {
    const err = await client.containers.inspect('pitstop-no-such-container').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerApiError);
    expect(err).toBeInstanceOf(PitstopError);
    const api = err as DockerApiError;
    expect(api.statusCode).toBe(404);
    expect(api.isNotFound).toBe(true);
    expect(isNotFound(api)).toBe(true);
    expect(api.daemonMessage).toContain('No such container: pitstop-no-such-container');
    expect(api.message).toContain('GET /containers/pitstop-no-such-container/json');
    const bad = await client.request('POST', '/containers/create', { body: {} }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(DockerApiError);
    expect((bad as DockerApiError).statusCode).toBe(400);
    expect((bad as DockerApiError).isNotFound).toBe(false);
  });

  it('times out a request that does not finish, with a PitstopError', async () => {
    // The event stream never ends: a whole-exchange timeout must cut it.
    const started = Date.now();
    const err = await client.request('GET', '/events', { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PitstopError);
    expect((err as Error).message).toContain('did not answer within 150 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops on an abort signal', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await client
      .request('GET', '/events', { signal: controller.signal })
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
  });

  it('reports a failing request body as itself, not as an unreachable daemon', async () => {
    const body = new Readable({
      read() {
        const err = new Error('source file vanished') as NodeJS.ErrnoException;
        err.code = 'ENOENT';
        this.destroy(err);
      },
    });
    const err = await client
      .request('PUT', '/containers/pitstop-no-such-container/archive', { query: { path: '/' }, body })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/source file vanished|No such container/);
    expect((err as Error).message).not.toContain('cannot reach');
  });

  it('adds little to a bare API call (GET /_ping, median of 200)', async () => {
    const timings: number[] = [];
    for (let i = 0; i < 220; i++) {
      const start = process.hrtime.bigint();
      await client.request('GET', '/_ping', { unversioned: true });
      if (i >= 20) timings.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    timings.sort((a, b) => a - b);
    const median = timings[100]!;
    const curl = curlPingMs(client);
    console.log(
      `GET /_ping via DockerClient: median ${median.toFixed(3)} ms, p95 ${timings[190]!.toFixed(3)} ms` +
        (curl
          ? `; curl: ${curl.total.toFixed(3)} ms inside curl, ${curl.wall.toFixed(1)} ms per curl process`
          : ''),
    );
    // A fresh process per call (what spawning the CLI or curl costs) is tens of milliseconds.
    expect(median).toBeLessThan(3);
  });
});

function curlPingMs(client: DockerClient): { total: number; wall: number } | undefined {
  if (client.endpoint.kind !== 'unix') return undefined;
  const totals: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < 30; i++) {
    const start = process.hrtime.bigint();
    const out = spawnSync('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{time_total}',
      '--unix-socket',
      client.endpoint.socketPath,
      'http://x/_ping',
    ]);
    if (out.status !== 0) return undefined;
    walls.push(Number(process.hrtime.bigint() - start) / 1e6);
    totals.push(Number(out.stdout.toString()) * 1000);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { total: median(totals), wall: median(walls) };
}

describe('an unreachable daemon', () => {
  it('names the socket, says how to start the daemon, and exits 1', async () => {
    const client = DockerClient.fromEnv({
      ...process.env,
      DOCKER_HOST: 'unix:///tmp/pitstop-no-daemon-here.sock',
    });
    try {
      const err = await client.system.ping().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PitstopError);
      const pitstop = err as PitstopError;
      expect(pitstop.message).toContain(
        'cannot reach the Docker daemon at unix:///tmp/pitstop-no-daemon-here.sock',
      );
      expect(pitstop.message).toContain('ENOENT');
      expect(pitstop.hint).toContain('sudo systemctl start docker');
      expect(pitstop.hint).toContain('dockerd');
      expect(pitstop.hint).toContain('DOCKER_HOST');
      expect(pitstop.exitCode).toBe(1);
      // Negotiation fails the same way and is retried next time rather than remembered.
      await expect(client.system.version()).rejects.toThrow(/cannot reach/);
      await expect(client.system.version()).rejects.toThrow(/cannot reach/);
    } finally {
      client.close();
    }
  });

  it('reports a refused tcp port the same way', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const client = DockerClient.fromEnv({ ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    try {
      const err = (await client.system.ping().catch((e: unknown) => e)) as PitstopError;
      expect(err.message).toBe(`cannot reach the Docker daemon at tcp://127.0.0.1:${port} (ECONNREFUSED)`);
      expect(err.hint).toContain(`127.0.0.1:${port}`);
      expect(err.hint).toContain('DOCKER_HOST');
    } finally {
      client.close();
    }
  });
});

describe('a pooled connection the daemon has closed', () => {
  it('is retried once on a fresh connection instead of failing the call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-stale-'));
    // A stand-in daemon that drops every connection at its second request, without answering:
    // what a keep-alive connection looks like when the other end closed it just before.
    const served = new WeakMap<object, number>();
    const server = createHttpServer((req, res) => {
      const count = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, count);
      if (count > 1) return req.socket.destroy();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: count, url: req.url }));
    });
    const socket = join(dir, 'docker.sock');
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const client = new DockerClient(parseDockerHost(`unix://${socket}`, 'test'), { apiVersion: '1.41' });
    try {
      for (let i = 0; i < 3; i++) {
        expect(await client.request('GET', '/info')).toEqual({ ok: 1, url: '/v1.41/info' });
      }
      const body = await client.request('POST', '/containers/x/kill', { query: { signal: 'SIGHUP' } });
      expect(body).toEqual({ ok: 1, url: '/v1.41/containers/x/kill?signal=SIGHUP' });
    } finally {
      client.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
