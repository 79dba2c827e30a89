// Faults on the docker runtime, end to end against the real daemon: no daemon or a bad DOCKER_HOST,
// a Dockerfile that stops building while `up` runs, no Dockerfile at all, a host port already
// taken, a container that exits at once, saves during a container restart, a file or folder
// deleted and re-created in one batch, symlinks (and a symlink that would lead a write out of
// the synced folder), and Ctrl-C in the middle of an image build. Each says what went wrong, keeps
// what was serving serving, and leaves nothing on the daemon that it should not.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PitstopSession } from '../../bench/lib/pitstop.js';
import type { PitstopEvent } from '../../src/events.js';
import type { UpdateRecord } from '../../src/model/update.js';
import { dockerAvailable, prepareBaseImages } from '../support/docker.js';
import { inspectContainer, processesOf } from '../support/docker-cli.js';
import {
  containersNamed,
  containersOf,
  execIn,
  imagesOf,
  leftoversOn,
  removeProjectOn,
  runCliEnv,
} from '../support/docker-env.js';
import {
  eventually,
  freePort,
  get,
  makeProject,
  parseEvents,
  removeProjects,
  writeFile,
} from '../support/project.js';
import { finished, is, ready, sleep, stopClean, stopSessions, up } from '../support/session.js';

const HTTPD = [
  'FROM busybox:1.36',
  'COPY www /www',
  'CMD ["busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]',
  '',
].join('\n');

const made: { name: string; root: string }[] = [];
const servers: net.Server[] = [];

afterEach(async () => {
  await stopSessions();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  for (const p of made.splice(0)) await removeProjectOn(process.env, p.name, p.root);
});
afterAll(() => removeProjects());

/** A temp project on the docker runtime with its own name (so its containers are its own). */
function project(yaml: string, files: Record<string, string> = {}): { dir: string; name: string } {
  const name = `faults-${randomBytes(4).toString('hex')}`;
  const dir = makeProject({ 'pitstop.yaml': `name: ${name}\nruntime: docker\n${yaml}`, ...files });
  made.push({ name, root: dir });
  return { dir, name };
}

/** One service `web`: busybox httpd serving /www, published on `port`, ready when it answers. */
function webYaml(port: number, extra: string[] = []): string {
  return [
    'services:',
    '  web:',
    `    ports: ["${port}:8080"]`,
    `    ready: { http: "http://127.0.0.1:${port}/index.html", timeout: 30s }`,
    ...extra.map((l) => `    ${l}`),
    '',
  ].join('\n');
}

/**
 * `web`, an httpd that depends on `db`, from an image that is there already: a start ahead never
 * builds or pulls (that work belongs in the start's own record).
 */
function webAfterDb(port: number): string[] {
  return [
    '  web:',
    '    dir: web',
    '    docker:',
    '      image: busybox:1.36',
    '      command: [busybox, httpd, -f, -p, "8080", -h, /]',
    `    ports: ["${port}:8080"]`,
    `    ready: { tcp: ${port}, timeout: 30s }`,
    '    depends_on: [db]',
  ];
}

const ofType = <T extends PitstopEvent['type']>(events: PitstopEvent[], type: T) =>
  events.filter((e): e is Extract<PitstopEvent, { type: T }> => e.type === type);

const spanNames = (r: UpdateRecord) => r.spans.map((s) => s.name);

function noStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toContain('internal error');
}

/** The one running container of the service. */
async function theContainer(name: string, root: string, service = 'web') {
  const list = await containersOf(name, root, { service });
  expect(list.map((c) => c.State)).toEqual(['running']);
  return list[0]!;
}

async function cat(container: string, file: string): Promise<string | undefined> {
  const r = await execIn(container, ['busybox', 'cat', file]);
  return r.code === 0 ? r.output : undefined;
}

async function exists(container: string, file: string): Promise<boolean> {
  return (await execIn(container, ['busybox', 'test', '-e', file])).code === 0;
}

/**
 * Runs `change` while pitstop is paused (SIGSTOP), so its watcher reads all of the change's
 * events afterwards, as one burst: what a fast tool (git checkout, a formatter) does to it anyway.
 */
function whilePaused(session: PitstopSession, change: () => void): void {
  process.kill(session.pid, 'SIGSTOP');
  try {
    change();
  } finally {
    process.kill(session.pid, 'SIGCONT');
  }
}

/** Pids of live processes (containers' included) whose command line holds `word`. */
function processesMentioning(word: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(word)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** Waits until every update the session started has finished (the queue is drained). */
async function idle(session: PitstopSession, timeoutMs = 60_000): Promise<void> {
  await eventually(
    () => {
      const started = ofType(session.events, 'update-started').map((e) => e.id);
      const done = new Set(ofType(session.events, 'update-finished').map((e) => e.record.id));
      return started.every((id) => done.has(id));
    },
    timeoutMs,
    'every update to finish',
  );
}

describe.runIf(dockerAvailable())('docker runtime faults', () => {
  beforeAll(() => prepareBaseImages(), 180_000);

  describe('no daemon, bad DOCKER_HOST', () => {
    it('a daemon that is not running: exit 1, where it looked, how to start one, no stack trace', async () => {
      const socket = '/tmp/pitstop-no-daemon.sock';
      fs.rmSync(socket, { force: true });
      const { dir } = project(webYaml(await freePort()), { Dockerfile: HTTPD, 'www/index.html': 'v1\n' });
      const env = { ...process.env, DOCKER_HOST: `unix://${socket}` };

      const result = await runCliEnv(['ci'], dir, env);
      const all = result.stdout + result.stderr;
      expect(result.code, all).toBe(1);
      expect(result.stderr).toContain(`cannot reach the Docker daemon at unix://${socket}`);
      expect(result.stderr).toMatch(/hint: start the daemon with .*dockerd/);
      expect(result.stderr).toContain('DOCKER_HOST');
      noStackTrace(all);
      expect(fs.existsSync(path.join(dir, '.pitstop', 'session.json'))).toBe(false);

      // The same as one JSON event for tools.
      const json = await runCliEnv(['ci', '--json'], dir, env);
      expect(json.code).toBe(1);
      const fatal = `${json.stdout}\n${json.stderr}`
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type: string; message?: string; hint?: string })
        .find((e) => e.type === 'fatal');
      expect(fatal).toMatchObject({
        message: expect.stringContaining(`cannot reach the Docker daemon at unix://${socket}`),
        hint: expect.stringContaining('start the daemon'),
      });
    });

    it('a DOCKER_HOST with a scheme pitstop cannot speak: exit 2 (bad command line), the schemes it can', async () => {
      const { dir } = project(webYaml(await freePort()), { Dockerfile: HTTPD, 'www/index.html': 'v1\n' });
      const result = await runCliEnv(['ci'], dir, { ...process.env, DOCKER_HOST: 'ftp://x' });
      const all = result.stdout + result.stderr;
      expect(result.code, all).toBe(2);
      expect(result.stderr).toContain(
        'cannot use the Docker host "ftp://x" from DOCKER_HOST: the scheme ftp:// is not supported',
      );
      expect(result.stderr).toMatch(/hint: use one of unix:\/\/, tcp:\/\/.*ssh:\/\//);
      noStackTrace(all);
    });
  });

  describe('image builds', () => {
    it('a Dockerfile broken while `up` runs: the update fails at "image" with the build output, the old container keeps serving; the fix replaces it', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/index.html`;
      const { dir, name } = project(
        webYaml(port, ['live_update:', '  - sync: { from: www, to: /www }', 'fall_back_on: [Dockerfile]']),
        { Dockerfile: HTTPD, 'www/index.html': 'v1\n' },
      );
      const session = up(dir);
      await ready(session, 120_000);
      expect(await get(url)).toBe('v1\n');
      const before = await theContainer(name, dir);

      let since = session.events.length;
      writeFile(
        dir,
        'Dockerfile',
        HTTPD.replace('COPY www /www\n', 'COPY www /www\nRUN echo broken-build-marker && false\n'),
      );
      const failed = (await session.waitFor(finished('web'), 120_000, since)).record;
      expect(failed.kind).toBe('live');
      expect(failed.plan?.full, failed.plan?.reason).toBe(true);
      expect(failed.outcome).toBe('failed');
      expect(failed.error?.step).toBe('image');
      expect(failed.error?.message).toContain('image build of web failed');
      // The build's own output is what the user needs to see.
      expect(failed.error?.logTail?.join('\n')).toContain('broken-build-marker');
      expect(spanNames(failed)).not.toContain('stop');
      // The same container still serves the old version.
      expect(await get(url)).toBe('v1\n');
      expect((await theContainer(name, dir)).Id).toBe(before.Id);
      // ...and the state says so (not "failed"): the running version is untouched.
      const state = session.events
        .slice(since)
        .filter(is('service-state', (e) => e.service === 'web'))
        .at(-1);
      expect
        .soft(state, 'state after a failed image build while the old container keeps serving')
        .toMatchObject({ state: 'ready', detail: 'update failed: the last good version keeps serving' });

      since = session.events.length;
      writeFile(
        dir,
        'Dockerfile',
        HTTPD.replace('COPY www /www\n', 'COPY www /www\nRUN echo v2 > /www/index.html\n'),
      );
      const fixed = (await session.waitFor(finished('web'), 120_000, since)).record;
      expect(fixed.outcome, fixed.error?.message).toBe('ok');
      expect(spanNames(fixed)).toEqual(expect.arrayContaining(['image', 'stop', 'start', 'ready']));
      expect(await get(url)).toBe('v2\n');
      const after = await theContainer(name, dir);
      expect(after.Id).not.toBe(before.Id);
      await stopClean(session);
      expect(await leftoversOn(process.env, name, dir)).toEqual([]);
    });

    it('no Dockerfile and no image: exit 3 naming the service, file:line:col and a hint; nothing is created', async () => {
      const port = await freePort();
      const { dir, name } = project(`services:\n  web:\n    ports: ["${port}:8080"]\n`, {
        'www/index.html': 'v1\n',
      });
      const result = await runCliEnv(['ci'], dir, process.env);
      const all = result.stdout + result.stderr;
      expect(result.code, all).toBe(3);
      expect(result.stderr).toContain(
        'pitstop.yaml:4:3: services.web: runtime docker needs a Dockerfile, and there is none at Dockerfile',
      );
      expect(result.stderr).toContain('hint: write Dockerfile, set docker.image');
      noStackTrace(all);
      expect(await leftoversOn(process.env, name, dir)).toEqual([]);
      expect(await imagesOf(name)).toEqual([]);
      expect(await containersNamed(`pitstop-${name}-web`)).toEqual([]);
      expect(fs.existsSync(path.join(dir, '.pitstop', 'docker-used'))).toBe(false);
    });

    it('Ctrl-C during an image build: pitstop exits promptly and leaves no container, not even a half-created one', async () => {
      const port = await freePort();
      // The RUN's shell carries a unique word in its command line: it can be found in /proc.
      const marker = `sleeper-${randomBytes(4).toString('hex')}`;
      const { dir, name } = project(webYaml(port), {
        Dockerfile: HTTPD.replace(
          'COPY www /www\n',
          `COPY www /www\nRUN echo build-is-running && sleep 20 && echo ${marker}\n`,
        ),
        'www/index.html': 'v1\n',
      });
      const session = up(dir);
      // The build's RUN has printed its line: the build is under way in the daemon.
      await session.waitFor(
        is('log', (e) => e.service === 'web' && e.line === 'build-is-running'),
        60_000,
      );
      expect(session.errors.lines).toEqual([]);
      expect(processesMentioning(marker).length, 'the RUN step is running').toBeGreaterThan(0);
      const t0 = Date.now();
      // Ctrl-C in a terminal signals the whole foreground process group.
      process.kill(-session.pid, 'SIGINT');
      const exited = await new Promise<boolean>((resolve) => {
        if (session.child.exitCode !== null || session.child.signalCode !== null) return resolve(true);
        const timer = setTimeout(() => resolve(false), 15_000);
        session.child.once('exit', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      const took = Date.now() - t0;
      expect(exited, `pitstop still running ${took} ms after SIGINT`).toBe(true);
      expect(took).toBeLessThan(15_000);
      expect(session.child.exitCode, session.stderr.toString()).toBe(0);
      noStackTrace(session.stderr.toString());

      expect(ofType(session.events, 'update-started').map((e) => e.kind)).toEqual(['start']);
      expect(ofType(session.events, 'step').map((e) => e.span.name)).not.toContain('start');
      expect(await leftoversOn(process.env, name, dir)).toEqual([]);
      expect(await containersNamed(`pitstop-${name}-web`)).toEqual([]);
      // The build was cancelled in the daemon, not left to finish behind pitstop's back.
      await eventually(() => processesMentioning(marker).length === 0, 10_000, 'the RUN step to stop');
      expect(await imagesOf(name)).toEqual([]);
      expect(fs.existsSync(path.join(dir, '.pitstop', 'session.json'))).toBe(false);
    });
  });

  describe('starting', () => {
    it('Ctrl-C while a dependent waits with its container started ahead: its process never ran, nothing is left', async () => {
      const port = await freePort();
      const { dir, name } = project(
        [
          'services:',
          '  db:',
          '    dir: db',
          // Never ready: the dependent waits for as long as the test wants.
          '    ready: { log: "never printed", timeout: 120s }',
          ...webAfterDb(port),
          '',
        ].join('\n'),
        {
          'db/Dockerfile': HTTPD,
          'db/www/index.html': 'db\n',
          'web/.keep': '',
        },
      );
      const session = up(dir);
      const web = await eventually(
        async () => (await containersOf(name, dir, { service: 'web' })).find((c) => c.State === 'running'),
        60_000,
        "web's container to start ahead",
      );
      expect(session.events.filter(is('update-started', (e) => e.service === 'web'))).toEqual([]);
      // The container runs; the service's process in it does not, yet: the supervisor alone.
      expect(processesOf(web.Id).map((p) => p.args)).toEqual([expect.stringMatching(/supervisor/)]);

      process.kill(-session.pid, 'SIGINT');
      await eventually(() => session.child.exitCode !== null, 20_000, 'pitstop to exit');
      expect(session.child.exitCode, session.stderr.toString()).toBe(0);
      noStackTrace(session.stderr.toString());
      expect(await leftoversOn(process.env, name, dir)).toEqual([]);
    });

    it('a dependent started ahead runs its process only once its dependency is ready, in the same container', async () => {
      const port = await freePort();
      const { dir, name } = project(
        [
          'services:',
          '  db:',
          '    dir: db',
          '    docker:',
          '      image: busybox:1.36',
          '      command: [busybox, sh, -c, "sleep 2; echo db-up; exec busybox sleep 3600"]',
          '    ready: { log: db-up, timeout: 60s }',
          ...webAfterDb(port),
          '',
        ].join('\n'),
        { 'db/.keep': '', 'web/.keep': '' },
      );
      const session = up(dir);
      await ready(session, 60_000);
      const dbReady = session.events.find(
        is('service-state', (e) => e.service === 'db' && e.state === 'ready'),
      )!.at;
      const webStart = session.events.find(
        is('update-finished', (e) => e.record.service === 'web' && e.record.kind === 'start'),
      )!.record;
      expect(webStart.outcome).toBe('ok');
      expect(webStart.startedAt).toBeGreaterThanOrEqual(dbReady);
      expect(webStart.spans.find((s) => s.name === 'start')?.detail).toMatch(
        /, started \S+ ahead and held until now$/,
      );
      const [web] = await containersOf(name, dir, { service: 'web' });
      expect(new Date(inspectContainer(web!.Id).State.StartedAt).getTime()).toBeLessThan(dbReady);
      expect(processesOf(web!.Id).map((p) => p.args)).toContainEqual(expect.stringContaining('httpd'));
      await stopClean(session);
      expect(await leftoversOn(process.env, name, dir)).toEqual([]);
    });

    it('a host port already in use: exit 1 "port N is already in use", nothing left on the daemon', async () => {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      const { dir, name } = project(webYaml(port), { Dockerfile: HTTPD, 'www/index.html': 'v1\n' });

      const result = await runCliEnv(['ci'], dir, process.env);
      const all = result.stdout + result.stderr;
      expect(result.code, all).toBe(1);
      expect(all).toContain(`port ${port} is already in use`);
      expect(result.stdout).toMatch(/^ci: failed after /m);
      noStackTrace(all);
      expect(await leftoversOn(process.env, name, dir)).toEqual([]);
      expect(await containersNamed(`pitstop-${name}-web`)).toEqual([]);
    });

    it('a container that exits at once (nothing to wait for): ci fails with its exit code and its last line', async () => {
      // Whether the exit lands before or after the instant "ready" is a race: try it five times.
      const projects = [1, 2, 3, 4, 5].map(() =>
        project(
          [
            'services:',
            '  boom:',
            '    docker:',
            '      image: busybox:1.36',
            '      command: [busybox, sh, -c, "echo boom; exit 3"]',
            '',
          ].join('\n'),
        ),
      );
      const results = await Promise.all(projects.map(({ dir }) => runCliEnv(['ci'], dir, process.env)));
      for (const result of results) {
        const all = result.stdout + result.stderr;
        expect(result.code, all).toBe(1);
        expect(all).toContain('exited with code 3');
        // The error shows the service's last output under it.
        expect(all).toMatch(/exited with code 3\n\s+│ boom$/m);
        expect(result.stdout).not.toContain('ci: all services ready');
        noStackTrace(all);
      }
      for (const { dir, name } of projects) expect(await leftoversOn(process.env, name, dir)).toEqual([]);
    });

    it('a container that exits at once while its readiness is checked: ci fails with its exit code and its last line', async () => {
      // The exit and the last output line travel on two streams: try it five times.
      const projects = await Promise.all(
        [1, 2, 3, 4, 5].map(async () => {
          const port = await freePort();
          return project(
            [
              'services:',
              '  boom:',
              '    docker:',
              '      image: busybox:1.36',
              '      command: [busybox, sh, -c, "echo boom; exit 3"]',
              `    ports: ["${port}:8080"]`,
              `    ready: { http: "http://127.0.0.1:${port}/", timeout: 30s }`,
              '',
            ].join('\n'),
          );
        }),
      );
      const results = await Promise.all(
        projects.map(({ dir }) => runCliEnv(['ci', '--json'], dir, process.env)),
      );
      for (const result of results) {
        expect(result.code, result.stdout + result.stderr).toBe(1);
        const events = parseEvents(result.stdout);
        const record = ofType(events, 'update-finished')[0]?.record;
        expect(record).toMatchObject({ service: 'boom', kind: 'start' });
        expect(record?.outcome).not.toBe('ok');
        expect(ofType(events, 'log').map((e) => e.line)).toContain('boom');
        const error = ofType(events, 'error').find((e) => e.service === 'boom');
        expect(error?.message).toBe('boom exited with code 3');
        // The crash report carries the service's last line.
        expect(error?.logTail, 'logTail of the crash report').toEqual(['boom']);
      }
      for (const { dir, name } of projects) expect(await leftoversOn(process.env, name, dir)).toEqual([]);
    });

    it('TCP readiness on a published port is not fooled by docker-proxy: a container that never listens is not ready', async () => {
      // docker-proxy accepts on the host port whether or not anything listens in the container.
      const port = await freePort();
      const { dir, name } = project(
        [
          'services:',
          '  quiet:',
          '    docker:',
          '      image: busybox:1.36',
          '      command: [busybox, sleep, "600"]',
          `    ports: ["${port}:8080"]`,
          '    ready: { tcp: ' + port + ', timeout: 3s }',
          '',
        ].join('\n'),
      );
      const result = await runCliEnv(['ci'], dir, process.env);
      const all = result.stdout + result.stderr;
      expect(result.code, all).toBe(1);
      expect(result.stdout).not.toContain('ci: all services ready');
      expect(all).toContain('did not become ready within 3s');
      expect(await leftoversOn(process.env, name, dir)).toEqual([]);
    });
  });

  describe('live updates', () => {
    it('saves in rapid succession while the container restarts: what is served ends equal to the last write', async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/index.html`;
      const { dir, name } = project(
        webYaml(port, ['live_update:', '  - sync: { from: www, to: /www }', '  - restart: container']),
        { Dockerfile: HTTPD, 'www/index.html': 'v0\n' },
      );
      const session = up(dir);
      await ready(session, 120_000);
      const before = await theContainer(name, dir);

      const since = session.events.length;
      writeFile(dir, 'www/index.html', 'r0\n');
      // The first save's update is restarting the container: keep saving through it.
      await session.waitFor(
        is(
          'service-state',
          (e) => e.service === 'web' && e.state === 'updating' && /restart container/.test(e.detail ?? ''),
        ),
        30_000,
        since,
      );
      let last = '';
      for (let i = 1; i <= 15; i++) {
        last = `r${i}\n`;
        writeFile(dir, 'www/index.html', last);
        await sleep(40);
      }
      await eventually(
        async () => (await get(url)) === last,
        60_000,
        `GET to answer ${JSON.stringify(last)}`,
      );
      await idle(session);

      const records = session.records.filter((r) => r.service === 'web' && r.kind === 'live');
      expect(records.length).toBeGreaterThanOrEqual(2);
      expect(records.filter((r) => r.outcome === 'failed').map((r) => r.error?.message)).toEqual([]);
      expect(records.at(-1)?.outcome).toBe('ok');
      const container = await theContainer(name, dir);
      // `restart: container` restarts the same container; the file in it is the last one written.
      expect(container.Id).toBe(before.Id);
      expect(await cat(container.Id, '/www/index.html')).toBe(last.trimEnd());
      expect(await get(url)).toBe(last);
      await stopClean(session);
    });

    it('a file, and a folder, deleted and re-created in one batch: the container has the new content and nothing stale', async () => {
      const port = await freePort();
      const { dir, name } = project(webYaml(port, ['live_update:', '  - sync: { from: www, to: /www }']), {
        Dockerfile: HTTPD,
        'www/index.html': 'v1\n',
        'www/a.txt': 'old a\n',
        'www/sub/f.txt': 'old f\n',
        'www/sub/stale.txt': 'stale\n',
      });
      const session = up(dir);
      await ready(session, 120_000);
      const container = await theContainer(name, dir);
      expect(await cat(container.Id, '/www/sub/stale.txt')).toBe('stale');

      const since = session.events.length;
      // One burst that pitstop reads only once it is over: one batch.
      whilePaused(session, () => {
        fs.rmSync(path.join(dir, 'www', 'a.txt'));
        fs.writeFileSync(path.join(dir, 'www', 'a.txt'), 'new a\n');
        fs.rmSync(path.join(dir, 'www', 'sub'), { recursive: true });
        fs.mkdirSync(path.join(dir, 'www', 'sub'));
        fs.writeFileSync(path.join(dir, 'www', 'sub', 'f.txt'), 'new f\n');
      });
      await session.waitFor(finished('web'), 30_000, since);
      await idle(session);

      const records = session.records.filter((r) => r.service === 'web' && r.kind === 'live');
      expect(records.map((r) => r.outcome)).not.toContain('failed');
      expect(await cat(container.Id, '/www/a.txt')).toBe('new a');
      expect(await cat(container.Id, '/www/sub/f.txt')).toBe('new f');
      expect(await exists(container.Id, '/www/sub/stale.txt')).toBe(false);
      expect(await get(`http://127.0.0.1:${port}/sub/f.txt`)).toBe('new f\n');
      // Synced in place, no restart.
      expect((await theContainer(name, dir)).Id).toBe(container.Id);
      await stopClean(session);
    });

    it('symlinks arrive as symlinks, a symlink to a folder outside the synced tree brings none of its files', async () => {
      const port = await freePort();
      const { dir, name } = project(webYaml(port, ['live_update:', '  - sync: { from: www, to: /www }']), {
        Dockerfile: HTTPD,
        'www/index.html': 'v1\n',
        'outside/secret-outside.txt': 'secret\n',
      });
      const session = up(dir);
      await ready(session, 120_000);
      const container = await theContainer(name, dir);

      const since = session.events.length;
      fs.symlinkSync('index.html', path.join(dir, 'www', 'link.html'));
      fs.symlinkSync('/etc', path.join(dir, 'www', 'etc-link'));
      fs.symlinkSync('../outside', path.join(dir, 'www', 'ext'));
      await session.waitFor(finished('web'), 30_000, since);
      await idle(session);
      expect(session.records.filter((r) => r.kind === 'live').map((r) => r.outcome)).not.toContain('failed');

      const readlink = async (p: string) => (await execIn(container.Id, ['busybox', 'readlink', p])).output;
      expect(await readlink('/www/link.html')).toBe('index.html');
      expect(await readlink('/www/etc-link')).toBe('/etc');
      expect(await readlink('/www/ext')).toBe('../outside');
      expect(await get(`http://127.0.0.1:${port}/link.html`)).toBe('v1\n');
      // Nothing of what the links point at on the host was copied into the container.
      const found = await execIn(container.Id, [
        'busybox',
        'find',
        '/',
        '-xdev',
        '-name',
        'secret-outside.txt',
      ]);
      expect(found.output.trim()).toBe('');
      await stopClean(session);
    });

    it('a symlinked folder replaced by a real one in one batch: its new file lands inside `to`, never where the old link pointed', async () => {
      const port = await freePort();
      const { dir, name } = project(webYaml(port, ['live_update:', '  - sync: { from: www, to: /www }']), {
        Dockerfile: HTTPD,
        'www/index.html': 'v1\n',
      });
      const session = up(dir);
      await ready(session, 120_000);
      const container = await theContainer(name, dir);

      // First a link to a folder outside /www (it exists in the container: /tmp).
      let since = session.events.length;
      fs.symlinkSync('/tmp', path.join(dir, 'www', 'out'));
      await session.waitFor(finished('web'), 30_000, since);
      await idle(session);
      expect((await execIn(container.Id, ['busybox', 'readlink', '/www/out'])).output).toBe('/tmp');

      // Then, in one batch (pitstop reads it once it is over), the link becomes a real folder
      // with a file in it. Unpaused, pitstop sometimes sees the link's deletion on its own.
      since = session.events.length;
      whilePaused(session, () => {
        fs.rmSync(path.join(dir, 'www', 'out'));
        fs.mkdirSync(path.join(dir, 'www', 'out'));
        fs.writeFileSync(path.join(dir, 'www', 'out', 'pwned.txt'), 'inside\n');
      });
      await session.waitFor(finished('web'), 30_000, since);
      await idle(session);

      const syncs = JSON.stringify(
        session.records.slice(-2).map((r) => r.plan?.syncs.map((op) => `${op.kind} ${op.to}`)),
      );
      // Nothing written outside the rule's `to` (/www): not through the old link into /tmp.
      expect(await exists(container.Id, '/tmp/pwned.txt'), `syncs ${syncs}`).toBe(false);
      // And the container matches the disk: /www/out is a folder holding the file.
      const kind = await execIn(container.Id, ['busybox', 'stat', '-c', '%F', '/www/out']);
      expect(kind.output).toBe('directory');
      expect(await cat(container.Id, '/www/out/pwned.txt')).toBe('inside');
      await stopClean(session);
    });
  });
});
