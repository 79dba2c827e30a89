// The Docker daemon restarting in the middle of a session (an upgrade, `systemctl restart
// docker`): pitstop says the service went down, waits for the daemon, brings the service's
// container back (the daemon stopped it; it is the same container, started again) and keeps
// applying live updates to it. Ctrl-C while the daemon is away still ends pitstop promptly.
//
// The machine's own daemon is never touched: each run starts a second dockerd with its own data,
// exec root and socket, inside a network namespace of its own. (A dockerd started in the host's
// namespace with --bridge=none deletes the host's docker0 bridge at start-up, which breaks the
// main daemon's default network — BuildKit RUN steps among others.) Published ports would live in
// that namespace, so the service publishes none: readiness is its log line, and what it serves
// is checked from inside the container.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PitstopSession } from '../../bench/lib/pitstop.js';
import type { PitstopEvent } from '../../src/events.js';
import { BUSYBOX_IMAGE } from '../../src/runtimes/docker/api/testing.js';
import { dockerAvailable, prepareBaseImages } from '../support/docker.js';
import {
  containersOf,
  type Env,
  execIn,
  leftoversOn,
  removeProjectOn,
  withDocker,
} from '../support/docker-env.js';
import { eventually, makeProject, processesIn, removeProjects, writeFile } from '../support/project.js';
import { finished, is, ready } from '../support/session.js';

const DOCKER_CLI = '/usr/bin/docker';

/** What a second daemon needs here: root, dockerd, the docker CLI (save/load), ip and nsenter. */
function secondDaemonPossible(): boolean {
  if (process.getuid?.() !== 0) return false;
  const has = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  return (
    has('dockerd', '--version') && fs.existsSync(DOCKER_CLI) && has('ip', '-V') && has('nsenter', '--version')
  );
}

/** A dockerd of our own: its folders, socket and network namespace, stopped and started at will. */
class SecondDaemon {
  readonly dir = fs.mkdtempSync('/tmp/pst-dd-');
  readonly netns = `pst-dd-${randomBytes(3).toString('hex')}`;
  readonly env: Env = { ...process.env, DOCKER_HOST: `unix://${this.dir}/docker.sock` };
  #child: ChildProcess | undefined;
  #log = path.join(this.dir, 'dockerd.log');

  constructor() {
    run('ip', 'netns', 'add', this.netns);
    run('nsenter', `--net=/run/netns/${this.netns}`, 'ip', 'link', 'set', 'lo', 'up');
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the daemon (nothing to do when it runs) and resolves once it answers. */
  async start(): Promise<void> {
    if (this.running) return;
    const log = fs.openSync(this.#log, 'a');
    // nsenter execs dockerd: the child is the daemon itself.
    const child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${this.netns}`,
        'dockerd',
        '--data-root',
        path.join(this.dir, 'data'),
        '--exec-root',
        path.join(this.dir, 'exec'),
        '--pidfile',
        path.join(this.dir, 'pid'),
        '-H',
        `unix://${this.dir}/docker.sock`,
        '--bridge=none',
        '--iptables=false',
      ],
      { stdio: ['ignore', log, log], detached: true },
    );
    fs.closeSync(log);
    this.#child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the second dockerd exited at start-up:\n${this.logTail()}`);
      }
      const up = await withDocker(this.env, (c) => c.system.ping({ timeoutMs: 1_000 })).then(
        () => true,
        () => false,
      );
      if (up) return;
      if (Date.now() > deadline)
        throw new Error(`the second dockerd did not answer in 60 s:\n${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM, as `systemctl stop docker` does; resolves once the daemon has exited. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  /** The busybox test image, tagged as the Dockerfiles name it. */
  async loadBusybox(): Promise<void> {
    const host = this.env.DOCKER_HOST;
    const r = spawnSync(
      '/bin/sh',
      ['-c', `${DOCKER_CLI} save ${BUSYBOX_IMAGE} | DOCKER_HOST=${host} ${DOCKER_CLI} load`],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    if (r.status !== 0) throw new Error(`loading ${BUSYBOX_IMAGE} failed: ${r.stderr}`);
    await withDocker(this.env, (c) => c.images.tag(BUSYBOX_IMAGE, 'busybox', '1.36'));
  }

  logTail(): string {
    try {
      return fs.readFileSync(this.#log, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Stops the daemon (and anything it left running), removes its folders and namespace. */
  async destroy(): Promise<void> {
    await this.stop();
    // Its containerd and shims, should a kill have left them (they run with paths in our folder).
    for (const pid of processesIn(this.dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(this.dir))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) spawnSync('umount', ['-l', m]);
    fs.rmSync(this.dir, { recursive: true, force: true });
    spawnSync('ip', ['netns', 'del', this.netns]);
  }
}

function run(cmd: string, ...args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

const DOCKERFILE = 'FROM busybox:1.36\nCOPY www /www\n';
const YAML = (name: string) =>
  [
    `name: ${name}`,
    'runtime: docker',
    'services:',
    '  web:',
    '    docker:',
    '      command: [busybox, sh, -c, "echo serving; exec busybox httpd -f -p 8080 -h /www"]',
    '    ready: { log: "^serving$", timeout: 30s }',
    '    live_update:',
    '      - sync: { from: www, to: /www }',
    '',
  ].join('\n');

let daemon: SecondDaemon | undefined;
const sessions: PitstopSession[] = [];
const made: { name: string; root: string }[] = [];

function project(): { dir: string; name: string } {
  const name = `daemon-restart-${randomBytes(4).toString('hex')}`;
  const dir = makeProject({ 'pitstop.yaml': YAML(name), Dockerfile: DOCKERFILE, 'www/index.html': 'v1\n' });
  made.push({ name, root: dir });
  return { dir, name };
}

function upOn(dir: string, env: Env): PitstopSession {
  const session = PitstopSession.start(dir, env);
  sessions.push(session);
  return session;
}

/** The session's events since `since`, one short line each, for a failure message. */
function eventsSince(session: PitstopSession, since: number): string {
  return session.events
    .slice(since)
    .filter((e) => e.type !== 'log')
    .map((e) => {
      if (e.type === 'update-finished')
        return `update-finished ${e.record.kind} ${e.record.outcome} ${e.record.error?.message ?? ''}`;
      if (e.type === 'service-state') return `state ${e.state} ${e.detail ?? ''}`;
      if (e.type === 'update-started') return `update-started ${e.kind}`;
      if (e.type === 'error' || e.type === 'warning') return `${e.type} ${e.message}`;
      if (e.type === 'step')
        return `step ${e.span.name} ${e.span.outcome} ${e.span.durationMs}ms ${e.span.detail ?? ''}`;
      return e.type;
    })
    .join('\n');
}

/** waitFor, with what happened meanwhile in the error. */
async function waitWith<T extends PitstopEvent>(
  session: PitstopSession,
  match: (e: PitstopEvent) => e is T,
  timeoutMs: number,
  since: number,
): Promise<T> {
  try {
    return await session.waitFor(match, timeoutMs, since);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nevents since:\n${eventsSince(session, since)}`);
  }
}

/** What the service answers, asked from inside its container (no port is published). */
async function served(container: string, env: Env): Promise<string | undefined> {
  const r = await execIn(container, ['busybox', 'wget', '-qO-', 'http://127.0.0.1:8080/index.html'], env);
  return r.code === 0 ? r.output : undefined;
}

describe.runIf(dockerAvailable() && secondDaemonPossible())(
  'the Docker daemon restarting mid-session',
  () => {
    beforeAll(async () => {
      await prepareBaseImages();
      daemon = new SecondDaemon();
      await daemon.start();
      await daemon.loadBusybox();
    }, 180_000);

    afterEach(async () => {
      for (const s of sessions.splice(0)) await s.stop();
      // Clean up on the daemon even when a test left it stopped.
      if (daemon) {
        await daemon.start().catch(() => undefined);
        for (const p of made.splice(0)) await removeProjectOn(daemon.env, p.name, p.root);
      }
    }, 120_000);

    afterAll(async () => {
      await daemon?.destroy();
      removeProjects();
    }, 120_000);

    it('reports the service down, waits for the daemon, starts the same container again, and live updates reach it', async () => {
      const env = daemon!.env;
      const { dir, name } = project();
      const session = upOn(dir, env);
      await ready(session, 120_000);
      const [before] = await containersOf(name, dir, { service: 'web', env });
      expect(before?.State).toBe('running');
      expect(await served(before!.Id, env)).toBe('v1');

      // The daemon goes away: it stops its containers as it shuts down.
      const since = session.events.length;
      await daemon!.stop();
      const down = await waitWith(
        session,
        is('service-state', (e) => e.service === 'web' && (e.state === 'crashed' || e.state === 'failed')),
        30_000,
        since,
      );
      expect(down.state, down.detail).toBe('crashed');
      // One exit, reported once: neither the supervisor's note nor the lost stream counts twice.
      const exits = () => session.events.slice(since).filter(is('error', (e) => e.service === 'web'));
      // pitstop tries to bring it back while the daemon is still away...
      await waitWith(
        session,
        is('update-started', (e) => e.service === 'web' && e.kind === 'crash'),
        30_000,
        since,
      );

      // ...and succeeds once the daemon is back.
      await daemon!.start();
      const back = await waitWith(
        session,
        is('update-finished', (e) => e.record.service === 'web' && e.record.outcome === 'ok'),
        90_000,
        since,
      );
      expect(back.record.kind).toBe('crash');
      expect(exits().map((e) => e.message)).toEqual([expect.stringMatching(/exited with code 143/)]);
      expect(back.record.spans.map((s) => s.name)).toEqual(expect.arrayContaining(['restart', 'ready']));
      // Whatever gave up on the way, the service ends ready, and stays so.
      await eventually(
        () =>
          session.events.filter(is('service-state', (e) => e.service === 'web')).at(-1)?.state === 'ready',
        30_000,
        'web to be ready',
      );
      const after = await containersOf(name, dir, { service: 'web', env });
      expect(after.map((c) => [c.Id, c.State])).toEqual([[before!.Id, 'running']]);
      expect(await served(before!.Id, env)).toBe('v1');

      // A live update after the restart goes through the new control channel.
      const beforeEdit = session.events.length;
      writeFile(dir, 'www/index.html', 'v2\n');
      const edit = (await waitWith(session, finished('web'), 30_000, beforeEdit)).record;
      expect(edit.outcome, edit.error?.message).toBe('ok');
      expect(edit.spans.map((s) => s.name)).toContain('sync');
      expect(await served(before!.Id, env)).toBe('v2');

      const report = await session.stop();
      expect(report).toMatchObject({ clean: true, exitCode: 0, stragglers: [] });
      expect(await leftoversOn(env, name, dir)).toEqual([]);
    }, 240_000);

    it('Ctrl-C while the daemon is away: pitstop exits promptly instead of waiting for it', async () => {
      const env = daemon!.env;
      const { dir } = project();
      const session = upOn(dir, env);
      await ready(session, 120_000);

      const since = session.events.length;
      await daemon!.stop();
      // Give pitstop time to be in the middle of a restart that waits for the daemon: an update
      // started a second ago and not finished. (A first attempt may fail at once, while the
      // daemon is still shutting down; a later one waits.) Stop it either way.
      const waiting = await eventually(
        () => {
          const started = session.events
            .slice(since)
            .filter(is('update-started', (e) => e.service === 'web' && e.kind === 'crash'))
            .at(-1);
          if (!started || Date.now() - started.at < 1_000) return false;
          return !session.events.some((e) => e.type === 'update-finished' && e.record.id === started.id);
        },
        10_000,
        'a restart waiting for the daemon',
      ).then(
        () => true,
        () => false,
      );
      const t0 = Date.now();
      const report = await session.stop(15_000);
      const took = Date.now() - t0;
      const how = waiting ? 'a restart was waiting for the daemon' : 'no restart was under way';
      expect(
        report.clean,
        `pitstop did not exit within 15 s of SIGTERM (${how}; killed after ${took} ms)`,
      ).toBe(true);
      expect(report.exitCode).toBe(0);
      expect(took).toBeLessThan(15_000);
    }, 120_000);
  },
);
