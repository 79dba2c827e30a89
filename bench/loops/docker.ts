// The Docker loops people script today, run with the docker CLI exactly as typed:
//   rebuild+replace: [host build &&] docker build && docker rm -f && docker run -d -p
//   copy:            [host build &&] docker cp <file> <ctr>:<path> [&& docker restart -t 0 <ctr>]
// No file watcher in front: the script starts the moment the edit is written, which leaves out
// the watcher's latency a real loop would add (in the baseline's favour). The container runs on
// a user-defined bridge network of its own, as Compose's and pitstop's containers do (and as
// the default bridge would: the same veth, bridge and port publishing).
import type { ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { BENCH_LABEL, DOCKER, dockerEnv, sweepLabel } from '../lib/docker.js';
import { versionFor, writeVersion } from '../lib/edit.js';
import type { EditResult, Loop } from '../lib/loops.js';
import { pollUntil } from '../lib/poll.js';
import { freePort } from '../lib/ports.js';
import { spawnGroup, stopGroup, Tail } from '../lib/procs.js';
import { copyFixture, removeDir } from '../lib/tmp.js';

export interface DockerLoopOptions {
  /** The loop's name in the report, e.g. "rebuild+replace". */
  name: string;
  /** Scenario id, for container and image names. */
  scenario: string;
  fixture: string;
  editFile: string;
  /** A host build run (by sh, in the fixture copy) before the image is built and on each edit. */
  hostBuild?: string;
  /**
   * What each edit runs after the write. `rebuild`: build the image again and replace the
   * container. `copy`: `docker cp` each of `copy` into the running container, then restart it
   * when `restart` is set.
   */
  mode: 'rebuild' | 'copy';
  copy?: { from: string; to: string }[];
  restart?: boolean;
  containerPort: number;
  /** Container environment (`-e`). */
  containerEnv?: Record<string, string>;
  healthPath: string;
  /** What the health path answers once the container serves; "ok" unless set. */
  healthExpect?: string;
  versionPath: string;
  /** Files (relative to the copy) whose sizes are the bytes each edit sends to the daemon. */
  sends: string[];
  /** Host environment: PATH with Go, CGO_ENABLED, ..., and DOCKER_HOST for a remote daemon. */
  env: NodeJS.ProcessEnv;
  /** Where the published port is reached: 127.0.0.1 unless set (a remote daemon's host). */
  host?: string;
  /** Picks the host port to publish; a free loopback port unless set. */
  port?: () => Promise<number>;
  runId: string;
  log(message: string): void;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** A container loop; its service's health URL lets a reference step poll the same way. */
export function dockerLoop(o: DockerLoopOptions): Loop & { healthUrl(): string | undefined } {
  const id = `${slug(o.scenario)}-${slug(o.name)}`;
  const container = `pitstop-bench-${o.runId}-${id}`;
  const image = `pitstop-bench-${id}:${o.runId}`;
  // Everything this loop makes carries both: the run's label for the final sweep, its own for teardown.
  const loopLabel = `${BENCH_LABEL}.loop=${o.runId}-${id}`;
  const labels = `--label ${BENCH_LABEL}=${o.runId} --label ${loopLabel}`;
  let dir: string | undefined;
  let port = 0;
  let running: ChildProcess | undefined;
  const output = new Tail(30);
  const host = o.host ?? '127.0.0.1';

  const build = () => `DOCKER_BUILDKIT=1 ${DOCKER} build ${labels} -t ${image} .`;
  const run = () => {
    const env = Object.entries(o.containerEnv ?? {})
      .map(([k, v]) => `-e ${k}=${q(v)}`)
      .join(' ');
    return `${DOCKER} run -d --name ${container} ${labels} --network ${container} -p ${port}:${o.containerPort} ${env} ${image}`;
  };
  const editScript = () => {
    const steps = o.hostBuild ? [o.hostBuild] : [];
    if (o.mode === 'rebuild') steps.push(build(), `${DOCKER} rm -f ${container}`, run());
    else {
      for (const c of o.copy ?? []) steps.push(`${DOCKER} cp ${c.from} ${container}:${c.to}`);
      if (o.restart) steps.push(`${DOCKER} restart -t 0 ${container}`);
    }
    return steps.join(' && ');
  };

  const sh = (script: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawnGroup('sh', ['-c', script], {
        cwd: dir!,
        env: dockerEnv(o.env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running = child;
      const tail = new Tail(15);
      const keep = (b: Buffer) => {
        for (const line of b.toString().split('\n')) {
          if (line.trim()) {
            tail.push(line);
            output.push(line);
          }
        }
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      child.on('error', reject);
      child.on('close', (code) => {
        running = undefined;
        if (code === 0) resolve();
        else reject(new Error(`the loop's script exited ${code}:\n${tail}`));
      });
    });

  return {
    name: o.name,
    healthUrl: () => (port ? `http://${host}:${port}${o.healthPath}` : undefined),
    async setup() {
      dir = copyFixture(o.fixture, id);
      port = await (o.port ?? freePort)();
      const first = o.hostBuild ? [o.hostBuild] : [];
      await sh(
        [...first, `${DOCKER} network create ${labels} ${container} >/dev/null`, build(), run()].join(' && '),
      );
      await pollUntil(`http://${host}:${port}${o.healthPath}`, o.healthExpect ?? 'ok', {
        timeoutMs: 60_000,
      });
    },
    async edit(n): Promise<EditResult> {
      const version = versionFor(o.runId, id, n);
      const writtenAt = writeVersion(path.join(dir!, o.editFile), version);
      // Polled from the write on, as for every loop: the same polling load on the machine.
      const live = pollUntil(`http://${host}:${port}${o.versionPath}`, version, { timeoutMs: 60_000 });
      // The script's failure is the answer; a poll that never matched is only its symptom.
      live.catch(() => undefined);
      await sh(editScript());
      let liveAt: number;
      try {
        liveAt = await live;
      } catch (err) {
        throw new Error(`${(err as Error).message}\nthe loop's output:\n${output}`);
      }
      const bytes = o.sends.reduce((sum, f) => sum + statSync(path.join(dir!, f)).size, 0);
      return { ms: liveAt - writtenAt, bytes };
    },
    async teardown() {
      if (running) await stopGroup(running, 2000);
      running = undefined;
      const removed = await sweepLabel(loopLabel, o.env).catch((err: Error) => [
        `sweep failed: ${err.message}`,
      ]);
      if (removed.some((r) => r.startsWith('sweep failed'))) o.log(`  ${o.name}: ${removed.join(', ')}`);
      if (dir) removeDir(dir);
      dir = undefined;
    },
    extra() {
      return { command: editScript().replaceAll(`${o.runId}`, '<run>') };
    },
  };
}
