// The remote Docker host and the registry the remote tests run against (scripts/remote-docker.sh,
// scripts/registry.sh; .ci/run starts both): a second daemon in network namespace pitstop-remote,
// reached from here over a veth pair shaped to 20 Mbit/s each way, and a registry with one storage
// behind two listeners. Base images are copied onto the remote through its unix socket (not
// shaped); everything else a test does goes over the slow link, as it would to a real remote host.
//
// Addresses (the project's own test hosts; tests contact nothing else):
//   tcp://10.200.0.2:2375                   the remote daemon, plain HTTP (REMOTE_DOCKER_HOST)
//   10.200.0.2:<port>                       a port a remote container publishes (REMOTE_ADDR)
//   unix:///run/pitstop-remote/docker.sock  the same daemon, unshaped, for test setup only
//   127.0.0.1:5001                          the registry as this machine's daemon pushes to it
//   10.200.0.1:5001                         the same registry as the remote daemon pulls from it
//
// One link is shared by every remote test file and vitest runs two files at once: a file that
// times transfers or breaks the link holds `lockRemote()` for its duration.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { DockerClient, jsonLines } from '../../src/runtimes/docker/api/index.js';
import { dockerAvailable, prepareBaseImages } from './docker.js';
import { DOCKER, type DockerResult } from './docker-cli.js';
import { containersOf as containersOn, type Env, leftoversOn, removeProjectOn } from './docker-env.js';
import { repoRoot } from './project.js';

export const REMOTE_ADDR = '10.200.0.2';
export const REMOTE_DOCKER_HOST = `tcp://${REMOTE_ADDR}:2375`;
/** The remote daemon's own socket on this machine: not shaped; for setup, never for what is measured. */
export const REMOTE_SOCKET = 'unix:///run/pitstop-remote/docker.sock';
/** This machine's end of the link, as the remote sees it. */
export const HOST_ADDR = '10.200.0.1';
/** Where this machine's daemon pushes (a loopback registry needs no TLS and no daemon setting). */
export const REGISTRY_PUSH = '127.0.0.1:5001';
/** Where the remote daemon pulls the same repositories (it runs with --insecure-registry for it). */
export const REGISTRY_PULL = `${HOST_ADDR}:5001`;

/** `.ci/run` sets this: missing infrastructure then fails the remote tests instead of skipping them. */
export const REMOTE_REQUIRED = process.env.PITSTOP_REMOTE_TESTS === '1';

const SCRIPT = path.join(repoRoot, 'scripts', 'remote-docker.sh');

/** An environment whose DOCKER_HOST is the remote daemon, for pitstop and the CLI. */
export function remoteEnv(extra: Env = {}): Env {
  const env: Env = { ...process.env, ...extra, DOCKER_HOST: REMOTE_DOCKER_HOST };
  delete env.DOCKER_CONTEXT;
  delete env.DOCKER_TLS_VERIFY;
  return env;
}

const setupEnv = (): Env => ({ ...remoteEnv(), DOCKER_HOST: REMOTE_SOCKET });

type Target = { host: string; port: number } | { socketPath: string };

/** GET `urlPath` synchronously (describe.runIf needs the answer before any test runs). */
function answersSync(target: Target, urlPath: string): boolean {
  const script = `
    const req = require('node:http').get({ ...${JSON.stringify(target)}, path: ${JSON.stringify(urlPath)},
      timeout: 2000, agent: false }, (res) => process.exit(res.statusCode === 200 ? 0 : 1));
    req.on('error', () => process.exit(1));
    req.on('timeout', () => process.exit(1));
  `;
  return spawnSync(process.execPath, ['-e', script], { timeout: 5_000 }).status === 0;
}

/**
 * Whether scripts/remote-docker.sh made the link (and with it the route that keeps 10.200.0.0/14
 * on this machine). Checked before any connection: without it, 10.200.0.x would be looked for on
 * the real network through the default route.
 */
export function linkPresent(): boolean {
  return fs.existsSync('/sys/class/net/pit0') && fs.existsSync('/run/netns/pitstop-remote');
}

/** True when the remote daemon answers over the link (synchronous, like dockerAvailable). */
export function remoteAvailable(): boolean {
  return linkPresent() && answersSync({ host: REMOTE_ADDR, port: 2375 }, '/_ping');
}

/** True when both registry listeners answer. */
export function registryAvailable(): boolean {
  return (
    linkPresent() &&
    [REGISTRY_PUSH, REGISTRY_PULL].every((address) => {
      const [host = '', port = ''] = address.split(':');
      return answersSync({ host, port: Number(port) }, '/v2/');
    })
  );
}

/** Why the remote tests cannot run here, or undefined when they can. */
export function remoteMissing(needs: { registry?: boolean } = {}): string | undefined {
  if (!dockerAvailable()) return 'no local docker daemon (the base images are made there)';
  if (!linkPresent()) return 'the remote host is not up (scripts/remote-docker.sh up)';
  if (!remoteAvailable()) {
    return `no remote docker daemon answers at ${REMOTE_DOCKER_HOST} (start it: scripts/remote-docker.sh up)`;
  }
  if (!answersSync({ socketPath: REMOTE_SOCKET.slice('unix://'.length) }, '/_ping')) {
    return `the remote daemon's socket ${REMOTE_SOCKET} does not answer (scripts/remote-docker.sh status)`;
  }
  if (needs.registry && !registryAvailable()) {
    return `no registry at http://${REGISTRY_PUSH}/v2/ and http://${REGISTRY_PULL}/v2/ (start it: scripts/registry.sh up)`;
  }
  return undefined;
}

/**
 * `describe` for tests that need the remote host: skipped with the reason when it is not up, or,
 * under PITSTOP_REMOTE_TESTS=1 (CI), one failing test that says what is missing.
 */
export function describeRemote(title: string, body: () => void, needs: { registry?: boolean } = {}): void {
  const missing = remoteMissing(needs);
  if (!missing) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    if (REMOTE_REQUIRED) {
      it('has its infrastructure (PITSTOP_REMOTE_TESTS=1)', () => {
        throw new Error(missing);
      });
    } else it.skip(`skipped: ${missing}`, () => undefined);
  });
}

/** Runs one docker CLI command against the remote over the link; never throws (look at `code`). */
export function remoteDockerRun(...args: string[]): DockerResult {
  const r = spawnSync(DOCKER, args, { encoding: 'utf8', timeout: 60_000, env: remoteEnv() });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' };
}

/** Like remoteDockerRun, returning trimmed stdout and throwing with stderr when it fails. */
export function remoteDocker(...args: string[]): string {
  const r = remoteDockerRun(...args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} (remote) exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Runs `work` with a client for the remote daemon over the link, and closes it. */
export async function withRemote<T>(work: (client: DockerClient) => Promise<T>): Promise<T> {
  const client = DockerClient.fromEnv(remoteEnv());
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

const BASE_TAGS = ['pitstop-test/busybox:1', 'busybox:1.36'];
const NODE_TAGS = ['pitstop-test/node:20', 'node:20-alpine'];
const GO_TAGS = ['pitstop-test/go:1', 'golang:1.22'];

async function imageId(client: DockerClient, tag: string): Promise<string | undefined> {
  try {
    return (await client.images.inspect(tag)).Id;
  } catch {
    return undefined;
  }
}

/**
 * The base images the examples name, on the remote daemon: made on this machine's daemon
 * (prepareBaseImages), then saved there and loaded on the remote through its unix socket, so
 * setup costs no link time. Images already there with the same id are not copied again.
 */
export async function prepareRemote(options: { node?: boolean; go?: boolean } = {}): Promise<void> {
  await prepareBaseImages({ go: options.go });
  const tags = [...BASE_TAGS, ...(options.node ? NODE_TAGS : []), ...(options.go ? GO_TAGS : [])];
  const local = DockerClient.fromEnv({ ...process.env, DOCKER_HOST: undefined });
  const remote = DockerClient.fromEnv(setupEnv());
  try {
    const missing: string[] = [];
    for (const tag of tags) {
      const want = await imageId(local, tag);
      if (!want) throw new Error(`${tag} is missing on the local daemon after prepareBaseImages`);
      if ((await imageId(remote, tag)) !== want) missing.push(tag);
    }
    if (missing.length === 0) return;
    const saved = await local.stream('GET', '/images/get', { query: { names: missing } });
    const loaded = await remote.stream('POST', '/images/load', {
      query: { quiet: true },
      body: saved,
      headers: { 'content-type': 'application/x-tar' },
    });
    for await (const line of jsonLines<{ error?: string; errorDetail?: { message?: string } }>(loaded)) {
      if (line.error) throw new Error(`loading ${missing.join(', ')} on the remote failed: ${line.error}`);
    }
    for (const tag of missing) {
      if ((await imageId(remote, tag)) !== (await imageId(local, tag))) {
        throw new Error(`${tag} did not arrive on the remote daemon`);
      }
    }
  } finally {
    local.close();
    remote.close();
  }
}

/** The project's containers on the remote daemon (running or not), optionally of one service. */
export function remoteContainers(project: string, root: string, service?: string) {
  return containersOn(project, root, { service, env: remoteEnv() });
}

/** What the project left on the remote daemon (containers, networks, volumes); [] when clean. */
export function remoteLeftovers(project: string, root: string): Promise<string[]> {
  return leftoversOn(remoteEnv(), project, root);
}

/** Removes what a project made on the remote daemon, built images included; never throws. */
export function removeRemoteProject(project: string, root: string): Promise<void> {
  return removeProjectOn(setupEnv(), project, root);
}

/**
 * A port for a remote container to publish: the remote namespace runs nothing but the daemon and
 * its published ports, so any port below the kernel's ephemeral range (32768+) that no remote
 * container publishes is free there.
 */
export async function remotePort(): Promise<number> {
  const used = await withRemote(async (client) =>
    (await client.containers.list({ all: true })).flatMap((c) =>
      (c.Ports ?? []).map((p) => p.PublicPort).filter((p): p is number => typeof p === 'number'),
    ),
  );
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (!used.includes(port)) return port;
  }
}

// ---- faults on the link (scripts/remote-docker.sh link ...) ----

function link(...args: string[]): void {
  execFileSync(SCRIPT, ['link', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** pit0 down: connections to the remote fail at once (EHOSTUNREACH). Undo with restoreLink(). */
export function cutLink(): void {
  link('cut');
}

/** Every packet dropped both ways: connections and requests hang until their own timeouts. */
export function blackholeLink(): void {
  link('blackhole');
}

/** Shape both directions to `rate` (tc units: '5mbit', '512kbit'). Undo with restoreLink(). */
export function shapeLink(rate: string): void {
  link('rate', rate);
}

/** The link as `up` made it: up, nothing dropped, 20 Mbit/s each way. */
export function restoreLink(): void {
  link('restore');
}

/** Runs `work` with the link broken (`cut` or `blackhole`), restoring it whatever happens. */
export async function withBrokenLink<T>(mode: 'cut' | 'blackhole', work: () => Promise<T>): Promise<T> {
  if (mode === 'cut') cutLink();
  else blackholeLink();
  try {
    return await work();
  } finally {
    restoreLink();
  }
}

// ---- one user of the link at a time ----

const LOCK = path.join(os.tmpdir(), 'pitstop-remote-link.lock');

function holderAlive(): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    if (!pid) return true; // being written: give it a moment
    process.kill(pid, 0);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // A lock folder with no pid file for a while was left by a holder that died at once.
      const held = fs.statSync(LOCK, { throwIfNoEntry: false });
      return !held || Date.now() - held.mtimeMs < 5_000;
    }
    return code === 'EPERM';
  }
}

/**
 * Takes the remote link for this test file (across vitest's worker processes): for files that
 * time transfers or break the link. Call in beforeAll with a long hook timeout; the returned
 * function releases it (afterAll). A lock whose holder died is taken over.
 */
export async function lockRemote(timeoutMs = 10 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        fs.rmSync(LOCK, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!holderAlive()) fs.rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`the remote link is still held after ${timeoutMs} ms`);
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// ---- connections dropped, registry stopped (for the fault tests) ----

/** pitstop-remote's side of the link: the namespace the remote daemon runs in. */
const NETNS = 'pitstop-remote';

/**
 * Makes the remote end forget every established TCP connection process `pid` holds to the remote
 * daemon, as a daemon restart, a NAT or a firewall that dropped its state would: the daemon's
 * sockets are destroyed (`ss -K` in the remote namespace), and the process's own sockets get a
 * reset (ECONNRESET) with their next packet that crosses the link (at once when it is up; when
 * it comes back otherwise). Only that process's connections: other users of the link keep
 * theirs. Returns how many were dropped.
 */
export function dropConnectionsOf(pid: number): number {
  const mine = ['-tnpH', 'state', 'established', 'dst', REMOTE_ADDR, 'dport', '=', ':2375'];
  const listed = spawnSync('ss', mine, { encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`ss failed: ${listed.stderr}`);
  const ports = listed.stdout
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => /\s\S+:(\d+)\s+\S+:2375\b/.exec(line)?.[1])
    .filter((port): port is string => port !== undefined);
  let dropped = 0;
  for (const port of ports) {
    const filter = ['src', REMOTE_ADDR, 'sport', '=', ':2375', 'dst', HOST_ADDR, 'dport', '=', `:${port}`];
    const kill = ['netns', 'exec', NETNS, 'ss', '-KtnH', 'state', 'established', ...filter];
    const killed = spawnSync('ip', kill, { encoding: 'utf8' });
    if (killed.status !== 0) throw new Error(`ss -K in ${NETNS} failed: ${killed.stderr}`);
    dropped += killed.stdout.split('\n').filter((line) => line.includes(`:${port}`)).length;
  }
  return dropped;
}

const REGISTRY_SCRIPT = path.join(repoRoot, 'scripts', 'registry.sh');

/** Stops both registry listeners (and empties its storage, as `scripts/registry.sh down` does). */
export function registryDown(): void {
  execFileSync(REGISTRY_SCRIPT, ['down'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Starts both registry listeners again (idempotent). */
export function registryUp(): void {
  execFileSync(REGISTRY_SCRIPT, ['up'], { stdio: ['ignore', 'ignore', 'pipe'] });
}
