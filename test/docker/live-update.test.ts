// Every live-update action of the docker runtime against a real daemon, on small purpose-built
// projects (busybox images): what each save does is checked from outside, in the container
// (`docker exec`, `docker inspect`, `docker top`), not only in pitstop's own records.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PitstopSession } from '../../bench/lib/pitstop.js';
import type { UpdateRecord } from '../../src/model/update.js';
import { dockerAvailable, leftovers, prepareBaseImages, removeProject } from '../support/docker.js';
import {
  answer,
  containerIds,
  containerOf,
  dockerRun,
  execIn,
  inspectContainer,
  processesOf,
  removeImages,
} from '../support/docker-cli.js';
import {
  eventually,
  freePort,
  goAvailable,
  makeProject,
  parseEvents,
  removeProjects,
  runCliAsync,
  writeFile,
} from '../support/project.js';
import { finished, is, ready, stopSessions, up } from '../support/session.js';

const names = (r: UpdateRecord) => r.spans.map((s) => s.name);
const span = (r: UpdateRecord, name: string) => r.spans.find((s) => s.name === name);
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

/**
 * Saves (runs `save`, which changes `touched`, paths relative to the project) and resolves with the
 * next update record of `service` that carries one of them: a late record of an earlier save is
 * never taken for this one's.
 */
async function saved(
  session: PitstopSession,
  service: string,
  touched: string | string[],
  save: () => void,
  timeoutMs = 30_000,
): Promise<UpdateRecord> {
  const files = (Array.isArray(touched) ? touched : [touched]).map((f) => path.join(session.dir, f));
  const since = session.events.length;
  save();
  const mine = is(
    'update-finished',
    (e) => e.record.service === service && e.record.files.some((f) => files.includes(f)),
  );
  return (await session.waitFor(mine, timeoutMs, since)).record;
}

/** A file's text in the container, or undefined when it is not there. */
function catIn(id: string, file: string): string | undefined {
  const r = execIn(id, 'busybox', 'cat', file);
  return r.code === 0 ? r.stdout : undefined;
}

const listIn = (id: string, folder: string) =>
  execIn(id, 'busybox', 'ls', '-1', folder).stdout.split('\n').filter(Boolean).sort();

const modeIn = (id: string, file: string) => execIn(id, 'busybox', 'stat', '-c', '%a', file).stdout.trim();

/** The host pid of the container process whose command line starts with `command` (`docker top`). */
const childPid = (id: string, command: string) =>
  processesOf(id).find((p) => p.args.startsWith(command))?.pid;

// A small static page server whose process copies msg.txt at start: /boot.txt shows what the
// process saw when it (re)started, so a restart is visible from outside.
const BOOT_SERVER = `FROM busybox:1.36
COPY app /app
CMD ["sh", "-c", "busybox mkdir -p /tmp/www && busybox cp /app/msg.txt /tmp/www/boot.txt && exec busybox httpd -f -p 8080 -h /tmp/www"]
`;

describe.runIf(dockerAvailable())('docker live update', () => {
  beforeAll(() => prepareBaseImages(), 120_000);

  describe('one session, every action', () => {
    const name = uniqueName('pitstop-lu');
    let dir = '';
    let session: PitstopSession;
    let port: Record<'proc' | 'ctr' | 'fb', number>;
    const id = (service: string) => containerOf(name, dir, service);

    beforeAll(async () => {
      port = { proc: await freePort(), ctr: await freePort(), fb: await freePort() };
      dir = makeProject({
        'pitstop.yaml': `name: ${name}
runtime: docker
services:
  files:
    dir: files
    live_update:
      - sync: { from: site, to: /srv/site }
  runner:
    dir: runner
    docker: { image: "busybox:1.36", command: [busybox, sleep, "86400"] }
    live_update:
      - sync: { from: src, to: /work/src }
      - run: { cmd: "busybox touch /tmp/deps-installed", trigger: [deps.txt] }
      - run: { cmd: "busybox test -e /work/src/ok", trigger: [src/flag.txt] }
  proc:
    dir: proc
    ports: ["${port.proc}:8080"]
    ready: { http: "http://127.0.0.1:${port.proc}/boot.txt", timeout: 20s }
    live_update:
      - sync: { from: app, to: /app }
      - restart: process
  ctr:
    dir: ctr
    ports: ["${port.ctr}:8080"]
    ready: { http: "http://127.0.0.1:${port.ctr}/boot.txt", timeout: 20s }
    live_update:
      - sync: { from: app, to: /app }
      - restart: container
  fb:
    dir: fb
    ports: ["${port.fb}:8080"]
    ready: { http: "http://127.0.0.1:${port.fb}/index.html", timeout: 20s }
    live_update:
      - sync: { from: web, to: /app/web }
    fall_back_on: [config.txt]
`,
        'files/Dockerfile': 'FROM busybox:1.36\nCOPY site /srv/site\nCMD ["busybox", "sleep", "86400"]\n',
        'files/site/index.html': '<p>one</p>\n',
        'files/site/tool.sh': '#!/bin/sh\necho tool v1\n',
        'files/site/plain.txt': 'plain v1\n',
        'files/site/old.txt': 'to be deleted\n',
        'files/site/dir/a.txt': 'a\n',
        'files/site/dir/b.txt': 'b\n',
        'runner/deps.txt': 'deps v1\n',
        'runner/src/main.txt': 'main v1\n',
        'proc/Dockerfile': BOOT_SERVER,
        'proc/app/msg.txt': 'proc v1',
        'ctr/Dockerfile': BOOT_SERVER,
        'ctr/app/msg.txt': 'ctr v1',
        'fb/Dockerfile':
          'FROM busybox:1.36\nCOPY . /app\nCMD ["busybox", "httpd", "-f", "-p", "8080", "-h", "/app"]\n',
        'fb/.dockerignore': 'notes/\n',
        'fb/index.html': 'fb index\n',
        'fb/config.txt': 'config v1\n',
        'fb/other.txt': 'other v1\n',
        'fb/notes/todo.txt': 'not in the image\n',
        'fb/web/page.html': 'page v1\n',
      });
      fs.chmodSync(path.join(dir, 'files/site/tool.sh'), 0o755);
      fs.chmodSync(path.join(dir, 'files/site/plain.txt'), 0o644);
      session = up(dir);
      await ready(session, 90_000);
    }, 150_000);

    afterAll(async () => {
      await stopSessions();
      if (dir) await removeProject(name, dir);
      removeImages(name);
      removeProjects();
    });

    it('starts every service from its image (built: a fresh project builds each)', () => {
      const starts = session.records.filter((r) => r.kind === 'start');
      expect(starts.map((r) => r.service).sort()).toEqual(['ctr', 'fb', 'files', 'proc', 'runner']);
      for (const r of starts) {
        expect(r.outcome, `${r.service}: ${r.error?.message}`).toBe('ok');
        const image = span(r, 'image');
        if (r.service === 'runner')
          expect(image).toMatchObject({ outcome: 'cached', detail: 'busybox:1.36' });
        else {
          expect(image?.outcome).toBe('ok');
          expect(image?.detail).toMatch(new RegExp(`^pitstop-${name}-${r.service}:[0-9a-f]{12}`));
        }
      }
    });

    it('syncs a new file (in a new folder too) into the running container, nothing restarted', async () => {
      const before = id('files');
      const record = await saved(session, 'files', 'files/site/new.txt', () =>
        writeFile(dir, 'files/site/new.txt', 'brand new\n'),
      );
      expect(record, record.error?.message).toMatchObject({ kind: 'live', outcome: 'ok' });
      expect(names(record)).toEqual(['detect', 'plan', 'sync']);
      expect(span(record, 'sync')?.bytes).toBe('brand new\n'.length);
      expect(catIn(before, '/srv/site/new.txt')).toBe('brand new\n');

      // Folders the container does not have yet are made on the way.
      const nested = await saved(session, 'files', 'files/site/deep/er/nested.txt', () =>
        writeFile(dir, 'files/site/deep/er/nested.txt', 'nested\n'),
      );
      expect(nested, nested.error?.message).toMatchObject({ outcome: 'ok' });
      await eventually(
        () => catIn(before, '/srv/site/deep/er/nested.txt') === 'nested\n',
        10_000,
        'nested.txt in the container',
      );
      expect(id('files')).toBe(before);
      expect(inspectContainer(before).State.Running).toBe(true);
    });

    it('syncs a changed file keeping its mode: an executable script stays executable', async () => {
      const c = id('files');
      expect(modeIn(c, '/srv/site/tool.sh')).toBe('755');
      expect(execIn(c, '/srv/site/tool.sh').stdout).toBe('tool v1\n');
      const record = await saved(session, 'files', ['files/site/tool.sh', 'files/site/plain.txt'], () => {
        fs.writeFileSync(path.join(dir, 'files/site/tool.sh'), '#!/bin/sh\necho tool v2\n');
        fs.writeFileSync(path.join(dir, 'files/site/plain.txt'), 'plain v2\n');
      });
      expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
      expect(names(record)).toEqual(['detect', 'plan', 'sync']);
      expect(modeIn(c, '/srv/site/tool.sh')).toBe('755');
      expect(execIn(c, '/srv/site/tool.sh').stdout).toBe('tool v2\n');
      expect(modeIn(c, '/srv/site/plain.txt')).toBe('644');
      expect(catIn(c, '/srv/site/plain.txt')).toBe('plain v2\n');

      // A mode change alone travels too.
      const chmod = await saved(session, 'files', 'files/site/plain.txt', () =>
        fs.chmodSync(path.join(dir, 'files/site/plain.txt'), 0o750),
      );
      expect(chmod.outcome).toBe('ok');
      expect(modeIn(c, '/srv/site/plain.txt')).toBe('750');
    });

    it('removes a deleted file from the container', async () => {
      const c = id('files');
      expect(catIn(c, '/srv/site/old.txt')).toBe('to be deleted\n');
      const record = await saved(session, 'files', 'files/site/old.txt', () =>
        fs.rmSync(path.join(dir, 'files/site/old.txt')),
      );
      expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
      expect(record.plan?.syncs).toEqual([
        {
          from: path.join(dir, 'files/site/old.txt'),
          to: '/srv/site/old.txt',
          kind: 'delete',
          root: '/srv/site',
        },
      ]);
      expect(catIn(c, '/srv/site/old.txt')).toBeUndefined();
      expect(listIn(c, '/srv/site')).toContain('index.html');
    });

    it('a folder deleted and re-created in one batch ends with exactly its new files', async () => {
      const c = id('files');
      expect(listIn(c, '/srv/site/dir')).toEqual(['a.txt', 'b.txt']);
      const since = session.events.length;
      fs.rmSync(path.join(dir, 'files/site/dir'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'files/site/dir'));
      writeFile(dir, 'files/site/dir/c.txt', 'c\n');
      writeFile(dir, 'files/site/dir/d.txt', 'd\n');
      const record = (await session.waitFor(finished('files'), 30_000, since)).record;
      expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
      // Later batches (if the watcher split it) must converge on the same state.
      await eventually(
        () => listIn(c, '/srv/site/dir').join(',') === 'c.txt,d.txt',
        10_000,
        `/srv/site/dir to hold exactly c.txt, d.txt (has ${listIn(c, '/srv/site/dir').join(', ')})`,
      );
      expect(catIn(c, '/srv/site/dir/c.txt')).toBe('c\n');
      expect(catIn(c, '/srv/site/dir/d.txt')).toBe('d\n');
      const records = session.events
        .slice(since)
        .filter(finished('files'))
        .map((e) => e.record);
      expect(records.every((r) => r.outcome === 'ok')).toBe(true);
    });

    it('runs a command in the container when its trigger changes', async () => {
      const c = id('runner');
      expect(execIn(c, 'busybox', 'test', '-e', '/tmp/deps-installed').code).not.toBe(0);
      const record = await saved(session, 'runner', 'runner/deps.txt', () =>
        fs.writeFileSync(path.join(dir, 'runner/deps.txt'), 'deps v2\n'),
      );
      expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
      expect(names(record)).toEqual(['detect', 'plan', 'run']);
      expect(span(record, 'run')?.detail).toBe('busybox touch /tmp/deps-installed');
      expect(execIn(c, 'busybox', 'test', '-e', '/tmp/deps-installed').code).toBe(0);
      expect(id('runner')).toBe(c);
    });

    it('a failing run fails the update at "run", keeps the container, and the next save retries it', async () => {
      const c = id('runner');
      const failed = await saved(session, 'runner', 'runner/src/flag.txt', () =>
        writeFile(dir, 'runner/src/flag.txt', 'go\n'),
      );
      expect(failed.outcome).toBe('failed');
      expect(failed.error?.step).toBe('run');
      expect(failed.error?.message).toContain('busybox test -e /work/src/ok');
      expect(failed.error?.message).toContain('exited with code 1');
      // The synced file arrived before the command ran; the container keeps running as it was.
      expect(catIn(c, '/work/src/flag.txt')).toBe('go\n');
      expect(id('runner')).toBe(c);
      expect(inspectContainer(c).State.Running).toBe(true);
      const state = session.events.filter(is('service-state', (e) => e.service === 'runner')).at(-1);
      expect(state).toMatchObject({
        state: 'ready',
        detail: 'update failed: the last good version keeps serving',
      });

      // The next save (a file that triggers nothing by itself) carries the failed one again: the run re-runs.
      const retried = await saved(session, 'runner', 'runner/src/ok', () =>
        writeFile(dir, 'runner/src/ok', 'now it passes\n'),
      );
      expect(retried, retried.error?.message).toMatchObject({ outcome: 'ok' });
      expect(retried.files.sort()).toEqual([
        path.join(dir, 'runner/src/flag.txt'),
        path.join(dir, 'runner/src/ok'),
      ]);
      expect(names(retried)).toEqual(['detect', 'plan', 'sync', 'run']);
      expect(span(retried, 'run')).toMatchObject({ outcome: 'ok', detail: 'busybox test -e /work/src/ok' });
      expect(id('runner')).toBe(c);
    });

    it('restart: process restarts only the process: same container, supervisor still PID 1', async () => {
      const c = id('proc');
      const url = `http://127.0.0.1:${port.proc}/boot.txt`;
      expect(await answer(url)).toBe('proc v1');
      const supervisorPid = inspectContainer(c).State.Pid;
      const startedAt = inspectContainer(c).State.StartedAt;
      const httpd = childPid(c, 'busybox httpd');
      expect(httpd).toBeDefined();

      const record = await saved(session, 'proc', 'proc/app/msg.txt', () =>
        fs.writeFileSync(path.join(dir, 'proc/app/msg.txt'), 'proc v2'),
      );
      expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
      expect(names(record)).toEqual(['detect', 'plan', 'sync', 'restart', 'ready']);
      expect(span(record, 'restart')?.detail).toMatch(/^process: pid \d+$/);
      // The new process read the synced file when it started.
      expect(await answer(url)).toBe('proc v2');

      expect(id('proc')).toBe(c);
      const after = inspectContainer(c);
      expect(after.State.Pid).toBe(supervisorPid);
      expect(after.State.StartedAt).toBe(startedAt);
      expect(childPid(c, 'busybox httpd')).toBeDefined();
      expect(childPid(c, 'busybox httpd')).not.toBe(httpd);
      expect(execIn(c, 'busybox', 'cat', '/proc/1/cmdline').stdout.split('\0')[0]).toBe(
        '/.pitstop/supervisor',
      );
    });

    it('restart: container restarts the same container', async () => {
      const c = id('ctr');
      const url = `http://127.0.0.1:${port.ctr}/boot.txt`;
      expect(await answer(url)).toBe('ctr v1');
      const before = inspectContainer(c);

      const record = await saved(session, 'ctr', 'ctr/app/msg.txt', () =>
        fs.writeFileSync(path.join(dir, 'ctr/app/msg.txt'), 'ctr v2'),
      );
      expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
      expect(names(record)).toEqual(['detect', 'plan', 'sync', 'restart', 'ready']);
      expect(span(record, 'restart')?.detail).toContain('container');
      expect(await answer(url)).toBe('ctr v2');

      expect(id('ctr')).toBe(c);
      const after = inspectContainer(c);
      expect(after.State.Running).toBe(true);
      expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
      expect(after.State.Pid).not.toBe(before.State.Pid);
      expect(execIn(c, 'busybox', 'cat', '/proc/1/cmdline').stdout.split('\0')[0]).toBe(
        '/.pitstop/supervisor',
      );

      // Still connected after the restart: the next save is synced into it again.
      const again = await saved(session, 'ctr', 'ctr/app/msg.txt', () =>
        fs.writeFileSync(path.join(dir, 'ctr/app/msg.txt'), 'ctr v3'),
      );
      expect(again, again.error?.message).toMatchObject({ outcome: 'ok' });
      expect(await answer(url)).toBe('ctr v3');
      expect(id('ctr')).toBe(c);
    });

    /** The image tag (from the record's image span) and the container of fb after a fallback. */
    async function fallback(file: string, text: string, reason: RegExp) {
      const before = id('fb');
      const beforeImage = inspectContainer(before).Image;
      const record = await saved(
        session,
        'fb',
        `fb/${file}`,
        () => fs.writeFileSync(path.join(dir, 'fb', file), text),
        60_000,
      );
      expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
      expect(record.plan?.full).toBe(true);
      expect(record.plan?.reason).toMatch(reason);
      expect(names(record)).toEqual(['detect', 'plan', 'image', 'stop', 'start', 'ready']);
      const image = span(record, 'image')!;
      expect(image.outcome).toBe('ok');
      const after = id('fb');
      expect(after).not.toBe(before);
      expect(span(record, 'start')?.detail).toBe(`container ${after.slice(0, 12)}`);
      expect(inspectContainer(after).Image).not.toBe(beforeImage);
      expect(containerIds(name, dir, 'fb')).toEqual([after]);
      expect(await answer(`http://127.0.0.1:${port.fb}/${file}`)).toBe(text);
      return image.detail ?? '';
    }

    it('falls back to a new image and a new container on a fall_back_on change and on an uncovered change', async () => {
      const start = session.records.find((r) => r.service === 'fb' && r.kind === 'start')!;
      const firstTag = span(start, 'image')?.detail ?? '';
      const tag1 = await fallback(
        'config.txt',
        'config v2\n',
        /config\.txt matches fall_back_on "config\.txt"/,
      );
      const tag2 = await fallback(
        'other.txt',
        'other v2\n',
        /other\.txt is not covered by any live_update rule/,
      );
      const tags = [firstTag, tag1, tag2].map((t) => t.split(' ')[0]);
      for (const t of tags) expect(t).toMatch(new RegExp(`^pitstop-${name}-fb:[0-9a-f]{12}$`));
      expect(new Set(tags).size).toBe(3);
    });

    it('a change excluded by .dockerignore that no rule covers does nothing (noop)', async () => {
      const c = id('fb');
      expect(catIn(c, '/app/notes/todo.txt')).toBeUndefined();
      expect(catIn(c, '/app/other.txt')).toBe('other v2\n');
      const record = await saved(session, 'fb', 'fb/notes/todo.txt', () =>
        fs.writeFileSync(path.join(dir, 'fb/notes/todo.txt'), 'still not in the image\n'),
      );
      expect(record.outcome).toBe('noop');
      expect(record.plan?.reason).toBe('only files outside the image changed');
      expect(names(record)).not.toContain('image');
      expect(names(record)).not.toContain('sync');
      expect(id('fb')).toBe(c);
    });

    it('SIGTERM stops the session and removes every container and the network', async () => {
      const ids = containerIds(name, dir);
      expect(ids).toHaveLength(5);
      const report = await session.stop();
      expect(report).toMatchObject({ clean: true, exitCode: 0 });
      expect(await leftovers(name, dir)).toEqual([]);
      for (const c of ids) expect(dockerRun('inspect', '--type', 'container', c).code).not.toBe(0);
      expect(dockerRun('network', 'inspect', `pitstop-${name}`).code).not.toBe(0);
    });
  });

  describe('re-adoption and the skip cache', () => {
    const name = uniqueName('pitstop-adopt');
    let dir = '';

    afterEach(async () => {
      await stopSessions();
      if (dir) await removeProject(name, dir);
      removeImages(name);
      removeProjects();
    });

    async function killed(session: PitstopSession): Promise<void> {
      process.kill(session.pid, 'SIGKILL');
      await eventually(
        () => session.child.exitCode !== null || session.child.signalCode !== null,
        10_000,
        'pitstop to die',
      );
    }

    const startOf = (session: PitstopSession) => {
      const record = session.records.find((r) => r.service === 'web' && r.kind === 'start')!;
      expect(record.outcome, record.error?.message).toBe('ok');
      return record;
    };

    it('a new `up` after SIGKILL adopts the running container (same id, no image built), replaces one whose inputs changed, and `down` cleans up', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/boot.txt`;
      dir = makeProject({
        'pitstop.yaml': `name: ${name}
runtime: docker
services:
  web:
    dir: web
    ports: ["${port}:8080"]
    ready: { http: "${url}", timeout: 20s }
    live_update:
      - sync: { from: app, to: /app }
      - restart: process
`,
        'web/Dockerfile': BOOT_SERVER,
        'web/app/msg.txt': 'v1',
      });

      // A fresh project builds its image.
      const first = up(dir);
      await ready(first, 60_000);
      expect(span(startOf(first), 'image')?.outcome).toBe('ok');
      const c1 = containerOf(name, dir, 'web');
      expect(span(startOf(first), 'start')?.detail).toBe(`container ${c1.slice(0, 12)}`);

      // pitstop dies; the container does not.
      await killed(first);
      expect(inspectContainer(c1).State.Running).toBe(true);
      expect(await answer(url)).toBe('v1');

      // Unchanged project: no image build, the running container is taken over.
      const second = up(dir);
      await ready(second, 60_000);
      expect(span(startOf(second), 'image')?.outcome).toBe('cached');
      expect(span(startOf(second), 'start')?.detail).toBe(`container ${c1.slice(0, 12)} (adopted)`);
      expect(containerIds(name, dir)).toEqual([c1]);
      // ... and live-updated over a new channel: synced and its process restarted, in place.
      const record = await saved(second, 'web', 'web/app/msg.txt', () =>
        fs.writeFileSync(path.join(dir, 'web/app/msg.txt'), 'v2'),
      );
      expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
      expect(names(record)).toEqual(['detect', 'plan', 'sync', 'restart', 'ready']);
      expect(await answer(url)).toBe('v2');
      expect(containerIds(name, dir)).toEqual([c1]);

      // Killed again: the image inputs changed since c1 was made (msg.txt is in the context), so
      // the next `up` builds a new image and replaces c1 instead of adopting it.
      await killed(second);
      const third = up(dir);
      await ready(third, 60_000);
      expect(span(startOf(third), 'image')?.outcome).toBe('ok');
      const c3 = containerOf(name, dir, 'web');
      expect(c3).not.toBe(c1);
      expect(span(startOf(third), 'start')?.detail).toBe(`container ${c3.slice(0, 12)}`);
      expect(dockerRun('inspect', '--type', 'container', c1).code).not.toBe(0);
      expect(await answer(url)).toBe('v2');

      const down = await runCliAsync(['down'], dir);
      expect(down.code, down.stderr).toBe(0);
      await eventually(() => third.child.exitCode !== null, 30_000, 'pitstop up to exit');
      expect(third.child.exitCode).toBe(0);
      expect(await leftovers(name, dir)).toEqual([]);

      // `ci` of the unchanged project builds no image either, and leaves nothing.
      const ci = await runCliAsync(['ci', '--json'], dir, 120_000);
      expect(ci.code, ci.stderr).toBe(0);
      const records = parseEvents(ci.stdout)
        .filter(is('update-finished'))
        .map((e) => e.record);
      expect(records).toHaveLength(1);
      expect(records[0]?.outcome).toBe('ok');
      expect(span(records[0]!, 'image')?.outcome).toBe('cached');
      expect(await leftovers(name, dir)).toEqual([]);
    });

    it('an adopted container whose readiness is a log line becomes ready', async () => {
      dir = makeProject({
        'pitstop.yaml': `name: ${name}
runtime: docker
services:
  web:
    docker: { image: "busybox:1.36", command: [sh, -c, "echo serving now; exec busybox sleep 86400"] }
    ready: { log: "^serving now", timeout: 5s }
`,
      });
      const first = up(dir);
      await ready(first, 60_000);
      const c1 = containerOf(name, dir, 'web');
      await killed(first);

      const second = up(dir);
      const start = (await second.waitFor(finished('web'), 30_000)).record;
      expect(span(start, 'start')?.detail).toBe(`container ${c1.slice(0, 12)} (adopted)`);
      // The line was printed before this session attached: readiness must still see it.
      expect(start.outcome, start.error?.message).toBe('ok');
    });
  });

  describe('two checkouts of one project', () => {
    const name = uniqueName('pitstop-twin');
    const dirs: string[] = [];

    afterEach(async () => {
      await stopSessions();
      for (const d of dirs) await removeProject(name, d);
      removeProjects();
    });

    it('run side by side: each folder gets containers of its own (told apart by dev.pitstop.root)', async () => {
      const yaml = `name: ${name}
runtime: docker
services:
  app:
    docker: { image: "busybox:1.36", command: [busybox, sleep, "86400"] }
`;
      const [a, b] = [makeProject({ 'pitstop.yaml': yaml }), makeProject({ 'pitstop.yaml': yaml })] as [
        string,
        string,
      ];
      dirs.push(a, b);
      const session = up(a);
      await ready(session, 60_000);
      const inA = containerOf(name, a, 'app');

      const ci = await runCliAsync(['ci', '--json'], b, 60_000);
      const start = parseEvents(ci.stdout)
        .filter(is('update-finished'))
        .map((e) => e.record)[0];
      expect(start?.outcome, start?.error?.message).toBe('ok');
      expect(ci.code).toBe(0);
      // The other checkout's container was neither adopted nor touched.
      expect(containerOf(name, a, 'app')).toBe(inA);
      expect(inspectContainer(inA).State.Running).toBe(true);
      expect(await leftovers(name, b)).toEqual([]);

      expect(await session.stop()).toMatchObject({ clean: true, exitCode: 0 });
      expect(await leftovers(name, a)).toEqual([]);
    });
  });

  describe.runIf(goAvailable())('FROM scratch', () => {
    const name = uniqueName('pitstop-scratch');
    let dir = '';

    afterEach(async () => {
      await stopSessions();
      if (dir) await removeProject(name, dir);
      removeImages(name);
      removeProjects();
    });

    it('ships a host-compiled Go binary into an image with no shell and no tar, and restarts it', async () => {
      const port = await freePort();
      dir = makeProject({
        'pitstop.yaml': `name: ${name}
runtime: docker
services:
  app:
    build:
      - name: compile
        cmd: go build -o bin/app .
        inputs: ["**/*.go", go.mod]
        outputs: [bin]
        env: { CGO_ENABLED: "0", GOOS: linux }
    env: { PORT: "8080" }
    ports: ["${port}:8080"]
    ready: { http: "http://127.0.0.1:${port}/" }
    live_update:
      - sync: { from: bin/app, to: /app }
      - restart: process
`,
        Dockerfile: 'FROM scratch\nCOPY bin/app /app\nCMD ["/app"]\n',
        '.dockerignore': '*\n!bin/app\n',
        'go.mod': 'module example.com/scratch\n\ngo 1.19\n',
        'main.go': scratchServer('v1'),
      });
      const session = up(dir);
      await ready(session, 90_000);
      const url = `http://127.0.0.1:${port}/`;
      expect(await answer(url)).toBe('v1');
      const c = containerOf(name, dir, 'app');
      // Nothing but the binary and the supervisor: no shell, no tar to lean on.
      expect(execIn(c, '/bin/sh', '-c', 'true').code).not.toBe(0);
      expect(execIn(c, 'tar', '--version').code).not.toBe(0);
      const supervisorPid = inspectContainer(c).State.Pid;

      const record = await saved(
        session,
        'app',
        'main.go',
        () => fs.writeFileSync(path.join(dir, 'main.go'), scratchServer('v2')),
        60_000,
      );
      expect(record, record.error?.message).toMatchObject({ outcome: 'ok' });
      expect(names(record)).toEqual(['detect', 'plan', 'build', 'sync', 'restart', 'ready']);
      expect(span(record, 'sync')?.bytes).toBe(fs.statSync(path.join(dir, 'bin/app')).size);
      expect(await answer(url)).toBe('v2');
      expect(containerOf(name, dir, 'app')).toBe(c);
      expect(inspectContainer(c).State.Pid).toBe(supervisorPid);

      const stop = await session.stop();
      expect(stop).toMatchObject({ clean: true, exitCode: 0 });
      expect(await leftovers(name, dir)).toEqual([]);
    });
  });
});

function scratchServer(version: string): string {
  return `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "${version}") })
	if err := http.ListenAndServe(":"+os.Getenv("PORT"), nil); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
}
`;
}
