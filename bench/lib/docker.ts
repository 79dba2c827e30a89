// Docker for the bench: the Debian client people type (`/usr/bin/docker`, BuildKit on), the
// local base images (no registry can be reached), and the sweep that removes every container,
// image and network a scenario made — found by label, also after a failure or Ctrl-C.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { onCleanup } from './procs.js';

/** The CLI the baselines run: Debian's docker client, not whatever else is first on PATH. */
export const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/** Every label a scenario of this run asked to sweep, by daemon and label, with the environment naming its daemon. */
const swept = new Map<string, { label: string; env?: NodeJS.ProcessEnv }>();

/** On every container and image a baseline creates: `dev.pitstop.bench=<run id>`. */
export const BENCH_LABEL = 'dev.pitstop.bench';
/** pitstop's own label on what it creates (containers, networks, images it built). */
export const PITSTOP_PROJECT_LABEL = 'dev.pitstop.project';

/** The environment every docker command runs in: BuildKit on, as on any current Docker. */
export function dockerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, DOCKER_BUILDKIT: '1' };
}

/** Runs the docker CLI and resolves with its stdout; rejects with its stderr's tail. */
export function docker(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      DOCKER,
      args,
      { env: dockerEnv(opts.env ?? process.env), timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(
              `docker ${args.slice(0, 3).join(' ')} failed: ${stderr.trim().slice(-400) || err.message}`,
            ),
          );
        } else resolve(stdout);
      },
    );
  });
}

/** Fails with a hint when no daemon answers, before a scenario copies anything. */
export async function requireDocker(): Promise<void> {
  try {
    await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
  } catch (err) {
    throw new Error(
      `no Docker daemon answers (${(err as Error).message.split('\n')[0]}); start one, e.g. \`dockerd >/var/log/dockerd.log 2>&1 &\``,
    );
  }
}

let basesReady: Promise<void> | undefined;
/**
 * busybox:1.36 and node:20-alpine, made from this machine's binaries once and kept (found by tag
 * afterwards). No scenario's Dockerfile uses golang:1.22, so it is not made.
 */
export function prepareBases(): Promise<void> {
  // Loaded when a Docker scenario runs, so the others never load pitstop's Docker client.
  basesReady ??= import('../../test/support/docker.js').then((m) => m.prepareBaseImages({ go: false }));
  return basesReady;
}

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * Removes every container, network and image carrying `label` (`key=value`) on the daemon `env`
 * names (DOCKER_HOST; the local one by default); returns what it removed, for the log.
 * Containers first: an image in use cannot go.
 */
export async function sweepLabel(label: string, env?: NodeJS.ProcessEnv): Promise<string[]> {
  const on = { env };
  const removed: string[] = [];
  const containers = lines(await docker(['ps', '-aq', '--filter', `label=${label}`], on));
  if (containers.length) {
    await docker(['rm', '-f', '-v', ...containers], on).catch(() => undefined);
    removed.push(`${containers.length} container(s)`);
  }
  const networks = lines(await docker(['network', 'ls', '-q', '--filter', `label=${label}`], on));
  if (networks.length) {
    await docker(['network', 'rm', ...networks], on).catch(() => undefined);
    removed.push(`${networks.length} network(s)`);
  }
  const images = [...new Set(lines(await docker(['images', '-aq', '--filter', `label=${label}`], on)))];
  if (images.length) {
    await docker(['rmi', '-f', ...images], on).catch(() => undefined);
    removed.push(`${images.length} image(s)`);
  }
  return removed;
}

/** Removes the containers with these names, if they exist. */
export async function removeContainers(names: string[]): Promise<void> {
  if (names.length) await docker(['rm', '-f', '-v', ...names]).catch(() => undefined);
}

/** Images labelled `label` (`key=value`), by id. */
export async function imagesWithLabel(label: string): Promise<string[]> {
  return [...new Set(lines(await docker(['images', '-q', '--filter', `label=${label}`])))];
}

/** Containers and networks of a pitstop project still on the daemon: none should be after it stops. */
export async function dockerLeftovers(project: string, env?: NodeJS.ProcessEnv): Promise<string[]> {
  const label = `${PITSTOP_PROJECT_LABEL}=${project}`;
  const containers = lines(
    await docker(['ps', '-a', '--format', '{{.Names}}', '--filter', `label=${label}`], { env }),
  );
  const networks = lines(
    await docker(['network', 'ls', '--format', '{{.Name}}', '--filter', `label=${label}`], { env }),
  );
  return [...containers.map((c) => `container ${c}`), ...networks.map((n) => `network ${n}`)];
}

/**
 * Registers a sweep of these labels (`key=value`) that runs when the scenario ends, however it
 * ends (run.ts runs the cleanups after every scenario and on Ctrl-C): the backstop behind each
 * loop's own teardown.
 */
export function sweepOnCleanup(
  labels: string[],
  log: (message: string) => void,
  env?: NodeJS.ProcessEnv,
): void {
  for (const label of labels) swept.set(`${env?.DOCKER_HOST ?? ''} ${label}`, { label, env });
  onCleanup(async () => {
    for (const label of labels) {
      const removed = await sweepLabel(label, env).catch((err: Error) => [`sweep failed: ${err.message}`]);
      if (removed.length) log(`  cleanup ${label}: ${removed.join(', ')}`);
    }
  });
}

/** Sweeps every label of this run once more: after an interrupted run's teardowns. */
export async function sweepDockerAgain(): Promise<void> {
  for (const { label, env } of swept.values()) await sweepLabel(label, env).catch(() => undefined);
}
