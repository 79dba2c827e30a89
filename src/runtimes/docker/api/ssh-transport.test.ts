// ssh:// through a fake `ssh` on PATH that relays stdin/stdout to the local daemon socket, the
// way `docker system dial-stdio` does on a real remote host. What is tested is our plumbing:
// arguments, the child-as-socket, connection reuse, errors and clean exit.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PitstopError } from '../../../errors.js';
import { DockerClient } from './client.js';
import { DEFAULT_SOCKET } from './docker-host.js';
import { packBuffer } from './tar.js';
import { dockerAvailable, ensureBusyboxImage, removeTestResources, testLabels } from './testing.js';

const FAKE_SSH = `#!${process.execPath}
const fs = require('node:fs');
const net = require('node:net');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_SSH_LOG, JSON.stringify({ pid: process.pid, args }) + '\\n');
const host = args[args.indexOf('--') + 1];
if (args.slice(-3).join(' ') !== 'docker system dial-stdio' || host === 'unreachable') {
  process.stderr.write('ssh: Could not resolve hostname ' + host + ': Name or service not known\\n');
  process.exit(255);
}
const socket = net.connect(process.env.FAKE_SSH_TARGET);
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on('error', (err) => { process.stderr.write(String(err) + '\\n'); process.exit(1); });
socket.on('close', () => process.exit(0));
`;

interface Spawned {
  pid: number;
  args: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.runIf(dockerAvailable())('the ssh transport', () => {
  let dir: string;
  let log: string;
  let env: Record<string, string | undefined>;
  const { labels, run } = testLabels();
  const local = DockerClient.fromEnv();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pitstop-ssh-'));
    writeFileSync(join(dir, 'ssh'), FAKE_SSH);
    chmodSync(join(dir, 'ssh'), 0o755);
    log = join(dir, 'ssh.log');
    writeFileSync(log, '');
    const target = local.endpoint.kind === 'unix' ? local.endpoint.socketPath : DEFAULT_SOCKET;
    env = {
      ...process.env,
      PATH: `${dir}:${process.env.PATH}`,
      DOCKER_HOST: 'ssh://dev@box:2222',
      FAKE_SSH_LOG: log,
      FAKE_SSH_TARGET: target,
    };
    await ensureBusyboxImage(local);
  });

  afterAll(async () => {
    await removeTestResources(local, run);
    local.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const spawned = (): Spawned[] =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Spawned);

  it('talks to the daemon through `ssh ... -- host docker system dial-stdio`, reusing the tunnel', async () => {
    writeFileSync(log, '');
    const client = DockerClient.fromEnv(env);
    try {
      expect(client.endpoint.describe()).toBe('ssh://dev@box:2222');
      expect((await client.system.ping()).osType).toBe('linux');
      expect((await client.system.version()).Os).toBe('linux');
      for (let i = 0; i < 20; i++) await client.system.ping();
      const children = spawned();
      expect(children).toHaveLength(1);
      expect(children[0]!.args).toEqual([
        ...['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T'],
        ...['-l', 'dev', '-p', '2222', '--', 'box', 'docker', 'system', 'dial-stdio'],
      ]);
      expect(alive(children[0]!.pid)).toBe(true);
      client.close();
      for (let i = 0; i < 100 && alive(children[0]!.pid); i++) await sleep(20);
      expect(alive(children[0]!.pid)).toBe(false);
    } finally {
      client.close();
    }
  });

  it('streams both ways: archive upload, exec output, parallel calls', async () => {
    const client = DockerClient.fromEnv(env);
    try {
      const { Id } = await client.containers.create({ image: 'pitstop-test/busybox:1', labels });
      await client.containers.start(Id);
      const big = Buffer.alloc(2 * 1024 * 1024, 'x');
      await client.containers.putArchive(
        Id,
        '/tmp',
        packBuffer([{ path: 'big.txt', content: big, mode: 0o600 }]),
      );
      const result = await client.containers.exec(Id, [
        'sh',
        '-c',
        'wc -c < /tmp/big.txt; ls -l /tmp/big.txt',
      ]);
      expect(result.exitCode).toBe(0);
      expect(result.output[0]?.text.trim()).toBe(String(big.length));
      expect(result.output[1]?.text).toMatch(/^-rw-------/);
      // Several requests at once each get their own tunnel, and all of them work.
      const pings = await Promise.all(Array.from({ length: 4 }, () => client.system.ping()));
      expect(pings.every((p) => p.osType === 'linux')).toBe(true);
      await client.containers.remove(Id, { force: true });
    } finally {
      client.close();
    }
  });

  it('replaces a tunnel that died while idle in the pool', async () => {
    writeFileSync(log, '');
    const client = DockerClient.fromEnv(env);
    try {
      await client.system.ping();
      const [first] = spawned();
      // The network dropped and ssh died; the next call may still be handed the dead tunnel.
      process.kill(first!.pid, 'SIGKILL');
      expect((await client.system.version()).Os).toBe('linux');
      expect(spawned()).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  it('reports a failing ssh with its message and a hint', async () => {
    const client = DockerClient.fromEnv({ ...env, DOCKER_HOST: 'ssh://dev@unreachable' });
    try {
      const err = await client.system.ping().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PitstopError);
      const pitstop = err as PitstopError;
      expect(pitstop.message).toBe('cannot reach the Docker daemon at ssh://dev@unreachable (ssh failed)');
      expect(pitstop.logTail?.join('\n')).toContain('Could not resolve hostname unreachable');
      expect(pitstop.hint).toContain('ssh dev@unreachable docker version');
      expect(pitstop.exitCode).toBe(1);
    } finally {
      client.close();
    }
  });

  it('does not keep the process alive with an idle tunnel', () => {
    const client = fileURLToPath(new URL('./client.ts', import.meta.url));
    const script = `
      import { DockerClient } from ${JSON.stringify(client)};
      const docker = DockerClient.fromEnv();
      console.log((await docker.system.ping()).osType);
    `;
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: env as NodeJS.ProcessEnv,
      timeout: 15_000,
    });
    expect(result.stderr.toString()).toBe('');
    expect(result.stdout.toString().trim()).toBe('linux');
    expect(result.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
