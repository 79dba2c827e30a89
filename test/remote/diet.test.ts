// The payload diet end to end: a Go service compiled on this machine and shipped as a binary into
// a FROM scratch container on the remote engine behind the 20 Mbit/s link. A one-line change must
// cross as a delta (against the binary that went into the image for the first save after a
// start, against the one pitstop sent for later ones), a small fraction of the file; the new
// version must answer at the remote host. The same project on the local engine ships raw: over a
// unix socket, encoding costs more than it saves. An unstripped Go binary over the link earns one
// warning suggesting -ldflags "-s -w" with the saving measured.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PitstopSession } from '../../bench/lib/pitstop.js';
import type { UpdateRecord } from '../../src/model/update.js';
import { prepareBaseImages, removeProject } from '../support/docker.js';
import { removeImages } from '../support/docker-cli.js';
import { eventually, freePort, goAvailable } from '../support/project.js';
import {
  describeRemote,
  lockRemote,
  prepareRemote,
  REMOTE_ADDR,
  remoteEnv,
  remoteLeftovers,
  remotePort,
  removeRemoteProject,
} from '../support/remote.js';
import {
  afterSave,
  eventsOf,
  fetchText,
  goProject,
  setGoVersion,
  spanOf,
  started,
  startSession,
  uniqueName,
} from './fixtures.js';

const KB = 1024;

/** What a sync span says about the one file it shipped. */
function syncOf(record: UpdateRecord) {
  expect(record.outcome, JSON.stringify(record.error)).toBe('ok');
  const sync = spanOf(record, 'sync');
  expect(sync, `spans: ${record.spans.map((s) => s.name).join(', ')}`).toBeDefined();
  return sync!;
}

const debugWarnings = (session: PitstopSession) =>
  eventsOf(session, 'warning', (e) => e.message.includes('debug information'));

describeRemote('payload diet over the link to a remote engine', () => {
  let release: (() => void) | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    if (!goAvailable()) throw new Error('go is needed to build the service on this machine');
    // Bytes on the wire are measured: the link is this file's alone.
    release = await lockRemote();
    await prepareRemote();
  }, 15 * 60_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    release?.();
  }, 120_000);

  describe('remote engine: a one-line Go change', () => {
    const name = uniqueName('diet-remote');
    let dir = '';
    let port = 0;
    let session: PitstopSession;
    const records: UpdateRecord[] = [];

    beforeAll(async () => {
      port = await remotePort();
      dir = goProject(name, port);
      session = startSession(dir, remoteEnv());
      cleanups.push(async () => {
        await session.stop();
        await removeRemoteProject(name, dir);
        fs.rmSync(dir, { recursive: true, force: true });
      });
      await started(session, 'svc', 180_000);
      expect(await fetchText(`http://${REMOTE_ADDR}:${port}/version`)).toBe('v0\n');
      // Its readiness probe (written for 127.0.0.1) went to the remote host: nothing answers here.
      expect(await fetchText(`http://127.0.0.1:${port}/version`, 1_000)).toBeUndefined();
    }, 240_000);

    it('the first save after the start crosses as a delta against the binary in the image', async () => {
      const record = await afterSave(session, 'svc', () => setGoVersion(dir, 'v1'), 120_000);
      records.push(record);
      const sync = syncOf(record);
      expect(sync.detail, 'sync detail').toMatch(/^1 file, delta /);
      expect(sync.bytes, sync.detail).toBeGreaterThan(0);
      expect(sync.bytes!, sync.detail).toBeLessThanOrEqual(100 * KB);
      expect(sync.bytesSaved, sync.detail).toBeGreaterThan(0);
      // Chosen from the link as measured so far: the round trip, and the throughput of the
      // supervisor's upload at the start (nothing else had crossed yet).
      expect(sync.detail).toMatch(/\(link [\d.]+ Mbit\/s, rtt [\d.]+ ms: raw ~.*, gzip ~.*, delta ~/);
      // The saving is the rest of the binary: wire + saved = its size.
      const size = fs.statSync(path.join(dir, 'bin', 'svc')).size;
      expect(sync.bytes! + sync.bytesSaved!).toBe(size);
      // The new version answers where the container runs: the remote host.
      expect(
        await eventually(
          async () => (await fetchText(`http://${REMOTE_ADDR}:${port}/version`)) === 'v1\n',
          20_000,
          `v1 at http://${REMOTE_ADDR}:${port}/version`,
        ),
      ).toBe(true);
    }, 150_000);

    it('later saves cross as deltas against what pitstop sent, and converge to the last version', async () => {
      for (const version of ['v2', 'v3']) {
        const record = await afterSave(session, 'svc', () => setGoVersion(dir, version), 120_000);
        records.push(record);
        const sync = syncOf(record);
        expect(sync.detail, `sync detail for ${version}`).toMatch(/^1 file, delta /);
        expect(sync.bytes!, sync.detail).toBeLessThanOrEqual(100 * KB);
        expect(sync.bytesSaved, sync.detail).toBeGreaterThan(0);
        expect(await fetchText(`http://${REMOTE_ADDR}:${port}/version`)).toBe(`${version}\n`);
      }
    }, 300_000);

    it('an unstripped Go binary earns exactly one debug-information warning naming -ldflags "-s -w"', () => {
      expect(records.length, 'the saves above ran').toBeGreaterThan(0);
      const warnings = debugWarnings(session);
      expect(
        warnings.map((w) => w.message),
        'one hint per file and session',
      ).toHaveLength(1);
      const [warning] = warnings;
      expect(warning!.service).toBe('svc');
      expect(warning!.message).toContain('-ldflags "-s -w"');
      // With the saving measured: "<n> MB of <m> MB ... it would be <k> MB on this link ...".
      expect(warning!.message).toMatch(
        /^svc carries debug information: [\d.]+ [KM]B of [\d.]+ [KM]B\. Built with -ldflags "-s -w" it would be [\d.]+ [KM]B on this link /,
      );
    });
    it('stops clean: nothing of the project is left on the remote engine', async () => {
      const report = await session.stop();
      expect(report).toMatchObject({ clean: true, exitCode: 0, stragglers: [] });
      expect(await remoteLeftovers(name, dir)).toEqual([]);
    }, 60_000);
  });

  describe('local engine: the same project ships raw', () => {
    const name = uniqueName('diet-local');
    let dir = '';

    beforeAll(async () => {
      await prepareBaseImages();
    }, 10 * 60_000);

    it('the sync is raw, says the engine is local, saves nothing, and gives no debug hint', async () => {
      const port = await freePort();
      dir = goProject(name, port);
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.DOCKER_HOST;
      delete env.DOCKER_CONTEXT;
      const session = startSession(dir, env);
      cleanups.push(async () => {
        await session.stop();
        await removeProject(name, dir);
        removeImages(name);
        fs.rmSync(dir, { recursive: true, force: true });
      });
      await started(session, 'svc', 120_000);
      for (const version of ['v1', 'v2']) {
        const record = await afterSave(session, 'svc', () => setGoVersion(dir, version));
        const sync = syncOf(record);
        expect(sync.detail).toMatch(
          /^1 file, [\d.]+ [KM]B raw \(local engine: sending is faster than encoding\)$/,
        );
        expect(sync.bytes).toBe(fs.statSync(path.join(dir, 'bin', 'svc')).size);
        expect(sync.bytesSaved).toBeUndefined();
        expect(await fetchText(`http://127.0.0.1:${port}/version`)).toBe(`${version}\n`);
      }
      expect(debugWarnings(session)).toEqual([]);
    }, 240_000);
  });
});
