// Helpers for the tests that run against the real daemon (not built into dist).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isNotFound } from './api-error.js';
import type { DockerClient } from './client.js';
import { resolveDockerEndpoint } from './docker-host.js';
import { jsonLines } from './json-lines.js';
import { packFiles } from './tar.js';

export const BUSYBOX_IMAGE = 'pitstop-test/busybox:1';
const BUSYBOX_BINARY = '/bin/busybox';
const APPLETS = ['sh', 'ls', 'cat', 'sleep', 'echo', 'stat', 'tar', 'true', 'false'];

/** True when a daemon answers where the environment points (unix or plain tcp), checked synchronously. */
export function dockerAvailable(): boolean {
  let target: { socketPath?: string; host?: string; port?: number };
  try {
    const endpoint = resolveDockerEndpoint();
    if (endpoint.kind === 'unix') target = { socketPath: endpoint.socketPath };
    else if (endpoint.kind === 'tcp' && !endpoint.tls) target = { host: endpoint.host, port: endpoint.port };
    else return false;
  } catch {
    return false;
  }
  // describe.runIf needs the answer before any test runs, so ask from a child process.
  const script = `
    const req = require('node:http').get({ ...${JSON.stringify(target)}, path: '/_ping', timeout: 2000 },
      (res) => process.exit(res.statusCode === 200 ? 0 : 1));
    req.on('error', () => process.exit(1));
    req.on('timeout', () => process.exit(1));
  `;
  return spawnSync(process.execPath, ['-e', script], { timeout: 5_000 }).status === 0;
}

/** Labels for everything one test file creates: all carry `pitstop.test=api`, plus a per-file run id. */
export function testLabels(): { labels: Record<string, string>; run: string } {
  const run = randomBytes(4).toString('hex');
  return { labels: { 'pitstop.test': 'api', 'pitstop.test.run': run }, run };
}

export function uniqueName(prefix: string): string {
  return `pitstop-test-${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * A 2 MB image with a static busybox and a few applets linked to it, imported through the API
 * (no registry needed). Made once per machine and kept, found again by its tag.
 */
export async function ensureBusyboxImage(client: DockerClient): Promise<string> {
  if (await imageExists(client)) return BUSYBOX_IMAGE;
  // Test files run in parallel: one imports, the others wait and find the image.
  const lock = join(tmpdir(), 'pitstop-test-busybox-image.lock');
  await takeLock(lock);
  try {
    if (!(await imageExists(client))) await importBusybox(client);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return BUSYBOX_IMAGE;
}

async function imageExists(client: DockerClient): Promise<boolean> {
  try {
    await client.images.inspect(BUSYBOX_IMAGE);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

async function takeLock(lock: string): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A holder that died mid-import leaves the lock behind; an import takes about a second.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true });
      await sleep(50);
    }
  }
}

async function importBusybox(client: DockerClient): Promise<void> {
  if (!existsSync(BUSYBOX_BINARY)) {
    throw new Error(`${BUSYBOX_BINARY} is missing: apt-get install -y busybox-static`);
  }
  const tar = packFiles([
    { path: 'bin', type: 'directory' },
    { path: 'tmp', type: 'directory', mode: 0o1777 },
    { path: 'bin/busybox', source: BUSYBOX_BINARY },
    ...APPLETS.map((name) => ({ path: `bin/${name}`, type: 'symlink' as const, linkname: 'busybox' })),
  ]);
  const [repo, tag] = BUSYBOX_IMAGE.split(':') as [string, string];
  const res = await client.stream('POST', '/images/create', {
    query: { fromSrc: '-', repo, tag, changes: ['CMD ["/bin/busybox","sleep","1000"]', 'ENV PATH=/bin'] },
    body: tar,
    headers: { 'content-type': 'application/x-tar' },
  });
  for await (const line of jsonLines<{ error?: string }>(res)) {
    if (line.error) throw new Error(`importing ${BUSYBOX_IMAGE} failed: ${line.error}`);
  }
}

/** Removes every container, network and volume of one test run; never throws. */
export async function removeTestResources(client: DockerClient, run: string): Promise<void> {
  const labels = { 'pitstop.test': 'api', 'pitstop.test.run': run };
  const quietly = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch {
      // Already gone, or the daemon is: nothing more to clean.
    }
  };
  await quietly(async () => {
    const containers = await client.containers.list({ labels });
    await Promise.all(
      containers.map((c) => quietly(() => client.containers.remove(c.Id, { force: true, v: true }))),
    );
  });
  await quietly(async () => {
    const networks = await client.networks.list({ labels });
    await Promise.all(networks.map((n) => quietly(() => client.networks.remove(n.Id))));
  });
  await quietly(async () => {
    const volumes = await client.volumes.list({ labels });
    await Promise.all(volumes.map((v) => quietly(() => client.volumes.remove(v.Name, { force: true }))));
  });
  await quietly(async () => {
    const images = await client.images.list({ labels });
    await Promise.all(images.map((i) => quietly(() => client.images.remove(i.Id, { force: true }))));
  });
}
