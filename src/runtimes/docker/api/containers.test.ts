// One container through its whole life against the real daemon, with the busybox image.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerApiError, isNotFound } from './api-error.js';
import { isDirectory, permissions } from './archive.js';
import { DockerClient } from './client.js';
import type { OutputLine } from './demux.js';
import { packBuffer, packFiles } from './tar.js';
import {
  dockerAvailable,
  ensureBusyboxImage,
  removeTestResources,
  testLabels,
  uniqueName,
} from './testing.js';

// PID 1 is a shell: it answers SIGTERM with exit 42 so kill, wait and stop are observable.
const SCRIPT =
  'trap "echo got-term; exit 42" TERM; echo out-$GREETING; echo err-line >&2; while true; do sleep 0.05; done';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function allLogs(client: DockerClient, id: string): Promise<OutputLine[]> {
  const lines: OutputLine[] = [];
  for await (const line of client.containers.logs(id)) lines.push(line);
  return lines;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.runIf(dockerAvailable())('container lifecycle', () => {
  const client = DockerClient.fromEnv();
  const { labels, run } = testLabels();
  let image: string;
  let id: string;
  let dir: string;

  beforeAll(async () => {
    image = await ensureBusyboxImage(client);
    dir = mkdtempSync(join(tmpdir(), 'pitstop-containers-'));
  });

  afterAll(async () => {
    await removeTestResources(client, run);
    client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a container with labels, env and a published port, and starts it', async () => {
    const name = uniqueName('life');
    const created = await client.containers.create({
      image,
      name,
      labels: { ...labels, 'pitstop.service': 'api' },
      env: { GREETING: 'hi' },
      cmd: ['sh', '-c', SCRIPT],
      workingDir: '/tmp',
      ports: [{ container: 8080, host: 0, hostIp: '127.0.0.1' }, { container: 9090 }],
      restartPolicy: { name: 'no' },
    });
    id = created.Id;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await client.containers.start(id);
    await client.containers.start(id); // Already running: fine.

    const info = await client.containers.inspect(name);
    expect(info.Id).toBe(id);
    expect(info.Name).toBe(`/${name}`);
    expect(info.State.Running).toBe(true);
    expect(info.Config.Labels).toMatchObject({ ...labels, 'pitstop.service': 'api' });
    expect(info.Config.Env).toContain('GREETING=hi');
    expect(info.Config.WorkingDir).toBe('/tmp');
    const published = info.NetworkSettings.Ports?.['8080/tcp']?.[0];
    expect(published?.HostIp).toBe('127.0.0.1');
    expect(Number(published?.HostPort)).toBeGreaterThan(0);
    expect(info.NetworkSettings.Ports?.['9090/tcp']).toBeNull();
  });

  it('reads the logs with stdout and stderr apart', async () => {
    const lines = await until('both log lines', async () => {
      const all = await allLogs(client, id);
      return all.length >= 2 ? all : undefined;
    });
    expect(lines).toContainEqual({ stream: 'stdout', text: 'out-hi' });
    expect(lines).toContainEqual({ stream: 'stderr', text: 'err-line' });

    const stamped = [];
    for await (const line of client.containers.logs(id, { timestamps: true, stderr: false, tty: false })) {
      stamped.push(line);
    }
    expect(stamped).toHaveLength(1);
    expect(stamped[0]).toMatchObject({ stream: 'stdout', text: 'out-hi' });
    expect(stamped[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('runs a command with exec and reports its exit code and output', async () => {
    const result = await client.containers.exec(
      id,
      ['sh', '-c', 'echo one; echo two >&2; echo $MODE; exit 3'],
      {
        env: { MODE: 'exec-env' },
      },
    );
    expect(result.exitCode).toBe(3);
    // Order across the two streams is not kept (two pipes); order within each is.
    const texts = (stream: string) => result.output.filter((l) => l.stream === stream).map((l) => l.text);
    expect(texts('stdout')).toEqual(['one', 'exec-env']);
    expect(texts('stderr')).toEqual(['two']);
    const seen: string[] = [];
    const ok = await client.containers.exec(id, ['sh', '-c', 'pwd'], {
      workingDir: '/bin',
      onLine: (l) => seen.push(l.text),
    });
    expect(ok).toEqual({ exitCode: 0, output: [{ stream: 'stdout', text: '/bin' }] });
    expect(seen).toEqual(['/bin']);
    await expect(client.containers.exec('pitstop-no-such-container', ['true'])).rejects.toSatisfy(isNotFound);
    // A missing program is the daemon's exit code 126 with its message as output, not a throw.
    const missing = await client.containers.exec(id, ['no-such-program']);
    expect(missing.exitCode).toBe(126);
    expect(missing.output[0]?.text).toContain('executable file not found');
  });

  it('puts files in with their mode, reads them back and stats them', async () => {
    const tar = packBuffer([{ path: 'tool.sh', content: '#!/bin/sh\necho tool-ran\n', mode: 0o755 }]);
    await client.containers.putArchive(id, '/tmp', tar);
    const ran = await client.containers.exec(id, ['/tmp/tool.sh']);
    expect(ran).toEqual({ exitCode: 0, output: [{ stream: 'stdout', text: 'tool-ran' }] });
    const listed = await client.containers.exec(id, ['ls', '-l', '/tmp/tool.sh']);
    expect(listed.output[0]?.text).toMatch(/^-rwxr-xr-x\s/);
    const cat = await client.containers.exec(id, ['cat', '/tmp/tool.sh']);
    expect(cat.output.map((l) => l.text)).toEqual(['#!/bin/sh', 'echo tool-ran']);

    // A streamed archive from host files, into a folder the archive itself creates.
    const host = join(dir, 'data.txt');
    writeFileSync(host, 'from the host\n');
    chmodSync(host, 0o640);
    await client.containers.putArchive(
      id,
      '/tmp',
      packFiles([
        { path: 'sub', type: 'directory' },
        { path: 'sub/data.txt', source: host },
      ]),
    );
    const stat = await client.containers.statPath(id, '/tmp/sub/data.txt');
    expect(stat).toMatchObject({ name: 'data.txt', size: 14 });
    expect(permissions(stat)).toBe(0o640);
    expect(isDirectory(stat)).toBe(false);
    expect(isDirectory(await client.containers.statPath(id, '/tmp/sub'))).toBe(true);
    await expect(client.containers.statPath(id, '/tmp/nope')).rejects.toSatisfy(isNotFound);

    const archive = await collect(await client.containers.getArchive(id, '/tmp/tool.sh'));
    const listing = spawnSync('tar', ['-tv'], { input: archive }).stdout.toString();
    expect(listing).toMatch(/^-rwxr-xr-x .* tool\.sh$/m);
    const content = spawnSync('tar', ['-xO', 'tool.sh'], { input: archive }).stdout.toString();
    expect(content).toBe('#!/bin/sh\necho tool-ran\n');
  });

  it('finds the container by label, and only its own', async () => {
    const mine = await client.containers.list({
      labels: { 'pitstop.test.run': run, 'pitstop.service': 'api' },
    });
    expect(mine.map((c) => c.Id)).toEqual([id]);
    expect(mine[0]!.State).toBe('running');
    const presence = await client.containers.list({ labels: { 'pitstop.test.run': run } });
    expect(presence.map((c) => c.Id)).toContain(id);
    expect(await client.containers.list({ labels: { 'pitstop.test.run': 'someone-else' } })).toEqual([]);
  });

  it('restarts and stops it', async () => {
    await client.containers.restart(id, 5);
    expect((await client.containers.inspect(id)).State.Running).toBe(true);
    await client.containers.stop(id, 5);
    const state = (await client.containers.inspect(id)).State;
    expect(state.Running).toBe(false);
    expect(state.ExitCode).toBe(42);
    await client.containers.start(id);
  });

  it('kills it with a signal and waits for the exit', async () => {
    const { exit } = await client.containers.registerWait(id, { condition: 'next-exit' });
    await client.containers.kill(id, 'SIGTERM');
    expect(await exit).toMatchObject({ StatusCode: 42 });
    expect(await client.containers.wait(id)).toMatchObject({ StatusCode: 42 });
    const lines = await allLogs(client, id);
    expect(lines).toContainEqual({ stream: 'stdout', text: 'got-term' });

    const err = await client.containers.kill(id, 'SIGUSR1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerApiError);
    expect((err as DockerApiError).isConflict).toBe(true);
  });

  it('removes it', async () => {
    await client.containers.remove(id, { force: true, v: true });
    await expect(client.containers.inspect(id)).rejects.toSatisfy(isNotFound);
  });

  it('reads the raw output of a TTY container', async () => {
    const { Id } = await client.containers.create({
      image,
      labels,
      tty: true,
      cmd: ['sh', '-c', 'echo tty-out'],
    });
    await client.containers.start(Id);
    expect(await client.containers.wait(Id)).toMatchObject({ StatusCode: 0 });
    expect(await allLogs(client, Id)).toEqual([{ stream: 'stdout', text: 'tty-out' }]);
    await client.containers.remove(Id);
  });
});
