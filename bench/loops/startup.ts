// Starting a whole project: `pitstop up --json` in a prepared project folder, timed from the
// spawn to the `all-ready` event as the bench reads it (what a developer waits for, CLI start
// included), then `pitstop up` is stopped (SIGTERM, as Ctrl-C) and `pitstop down` runs, both
// untimed. `cold` removes the project's images and pitstop's state before each start: the
// project's first start. Otherwise the images of the first start are there: a warm start.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import {
  docker,
  dockerLeftovers,
  imagesWithLabel,
  PITSTOP_PROJECT_LABEL,
  sweepLabel,
} from '../lib/docker.js';
import { now } from '../lib/edit.js';
import type { EditResult, Loop } from '../lib/loops.js';
import { PitstopSession } from '../lib/pitstop.js';
import { freePort } from '../lib/ports.js';
import { makeTempDir, pitstopBin, removeDir } from '../lib/tmp.js';

export interface StartupLoopOptions {
  name: string;
  /** The project name written in pitstop.yaml: its label finds the images and containers. */
  project: string;
  /** How many host ports the project publishes. */
  ports: number;
  /** Writes the project (pitstop.yaml and the services' folders) into `dir`. */
  write(dir: string, project: string, ports: number[]): void;
  cold: boolean;
  env: NodeJS.ProcessEnv;
  log(message: string): void;
}

function pitstopDown(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [pitstopBin, 'down'], {
      cwd: dir,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`pitstop down exited ${code}: ${stderr.trim().slice(-300)}`)),
    );
  });
}

export function startupLoop(o: StartupLoopOptions): Loop {
  let dir: string | undefined;
  let session: PitstopSession | undefined;
  let unclean = 0;
  /** Most images built by one start after the setup's (warm-ups included): the warm loop's must be 0. */
  let maxBuilds = 0;
  let starts = 0;
  const leftovers = new Set<string>();
  const label = `${PITSTOP_PROJECT_LABEL}=${o.project}`;

  /** One `pitstop up` to all-ready; then stopped and `down`. */
  const start = async (): Promise<EditResult> => {
    const spawnedAt = now();
    const s = PitstopSession.start(dir!, o.env);
    session = s;
    let readyAt: number;
    let selfMs: number;
    let stopMs = 0;
    let downMs = 0;
    try {
      const ready = await s.waitReady(180_000);
      readyAt = now();
      selfMs = ready.durationMs;
    } finally {
      // Stopped either way; a start that failed still must not leave containers behind.
      const stopAt = now();
      const stopped = await s.stop();
      stopMs = now() - stopAt;
      session = undefined;
      if (!stopped.clean || stopped.stragglers.length) unclean++;
      // On SIGTERM pitstop removes its containers and network itself; `down` is the backstop.
      for (const l of await dockerLeftovers(o.project)) leftovers.add(`${l} (after SIGTERM)`);
      const downAt = now();
      await pitstopDown(dir!, o.env);
      downMs = now() - downAt;
      for (const l of await dockerLeftovers(o.project)) leftovers.add(`${l} (after down)`);
    }
    const sessionAt = s.events.find((e) => e.type === 'session-started')?.at;
    const steps = s.events.flatMap((e) => (e.type === 'step' ? [e] : []));
    const images = steps.filter((e) => e.span.name === 'image');
    // Per step, the sum over the project's services (they start in parallel where they can).
    const sums: Record<string, number> = {};
    for (const e of steps) sums[e.span.name] = (sums[e.span.name] ?? 0) + e.span.durationMs;
    const extra: Record<string, number> = {
      image_builds: images.filter((e) => e.span.outcome !== 'cached').length,
      image_spans: images.length,
      self_reported_ms: selfMs,
      stop_ms: stopMs,
      down_ms: downMs,
    };
    if (sessionAt !== undefined) extra.cli_start_ms = sessionAt - spawnedAt;
    return { ms: readyAt - spawnedAt, steps: sums, extra };
  };

  return {
    name: o.name,
    async setup() {
      dir = makeTempDir(o.project);
      const ports = [];
      for (let i = 0; i < o.ports; i++) ports.push(await freePort());
      o.write(dir, o.project, ports);
      // The first start builds the images: what makes the warm loop's caches warm. A cold loop
      // removes them before every start anyway, so it needs none.
      if (!o.cold) await start();
    },
    async edit(): Promise<EditResult> {
      if (o.cold) {
        const images = await imagesWithLabel(label);
        if (images.length) await docker(['rmi', '-f', ...images]);
        rmSync(path.join(dir!, '.pitstop'), { recursive: true, force: true });
      }
      const result = await start();
      starts++;
      maxBuilds = Math.max(maxBuilds, result.extra?.image_builds ?? 0);
      return result;
    },
    async teardown() {
      if (session) {
        await session.stop();
        session = undefined;
      }
      if (dir) {
        await pitstopDown(dir, o.env).catch((err: Error) => o.log(`  ${o.name}: ${err.message}`));
        removeDir(dir);
      }
      dir = undefined;
      await sweepLabel(label).catch((err: Error) =>
        o.log(`  ${o.name}: docker sweep failed: ${err.message}`),
      );
    },
    extra() {
      const out: Record<string, unknown> = { clean_exit: unclean === 0 && leftovers.size === 0 };
      if (starts > 0) out.image_builds_max = maxBuilds;
      if (leftovers.size) out.docker_leftovers = [...leftovers];
      return out;
    },
  };
}
