// examples/go-strategies on a real daemon: the two ways to live-update a compiled service in a
// container. in-container: the source is synced in and `go build` runs inside (its compiler cache
// on a named volume), then the process restarts; host-compile: the binary is built on the host and
// only it is shipped in. Both stay in the same container, and SIGTERM leaves nothing behind.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PitstopSession } from '../../bench/lib/pitstop.js';
import type { Project } from '../../src/model/project.js';
import type { UpdateRecord } from '../../src/model/update.js';
import { volumeName } from '../../src/runtimes/docker/container-config.js';
import { dockerAvailable, leftovers, prepareBaseImages, removeProject } from '../support/docker.js';
import {
  answer,
  containerOf,
  copyExample,
  docker,
  imageIds,
  inspectContainer,
  removeNewImages,
} from '../support/docker-cli.js';
import { goAvailable } from '../support/project.js';
import { finished, ready, stopSessions, up } from '../support/session.js';

const PROJECT = 'go-strategies';
/** The cache volume's name: per project and per checkout folder (see container-config.ts). */
const volume = (root: string) => volumeName({ name: PROJECT, root } as Project, 'gocache');
let dir = '';
// host-compile's image holds a binary built in this test's folder: no later run can reuse it.
let hostImages: string[] | undefined;

afterAll(async () => {
  await stopSessions();
  if (dir) {
    await removeProject(PROJECT, dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (hostImages) removeNewImages(PROJECT, 'host-compile', hostImages);
});

const names = (r: UpdateRecord) => r.spans.map((s) => s.name);
const span = (r: UpdateRecord, name: string) => r.spans.find((s) => s.name === name);

async function setVersion(session: PitstopSession, service: string, version: string): Promise<UpdateRecord> {
  const file = path.join(dir, service, 'main.go');
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toMatch(/const version = "\d+"/);
  const since = session.events.length;
  fs.writeFileSync(file, text.replace(/const version = "\d+"/, `const version = "${version}"`));
  return (await session.waitFor(finished(service), 90_000, since)).record;
}

describe.runIf(dockerAvailable() && goAvailable())('go-strategies on the docker runtime', () => {
  beforeAll(async () => {
    await prepareBaseImages({ go: true });
    hostImages = imageIds(PROJECT, 'host-compile');
  }, 180_000);

  it('compiles in the container (cache on a volume) and on the host (binary shipped), both live in the same containers', async () => {
    const copy = await copyExample(PROJECT, ['8091', '8092']);
    dir = copy.dir;
    const urls = {
      'in-container': `http://127.0.0.1:${copy.ports['8091']}/`,
      'host-compile': `http://127.0.0.1:${copy.ports['8092']}/`,
    };
    const session = up(dir);
    // The first run on a machine builds the toolchain image (a go build inside it): allow for it.
    await ready(session, 180_000);
    for (const r of session.records) expect(r.outcome, `${r.service}: ${r.error?.message}`).toBe('ok');
    expect(await answer(urls['in-container'])).toBe('1\n');
    expect(await answer(urls['host-compile'])).toBe('1\n');
    const ids = {
      'in-container': containerOf(PROJECT, dir, 'in-container'),
      'host-compile': containerOf(PROJECT, dir, 'host-compile'),
    };

    // In the container: the source synced, `go build` run there by exec, the process restarted.
    const inside = await setVersion(session, 'in-container', '2');
    expect(inside, inside.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(names(inside)).toEqual(['detect', 'plan', 'sync', 'run', 'restart', 'ready']);
    expect(span(inside, 'sync')?.bytes).toBe(fs.statSync(path.join(dir, 'in-container', 'main.go')).size);
    expect(span(inside, 'run')).toMatchObject({ outcome: 'ok', detail: 'go build -o /usr/local/bin/app .' });
    expect(span(inside, 'restart')?.detail).toMatch(/^process: pid \d+$/);
    expect(await answer(urls['in-container'])).toBe('2\n');
    expect(containerOf(PROJECT, dir, 'in-container')).toBe(ids['in-container']);

    // On the host: compiled there, only the binary shipped into the running container.
    const host = await setVersion(session, 'host-compile', '2');
    expect(host, host.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
    expect(names(host)).toEqual(['detect', 'plan', 'build', 'sync', 'restart', 'ready']);
    expect(span(host, 'build')).toMatchObject({ outcome: 'ok', detail: 'compile' });
    const binary = fs.statSync(path.join(dir, 'host-compile', 'bin', 'app')).size;
    expect(binary).toBeGreaterThan(1_000_000);
    expect(span(host, 'sync')?.bytes).toBe(binary);
    expect(host.plan?.syncs).toEqual([
      {
        from: path.join(dir, 'host-compile', 'bin', 'app'),
        to: '/app',
        kind: 'change',
        output: 'compile',
        root: '/app',
      },
    ]);
    expect(await answer(urls['host-compile'])).toBe('2\n');
    expect(containerOf(PROJECT, dir, 'host-compile')).toBe(ids['host-compile']);

    // A second in-container compile: incremental thanks to the cache volume. On this machine the
    // image already carries a warm cache (Docker seeds a new volume from it), so the two `run`
    // spans are not reliably apart; what is checked is that the compiler cache lives on the named
    // volume, mounted where GOCACHE points, and holds the cache.
    const again = await setVersion(session, 'in-container', '3');
    expect(again, again.error?.message).toMatchObject({ outcome: 'ok' });
    expect(span(again, 'run')?.outcome).toBe('ok');
    expect(await answer(urls['in-container'])).toBe('3\n');
    expect(containerOf(PROJECT, dir, 'in-container')).toBe(ids['in-container']);
    const mounts = inspectContainer(ids['in-container']).Mounts;
    expect(mounts).toContainEqual(
      expect.objectContaining({ Type: 'volume', Name: volume(dir), Destination: '/root/.cache/go-build' }),
    );
    const cache = docker('run', '--rm', '-v', `${volume(dir)}:/c:ro`, 'busybox:1.36', 'busybox', 'ls', '/c')
      .split('\n')
      .filter(Boolean);
    // Go's cache layout: README, trim.txt and the 00..ff buckets.
    expect(cache).toContain('README');
    expect(cache.filter((e) => /^[0-9a-f]{2}$/.test(e)).length).toBeGreaterThan(16);

    const report = await session.stop();
    expect(report).toMatchObject({ clean: true, exitCode: 0 });
    expect(await leftovers(PROJECT, dir)).toEqual([]);
    for (const id of Object.values(ids)) {
      expect(() => inspectContainer(id)).toThrow();
    }
  });
});
