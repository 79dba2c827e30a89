// Attach against the real daemon, over every transport the client speaks: the unix socket, tcp
// (a relay to the socket), ssh (a fake `ssh` relaying to the socket, as `docker system
// dial-stdio` would) and an older daemon's 200 answer (a relay that drops the Upgrade headers,
// so the daemon keeps the connection without switching protocols). Plus a stand-in daemon that
// sends output in the same packet as its 101.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerApiError, isNotFound } from './api-error.js';
import type { AttachStream } from './attach.js';
import { DockerClient } from './client.js';
import type { ContainerSpec } from './container-spec.js';
import type { OutputLine } from './demux.js';
import { DEFAULT_SOCKET, parseDockerHost } from './docker-host.js';
import { dockerAvailable, ensureBusyboxImage, removeTestResources, testLabels } from './testing.js';

const MB8 = 8 * 1024 * 1024;
/** Echoes lines until `end`, then hashes exactly MB8 more bytes of stdin and exits. */
const SESSION = [
  'echo first',
  'echo first-err >&2',
  'while read l; do [ "$l" = end ] && break; echo "got $l"; done',
  `busybox head -c ${MB8} | busybox sha256sum`,
].join('; ');
const ECHO = 'echo ready; while read l; do echo "got $l"; done';

const FAKE_SSH = `#!${process.execPath}
const net = require('node:net');
const socket = net.connect(process.env.FAKE_SSH_TARGET);
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on('error', (err) => { process.stderr.write(String(err) + '\\n'); process.exit(1); });
socket.on('close', () => process.exit(0));
`;

async function next(lines: AsyncIterator<OutputLine>): Promise<OutputLine> {
  const result = await lines.next();
  if (result.done) throw new Error('the attach stream ended early');
  return result.value;
}

async function rest(lines: AsyncIterator<OutputLine>): Promise<OutputLine[]> {
  const out: OutputLine[] = [];
  for (let r = await lines.next(); !r.done; r = await lines.next()) out.push(r.value);
  return out;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Every socket the client's agent holds, busy or idle. */
function pooled(client: DockerClient): Duplex[] {
  const agent = (client as unknown as { transport: { agent: http.Agent } }).transport.agent;
  return [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)].flat() as Duplex[];
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

/** A tcp relay to the daemon socket; `rewrite` may change the first request head of each connection. */
function relay(
  target: string,
  rewrite?: (head: string) => string,
  onAnswer?: (request: string, status: string) => void,
): Server {
  const server = createServer((down: Socket) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      down.off('data', onData);
      down.pause();
      const head = buffered.subarray(0, end).toString('latin1');
      const up = connect(target);
      up.write(`${rewrite ? rewrite(head) : head}\r\n\r\n`);
      up.write(buffered.subarray(end + 4));
      const request = head.split('\r\n')[0]!;
      up.once('data', (first: Buffer) => onAnswer?.(request, first.toString('latin1').split('\r\n')[0]!));
      up.pipe(down);
      down.pipe(up);
      up.on('error', () => down.destroy());
      down.on('error', () => up.destroy());
    };
    down.on('data', onData);
  });
  return server;
}

describe.runIf(dockerAvailable())('attach', () => {
  const client = DockerClient.fromEnv();
  const { labels, run } = testLabels();
  const target = client.endpoint.kind === 'unix' ? client.endpoint.socketPath : DEFAULT_SOCKET;
  let image: string;
  let dir: string;
  const servers: Server[] = [];
  const clients: Record<'tcp' | 'ssh' | 'legacy', DockerClient> = {} as never;
  const legacyAnswers: string[] = [];

  const create = async (script: string, spec: Partial<ContainerSpec> = {}) =>
    (await client.containers.create({ image, labels, openStdin: true, cmd: ['sh', '-c', script], ...spec }))
      .Id;

  beforeAll(async () => {
    image = await ensureBusyboxImage(client);
    dir = mkdtempSync(join(tmpdir(), 'pitstop-attach-'));
    writeFileSync(join(dir, 'ssh'), FAKE_SSH);
    chmodSync(join(dir, 'ssh'), 0o755);

    const plain = relay(target);
    const legacy = relay(
      target,
      (head) => {
        const lines = head.split('\r\n');
        if (!/^POST \S*\/attach\?/.test(lines[0]!)) return head;
        return lines.filter((line) => !/^(connection|upgrade):/i.test(line)).join('\r\n');
      },
      (request, status) => legacyAnswers.push(`${request.split('?')[0]} -> ${status}`),
    );
    servers.push(plain, legacy);
    const tcpPort = await listen(plain);
    const legacyPort = await listen(legacy);
    clients.tcp = DockerClient.fromEnv({ ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${tcpPort}` });
    // Only attaches go through this one (pinned version, tty given): each on a connection of its own.
    clients.legacy = DockerClient.fromEnv({
      ...process.env,
      DOCKER_HOST: `tcp://127.0.0.1:${legacyPort}`,
      DOCKER_API_VERSION: '1.41',
    });
    clients.ssh = DockerClient.fromEnv({
      ...process.env,
      PATH: `${dir}:${process.env.PATH}`,
      DOCKER_HOST: 'ssh://dev@box',
      FAKE_SSH_TARGET: target,
    });
  });

  afterAll(async () => {
    await removeTestResources(client, run);
    for (const c of [client, ...Object.values(clients)]) c.close();
    for (const server of servers) server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees all output of a created container from its first byte, each line with its stream', async () => {
    const script = 'i=0; while [ $i -lt 300 ]; do echo out-$i; echo err-$i >&2; i=$((i+1)); done';
    const id = await create(script, { openStdin: false });
    const stream = await client.containers.attach(id, { stdin: false });
    await client.containers.start(id);
    const lines = await rest(stream.lines);
    await stream.closed;
    const texts = (which: string) => lines.filter((l) => l.stream === which).map((l) => l.text);
    expect(texts('stdout')).toEqual(Array.from({ length: 300 }, (_, i) => `out-${i}`));
    expect(texts('stderr')).toEqual(Array.from({ length: 300 }, (_, i) => `err-${i}`));
    expect(await client.containers.wait(id)).toMatchObject({ StatusCode: 0 });
    await expect(stream.write('x')).rejects.toThrow(/attached without stdin/);
  });

  it('close() ends the stream, not the container; a second attach still reaches stdin', async () => {
    const id = await create(ECHO);
    const first = await client.containers.attach(id);
    await client.containers.start(id);
    const lines = first.lines[Symbol.asyncIterator]();
    expect(await next(lines)).toEqual({ stream: 'stdout', text: 'ready' });
    await first.write('one\n');
    expect(await next(lines)).toEqual({ stream: 'stdout', text: 'got one' });

    first.close();
    await first.closed;
    expect(await lines.next()).toEqual({ done: true, value: undefined });
    await expect(first.write('lost\n')).rejects.toThrow(/attach stream to .* is closed/);
    expect((await client.containers.inspect(id)).State.Running).toBe(true);

    // StdinOnce is false: the first attach going away did not close the container's stdin.
    const second = await client.containers.attach(id, { tty: false });
    const more = second.lines[Symbol.asyncIterator]();
    await second.write('two\n');
    expect(await next(more)).toEqual({ stream: 'stdout', text: 'got two' });

    // The container stopping ends the stream.
    await client.containers.kill(id);
    expect(await rest(more)).toEqual([]);
    await second.closed;
    await expect(second.write('late\n')).rejects.toThrow(/closed/);
  });

  it('streams an 8 MB binary write to stdin intact (and measures it)', async () => {
    const id = await create(`busybox head -c ${MB8} | busybox sha256sum`);
    const stream = await client.containers.attach(id);
    await client.containers.start(id);
    const payload = randomBytes(MB8);
    const started = process.hrtime.bigint();
    await stream.write(payload);
    const flushed = Number(process.hrtime.bigint() - started) / 1e6;
    const [line, ...others] = await rest(stream.lines);
    const hashed = Number(process.hrtime.bigint() - started) / 1e6;
    expect(line).toEqual({ stream: 'stdout', text: `${sha256(payload)}  -` });
    expect(others).toEqual([]);
    await stream.closed;
    console.log(
      `8 MB stdin write: flushed in ${flushed.toFixed(1)} ms (${(8000 / flushed).toFixed(0)} MB/s), ` +
        `hash back after ${hashed.toFixed(1)} ms (${(8000 / hashed).toFixed(0)} MB/s end to end)`,
    );
  });

  it('waits for a slow reader instead of buffering (backpressure)', async () => {
    const id = await create(`sleep 1; busybox head -c ${MB8} | busybox sha256sum`);
    const stream = await client.containers.attach(id, { tty: false });
    await client.containers.start(id);
    const payload = randomBytes(MB8);
    const started = Date.now();
    const chunk = 64 * 1024;
    for (let at = 0; at < payload.length; at += chunk) await stream.write(payload.subarray(at, at + chunk));
    // The pipes between here and the container hold far less than 8 MB: the writes had to wait
    // for the container to start reading.
    expect(Date.now() - started).toBeGreaterThan(800);
    expect(await rest(stream.lines)).toEqual([{ stream: 'stdout', text: `${sha256(payload)}  -` }]);
  });

  it('echoes a stdin line back quickly (median of 100 round trips)', async () => {
    const id = await create(ECHO);
    const stream = await client.containers.attach(id);
    await client.containers.start(id);
    const lines = stream.lines[Symbol.asyncIterator]();
    expect((await next(lines)).text).toBe('ready');
    const timings: number[] = [];
    for (let i = 0; i < 110; i++) {
      const start = process.hrtime.bigint();
      await stream.write(`ping-${i}\n`);
      expect((await next(lines)).text).toBe(`got ping-${i}`);
      if (i >= 10) timings.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    timings.sort((a, b) => a - b);
    console.log(
      `stdin line → echoed line (unix socket): median ${timings[50]!.toFixed(3)} ms, ` +
        `p95 ${timings[95]!.toFixed(3)} ms, min ${timings[0]!.toFixed(3)} ms`,
    );
    expect(timings[50]).toBeLessThan(50);
    stream.close();
  });

  it('never puts the hijacked connection back in the pool', async () => {
    const id = await create(ECHO);
    await client.system.ping(); // An idle pooled connection the attach could be handed.
    const raw = await client.hijack('POST', `/containers/${id}/attach`, {
      query: { stream: true, stdin: true, stdout: true, stderr: true },
    });
    expect(raw.upgraded).toBe(true);
    expect(pooled(client)).not.toContain(raw.socket);
    raw.socket.destroy();

    // Through the public API too: while attached, after close(), and after the container stopped.
    const before = pooled(client);
    const stream = await client.containers.attach(id);
    await client.containers.start(id);
    for (let i = 0; i < 20; i++) await client.system.ping();
    stream.close();
    await stream.closed;
    for (let i = 0; i < 20; i++) await client.system.ping();
    const again = await client.containers.attach(id, { tty: false });
    await client.containers.kill(id);
    await rest(again.lines);
    await again.closed;
    for (let i = 0; i < 20; i++) await client.system.ping();
    const after = pooled(client);
    expect(after.every((s) => !s.destroyed)).toBe(true);
    expect(after.length).toBeLessThanOrEqual(Math.max(1, before.length));
  });

  it('outlives the pool idle timeout', async () => {
    const quick = DockerClient.fromEnv(process.env, { idleTimeoutMs: 50 });
    try {
      const id = await create(ECHO);
      const stream = await quick.containers.attach(id);
      await client.containers.start(id);
      const lines = stream.lines[Symbol.asyncIterator]();
      expect((await next(lines)).text).toBe('ready');
      await sleep(300);
      await stream.write('still here\n');
      expect(await next(lines)).toEqual({ stream: 'stdout', text: 'got still here' });
      stream.close();
    } finally {
      quick.close();
    }
  });

  it('reads a TTY container raw', async () => {
    const id = await create('echo tty-ready; read l; echo "tty got $l"', { tty: true });
    const stream = await client.containers.attach(id);
    await client.containers.start(id);
    const lines = stream.lines[Symbol.asyncIterator]();
    expect(await next(lines)).toEqual({ stream: 'stdout', text: 'tty-ready' });
    await stream.write('hello\n');
    // The terminal echoes the input, then the program answers; all of it is stdout.
    const out = await rest(lines);
    expect(out.map((l) => l.text)).toContain('tty got hello');
    expect(out.every((l) => l.stream === 'stdout')).toBe(true);
  });

  it('fails like any other call, and stops on an abort signal', async () => {
    await expect(client.containers.attach('pitstop-no-such-container')).rejects.toSatisfy(isNotFound);
    // Straight to the attach request (tty given, no inspect): the daemon's 404 is still an error.
    const err = await client.containers
      .attach('pitstop-no-such-container', { tty: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerApiError);
    expect((err as DockerApiError).message).toContain('POST /containers/pitstop-no-such-container/attach');

    const plain = await create('echo hi; sleep 100', { openStdin: false });
    const refused = await client.containers.attach(plain);
    await expect(refused.write('x\n')).rejects.toThrow(/created without openStdin/);
    refused.close();

    const aborted = new AbortController();
    aborted.abort();
    await expect(client.containers.attach(plain, { tty: false, signal: aborted.signal })).rejects.toThrow(
      /abort/i,
    );
    const controller = new AbortController();
    const id = await create(ECHO);
    const stream = await client.containers.attach(id, { signal: controller.signal });
    await client.containers.start(id);
    const lines = stream.lines[Symbol.asyncIterator]();
    expect((await next(lines)).text).toBe('ready');
    controller.abort();
    await stream.closed;
    expect(await lines.next()).toEqual({ done: true, value: undefined });
    expect((await client.containers.inspect(id)).State.Running).toBe(true);
  });

  it.each(['tcp', 'ssh', 'legacy'] as const)(
    'works over %s: early output, echo, close and re-attach, 8 MB, end',
    async (kind) => {
      const remote = clients[kind];
      const id = await create(SESSION);
      const first = await remote.containers.attach(id, { tty: false });
      await client.containers.start(id);
      const lines = first.lines[Symbol.asyncIterator]();
      const opening = [await next(lines), await next(lines)];
      expect(opening).toContainEqual({ stream: 'stdout', text: 'first' });
      expect(opening).toContainEqual({ stream: 'stderr', text: 'first-err' });
      await first.write('a\n');
      expect(await next(lines)).toEqual({ stream: 'stdout', text: 'got a' });
      first.close();
      await first.closed;
      expect((await client.containers.inspect(id)).State.Running).toBe(true);

      const second = await remote.containers.attach(id, { tty: false });
      const more = second.lines[Symbol.asyncIterator]();
      const timings: number[] = [];
      for (let i = 0; i < 110; i++) {
        const start = process.hrtime.bigint();
        await second.write(`b${i}\n`);
        expect(await next(more)).toEqual({ stream: 'stdout', text: `got b${i}` });
        if (i >= 10) timings.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      timings.sort((a, b) => a - b);
      await second.write('end\n');
      const payload = randomBytes(MB8);
      const started = process.hrtime.bigint();
      await second.write(payload);
      expect(await rest(more)).toEqual([{ stream: 'stdout', text: `${sha256(payload)}  -` }]);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      await second.closed;
      expect(await client.containers.wait(id)).toMatchObject({ StatusCode: 0 });
      console.log(
        `${kind}: echo round trip median ${timings[50]!.toFixed(3)} ms (p95 ${timings[95]!.toFixed(3)} ms); ` +
          `8 MB to hash back ${ms.toFixed(1)} ms (${(8000 / ms).toFixed(0)} MB/s)`,
      );
      if (kind === 'legacy') {
        const attach = `POST /v1.41/containers/${id}/attach -> HTTP/1.1 200 OK`;
        expect(legacyAnswers).toEqual([attach, attach]);
      } else {
        // The connection pool is unharmed: ordinary calls still work on this client.
        for (let i = 0; i < 5; i++) expect((await remote.system.ping()).osType).toBe('linux');
        expect(pooled(remote).every((s) => !s.destroyed)).toBe(true);
      }
    },
    30_000,
  );

  it.each(['unix', 'ssh', 'legacy'] as const)(
    'closing the client cuts off its attach streams (%s)',
    async (kind) => {
      const env: Record<string, string | undefined> = {
        unix: process.env,
        ssh: { ...process.env, PATH: `${dir}:${process.env.PATH}`, DOCKER_HOST: 'ssh://dev@box' },
        legacy: {
          ...process.env,
          DOCKER_HOST: clients.legacy.endpoint.describe(),
          DOCKER_API_VERSION: '1.41',
        },
      }[kind];
      const own = DockerClient.fromEnv({ ...env, FAKE_SSH_TARGET: target });
      const id = await create(ECHO);
      const stream = await own.containers.attach(id, { tty: false });
      await client.containers.start(id);
      const lines = stream.lines[Symbol.asyncIterator]();
      expect((await next(lines)).text).toBe('ready');
      own.close();
      await expect(lines.next()).rejects.toThrow('the Docker client was closed');
      await stream.closed;
      await expect(stream.write('x\n')).rejects.toThrow(/closed/);
      expect((await client.containers.inspect(id)).State.Running).toBe(true);
    },
    15_000,
  );

  it('over the legacy 200 answer, close() without reading anything is clean', async () => {
    legacyAnswers.length = 0;
    const id = await create(ECHO);
    const stream = await clients.legacy.containers.attach(id, { tty: false });
    await client.containers.start(id);
    await stream.write('unread\n');
    await sleep(50);
    stream.close();
    await stream.closed;
    expect(await stream.lines.next()).toEqual({ done: true, value: undefined });
    expect(legacyAnswers).toEqual([`POST /v1.41/containers/${id}/attach -> HTTP/1.1 200 OK`]);
  });
});

describe('attach against a stand-in daemon', () => {
  function frame(stream: number, text: string | Buffer): Buffer {
    const payload = Buffer.isBuffer(text) ? text : Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  }

  it('sends the upgrade request and keeps output that came in the same packet as the 101', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitstop-attach-fake-'));
    let request = '';
    // Answers the upgrade with output already attached, then echoes stdin back as stdout frames.
    const server = createServer((socket) => {
      let buffered = '';
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        request = buffered.slice(0, end);
        const answer =
          'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n' +
          'Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n';
        socket.write(Buffer.concat([Buffer.from(answer), frame(1, 'early\n'), frame(2, 'early-err\n')]));
        socket.on('data', (data: Buffer) => socket.write(frame(1, data)));
        socket.on('end', () => socket.end());
      };
      socket.on('data', onData);
    });
    const path = join(dir, 'docker.sock');
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const fake = new DockerClient(parseDockerHost(`unix://${path}`, 'test'), { apiVersion: '1.41' });
    let stream: AttachStream | undefined;
    try {
      stream = await fake.containers.attach('abc', { tty: false });
      const lines = stream.lines[Symbol.asyncIterator]();
      expect(await next(lines)).toEqual({ stream: 'stdout', text: 'early' });
      expect(await next(lines)).toEqual({ stream: 'stderr', text: 'early-err' });
      await stream.write('back\n');
      expect(await next(lines)).toEqual({ stream: 'stdout', text: 'back' });
      const head = request.split('\r\n');
      expect(head[0]).toBe('POST /v1.41/containers/abc/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1');
      const lower = head.map((line) => line.toLowerCase());
      expect(lower).toContain('connection: upgrade');
      expect(lower).toContain('upgrade: tcp');
      expect(lower).toContain('content-length: 0');
      expect(lower.some((line) => line.startsWith('transfer-encoding'))).toBe(false);
    } finally {
      stream?.close();
      fake.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
