// A remote engine behind a link that fails: the transfer of a sync cut off by the link going down
// (the connection survives) or by the connection itself dropping (pitstop re-attaches, completes
// the cut frame with padding the supervisor rejects by its hash, and repeats the operation): the
// update converges, the container holds exactly the host's file and never a temp file. A daemon
// that does not answer at start; a delta whose base was changed inside the container; a
// registry that is down while an image must travel through it, and one that is up: pushed
// once, pulled by digest, an unchanged project neither built nor pulled again.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { PitstopSession } from '../../bench/lib/pitstop.js';
import { docker, removeImages } from '../support/docker-cli.js';
import { execIn, runCliEnv } from '../support/docker-env.js';
import { eventually, writeFile } from '../support/project.js';
import {
  cutLink,
  describeRemote,
  dropConnectionsOf,
  lockRemote,
  prepareRemote,
  REGISTRY_PULL,
  REGISTRY_PUSH,
  REMOTE_ADDR,
  registryAvailable,
  registryDown,
  registryUp,
  remoteContainers,
  remoteDocker,
  remoteEnv,
  remoteLeftovers,
  remotePort,
  removeRemoteProject,
  restoreLink,
} from '../support/remote.js';
import { is, sleep } from '../support/session.js';
import {
  afterSave,
  fetchText,
  HTTPD,
  httpdProject,
  spanOf,
  started,
  startSession,
  uniqueName,
  writeWhole,
} from './fixtures.js';

const MB = 1024 * 1024;
const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

/** Lines of a stack trace (`    at fn (file:line:col)`): never shown to a user for a known fault. */
function noStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at .+[(:]\d+:\d+\)?$/m);
}

interface Made {
  name: string;
  dir: string;
  session?: PitstopSession;
}

describeRemote(
  'remote engine faults',
  () => {
    let release: (() => void) | undefined;
    let made: Made[] = [];

    /** A project of this file: stopped, removed from the remote and deleted after the test. */
    function track(name: string, dir: string): Made {
      const entry: Made = { name, dir };
      made.push(entry);
      return entry;
    }

    beforeAll(async () => {
      // The link is cut, connections dropped, the registry stopped: nobody else may use them meanwhile.
      release = await lockRemote();
      await prepareRemote();
    }, 15 * 60_000);

    afterEach(async () => {
      restoreLink();
      if (!registryAvailable()) registryUp();
      for (const { name, dir, session } of made) {
        await session?.stop();
        await removeRemoteProject(name, dir);
        removeImages(name);
        fs.rmSync(dir, { recursive: true, force: true });
      }
      made = [];
    }, 120_000);

    afterAll(() => {
      restoreLink();
      release?.();
    });

    /** The one container of the project's service `web` on the remote engine. */
    async function theContainer(name: string, dir: string): Promise<string> {
      const all = await remoteContainers(name, dir, 'web');
      expect(all.map((c) => c.State)).toEqual(['running']);
      return all[0]!.Id;
    }

    /** sha256 of a file in the container (busybox in the image), or its error output. */
    async function hashIn(container: string, file: string): Promise<string> {
      const r = await execIn(container, ['busybox', 'sha256sum', file], remoteEnv());
      return r.code === 0 ? r.output.split(/\s/)[0]! : `error ${r.code}: ${r.output}`;
    }

    /** Temp files the supervisor writes beside a target before renaming (`.<name>.pitstop-<seq>.tmp`). */
    async function tempFilesIn(container: string, folder: string): Promise<string[]> {
      const r = await execIn(
        container,
        ['busybox', 'find', folder, '-name', '.*.pitstop-*.tmp'],
        remoteEnv(),
      );
      expect(r.code, r.output).toBe(0);
      return r.output.split('\n').filter(Boolean);
    }

    /**
     * A busybox httpd whose `data/` folder syncs to /data (not in the image), started on the remote;
     * the big file written after the start is a live update's whole payload.
     */
    async function dataService(prefix: string) {
      const name = uniqueName(prefix);
      const port = await remotePort();
      const dir = httpdProject(name, port, {
        extra: ['live_update:', '  - sync: { from: data, to: /data }'],
        files: { 'data/readme.txt': 'synced data\n' },
      });
      const entry = track(name, dir);
      const session = startSession(dir, remoteEnv());
      entry.session = session;
      await started(session, 'web', 180_000);
      const container = await theContainer(name, dir);
      return { name, dir, port, session, container };
    }

    /**
     * Writes an incompressible `bytes`-byte file (a payload that takes seconds over the link), breaks
     * the link with `fault` as soon as the transfer is under way, restores it after `outageMs`, and
     * resolves with the update's record, the file, and the progress event the fault followed.
     */
    async function transferThroughFault(
      service: Awaited<ReturnType<typeof dataService>>,
      bytes: number,
      fault: () => void,
      outageMs: number,
    ) {
      const content = randomBytes(bytes);
      const since = service.session.events.length;
      writeWhole(service.dir, 'data/big.bin', content);
      const moving = await service.session.waitFor(
        is(
          'progress',
          (e) =>
            e.service === 'web' &&
            e.step === 'sync' &&
            (e.bytes ?? 0) > 0 &&
            (e.totalBytes ?? 0) > 0 &&
            e.bytes! < e.totalBytes!,
        ),
        60_000,
        since,
      );
      try {
        fault();
        await sleep(outageMs);
      } finally {
        restoreLink();
      }
      const record = (
        await service.session.waitFor(
          is('update-finished', (e) => e.record.service === 'web' && e.record.kind === 'live'),
          90_000,
          since,
        )
      ).record;
      return { record, content, moving };
    }

    it('the link goes down mid-transfer and comes back after 2 s: the update converges, no temp file is left', async () => {
      const service = await dataService('cut');
      const { record, content, moving } = await transferThroughFault(service, 8 * MB, cutLink, 2_000);
      expect(record.outcome, `${JSON.stringify(record.error)}\n${service.session.stderr}`).toBe('ok');
      const sync = spanOf(record, 'sync')!;
      // The transfer was under way when the link went down (told by pitstop's own clock: the
      // progress event came right before the cut), and it ended after the link came back.
      expect(moving.bytes!).toBeLessThan(moving.totalBytes!);
      expect(sync.startedAt).toBeLessThan(moving.at);
      expect(sync.startedAt + sync.durationMs).toBeGreaterThan(moving.at + 2_000);
      expect(await hashIn(service.container, '/data/big.bin')).toBe(sha256(content));
      expect(await tempFilesIn(service.container, '/data')).toEqual([]);
      // Still the same container, still serving.
      expect(await theContainer(service.name, service.dir)).toBe(service.container);
      expect(await fetchText(`http://${REMOTE_ADDR}:${service.port}/index.html`)).toBe('v1\n');
    }, 180_000);

    it('the connection itself drops mid-transfer (link down meanwhile): pitstop re-attaches, the update converges, the container never holds a half-written file', async () => {
      const service = await dataService('drop');
      let dropped = 0;
      const { record, content } = await transferThroughFault(
        service,
        8 * MB,
        () => {
          cutLink();
          // The daemon's ends of pitstop's connections go away while the link is down: pitstop
          // learns it (a reset) when the link comes back, the attach stream mid-frame too.
          dropped = dropConnectionsOf(service.session.pid);
        },
        2_000,
      );
      expect(dropped, 'connections of pitstop dropped').toBeGreaterThan(0);
      expect(record.outcome, `${JSON.stringify(record.error)}\n${service.session.stderr}`).toBe('ok');
      expect(spanOf(record, 'sync')?.outcome).toBe('ok');
      expect(await hashIn(service.container, '/data/big.bin')).toBe(sha256(content));
      expect(await tempFilesIn(service.container, '/data')).toEqual([]);
      expect(await theContainer(service.name, service.dir)).toBe(service.container);

      // The channel works after the reconnection: the next save lands too.
      const next = randomBytes(256 * 1024);
      const after = await afterSave(service.session, 'web', () =>
        fs.writeFileSync(path.join(service.dir, 'data', 'small.bin'), next),
      );
      expect(after.outcome, JSON.stringify(after.error)).toBe('ok');
      expect(await hashIn(service.container, '/data/small.bin')).toBe(sha256(next));
    }, 180_000);

    it('a remote daemon that does not answer at start: exit 1 naming the address tried, no stack trace; a scheme pitstop cannot speak: exit 2', async () => {
      const name = uniqueName('nodaemon');
      const dir = httpdProject(name, 20_080);
      track(name, dir);
      const unreachable = 'tcp://10.200.0.2:2399';
      const result = await runCliEnv(
        ['up', '--no-ui'],
        dir,
        { ...remoteEnv(), DOCKER_HOST: unreachable },
        60_000,
      );
      const all = result.stdout + result.stderr;
      expect(result.code, all).toBe(1);
      expect(result.stderr).toContain(`cannot reach the Docker daemon at ${unreachable}`);
      expect(result.stderr).toMatch(/hint: .*10\.200\.0\.2:2399/);
      noStackTrace(all);
      expect(fs.existsSync(path.join(dir, '.pitstop', 'session.json'))).toBe(false);

      const wrong = await runCliEnv(['up', '--no-ui'], dir, {
        ...remoteEnv(),
        DOCKER_HOST: 'ftp://10.200.0.2:2375',
      });
      expect(wrong.code, wrong.stdout + wrong.stderr).toBe(2);
      expect(wrong.stderr).toContain('the scheme ftp:// is not supported');
      noStackTrace(wrong.stdout + wrong.stderr);
    }, 120_000);

    it('a delta whose base was changed inside the container is refused, and the whole file goes instead', async () => {
      const service = await dataService('base');
      const file = path.join(service.dir, 'data', 'blob.bin');
      const content = randomBytes(1 * MB);
      // Sent whole (the container has no version of it), then a small change: a delta against it.
      let record = await afterSave(service.session, 'web', () => fs.writeFileSync(file, content));
      expect(record.outcome, JSON.stringify(record.error)).toBe('ok');
      content.write('first change', 1000);
      record = await afterSave(service.session, 'web', () => fs.writeFileSync(file, content));
      expect(record.outcome, JSON.stringify(record.error)).toBe('ok');
      expect(spanOf(record, 'sync')?.detail, 'a delta while the base is there').toMatch(/^1 file, delta /);
      expect(await hashIn(service.container, '/data/blob.bin')).toBe(sha256(content));

      // Someone changes the file inside the container: pitstop's idea of it is stale. In place,
      // the same size (the same inode): nothing but the content and its mtime tell the change.
      const statIn = async () =>
        (await execIn(service.container, ['busybox', 'stat', '-c', '%i %s', '/data/blob.bin'], remoteEnv()))
          .output;
      const before = await statIn();
      const inside = await execIn(
        service.container,
        [
          'busybox',
          'dd',
          'if=/dev/urandom',
          'of=/data/blob.bin',
          'bs=1024',
          'count=4',
          'seek=16',
          'conv=notrunc',
        ],
        remoteEnv(),
      );
      expect(inside.code, inside.output).toBe(0);
      expect(await statIn()).toBe(before);
      expect(await hashIn(service.container, '/data/blob.bin')).not.toBe(sha256(content));

      content.write('second change', 500_000);
      record = await afterSave(service.session, 'web', () => fs.writeFileSync(file, content));
      expect(record.outcome, JSON.stringify(record.error)).toBe('ok');
      const sync = spanOf(record, 'sync')!;
      expect(sync.detail).toMatch(/^1 file, (gzip|raw) /);
      expect(sync.detail).toContain('the delta was refused');
      expect(sync.detail).toContain('base mismatch');
      expect(sync.detail).toContain('so the whole file went');
      // The whole file crossed.
      expect(sync.bytes!).toBeGreaterThan(0.9 * MB);
      expect(await hashIn(service.container, '/data/blob.bin')).toBe(sha256(content));
      expect(await tempFilesIn(service.container, '/data')).toEqual([]);
    }, 180_000);

    it('the registry goes down while a new image must travel through it: the image step fails naming the registry, the old container keeps serving', async () => {
      const name = uniqueName('regdown');
      const port = await remotePort();
      const dir = httpdProject(name, port, { registry: true, extra: ['fall_back_on: [Dockerfile]'] });
      const entry = track(name, dir);
      const session = startSession(dir, remoteEnv());
      entry.session = session;
      const start = await started(session, 'web', 180_000);
      expect(spanOf(start, 'image')?.detail).toMatch(/^10\.200\.0\.1:5001\/.+@sha256:[0-9a-f]{64}$/);
      const before = await theContainer(name, dir);
      expect(await fetchText(`http://${REMOTE_ADDR}:${port}/index.html`)).toBe('v1\n');

      registryDown();
      try {
        const record = await afterSave(
          session,
          'web',
          () =>
            writeFile(
              dir,
              'Dockerfile',
              HTTPD.replace('COPY www /www\n', 'COPY www /www\nRUN echo v2 > /www/index.html\n'),
            ),
          120_000,
        );
        expect(record.plan?.full, record.plan?.reason).toBe(true);
        expect(record.outcome).toBe('failed');
        expect(record.error?.step).toBe('image');
        expect(record.error?.message).toContain(REGISTRY_PUSH);
        expect(record.spans.map((s) => s.name)).not.toContain('stop');
        // What the user reads: the error event names the registry too, with a hint.
        const error = session.events.filter(is('error', (e) => e.service === 'web')).at(-1);
        expect(error?.message).toContain(REGISTRY_PUSH);
        // The old container still serves the old version.
        expect(await theContainer(name, dir)).toBe(before);
        expect(await fetchText(`http://${REMOTE_ADDR}:${port}/index.html`)).toBe('v1\n');
      } finally {
        registryUp();
      }
    }, 240_000);

    it('a registry that is up: the first start pushes and pulls by digest; a second `up` of the unchanged project builds and pulls nothing', async () => {
      const name = uniqueName('regup');
      const port = await remotePort();
      const dir = httpdProject(name, port, { registry: true });
      const entry = track(name, dir);
      const repo = `pitstop-${name}-web`;

      let session = startSession(dir, remoteEnv());
      entry.session = session;
      const first = await started(session, 'web', 180_000);
      const image = spanOf(first, 'image')!;
      expect(image.outcome).toBe('ok');
      const ref = image.detail!;
      expect(ref).toMatch(
        new RegExp(`^${REGISTRY_PULL.replaceAll('.', '\\.')}/${repo}@sha256:[0-9a-f]{64}$`),
      );
      expect((image.children ?? []).map((c) => c.detail)).toEqual(expect.arrayContaining(['push', 'pull']));
      // The remote runs exactly that image, pulled by digest.
      const container = await theContainer(name, dir);
      const runs = remoteDocker('inspect', '--format', '{{.Image}}', container);
      expect(remoteDocker('image', 'inspect', '--format', '{{.Id}}', ref)).toBe(runs);
      // ...which is what this machine's engine built and pushed.
      const digest = ref.slice(ref.indexOf('@') + 1);
      expect(docker('image', 'inspect', '--format', '{{join .RepoDigests " "}}', runs)).toContain(
        `${REGISTRY_PUSH}/${repo}@${digest}`,
      );
      expect(await fetchText(`http://${REMOTE_ADDR}:${port}/index.html`)).toBe('v1\n');
      expect((await session.stop()).exitCode).toBe(0);
      expect(await remoteLeftovers(name, dir)).toEqual([]);

      // Both engines run on this machine's clock: the second session's own events only.
      const since = (Date.now() / 1000).toFixed(3);
      session = startSession(dir, remoteEnv());
      entry.session = session;
      const second = await started(session, 'web', 180_000);
      const again = spanOf(second, 'image')!;
      expect(again.outcome).toBe('cached');
      expect(again.detail).toBe(ref);
      expect(await fetchText(`http://${REMOTE_ADDR}:${port}/index.html`)).toBe('v1\n');
      const until = (Date.now() / 1000 + 1).toFixed(3);
      // Nothing built, pushed or pulled meanwhile, by either engine.
      const imageEvents = (run: (...args: string[]) => string) =>
        run(
          'events',
          '--since',
          since,
          '--until',
          until,
          '--filter',
          'type=image',
          '--format',
          '{{.Action}} {{.Actor.ID}} {{json .Actor.Attributes}}',
        )
          .split('\n')
          .filter((line) => line.includes(repo));
      expect(imageEvents(remoteDocker), 'remote image events').toEqual([]);
      expect(imageEvents(docker), 'local image events').toEqual([]);

      // Leave the registry as it was found.
      await eventually(
        async () =>
          (await fetch(`http://${REGISTRY_PUSH}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' }))
            .status === 202,
        10_000,
        'the manifest deleted',
      );
    }, 240_000);
  },
  { registry: true },
);
