// Docker helpers that take the daemon's environment explicitly, for the fault tests: the CLI run
// with its own DOCKER_HOST (an unreachable one, or a second daemon started for one test), and a
// project's containers, files and images looked at through the Engine API of that same daemon.
import { spawn } from 'node:child_process';
import { type ContainerSummary, DockerClient } from '../../src/runtimes/docker/api/index.js';
import { LABELS } from '../../src/runtimes/docker/labels.js';
import { type CliResult, cliPath } from './project.js';

export type Env = NodeJS.ProcessEnv;

/** Like runCliAsync, with the environment given (DOCKER_HOST ...); also says how long it took. */
export function runCliEnv(
  args: string[],
  cwd: string,
  env: Env,
  timeoutMs = 60_000,
): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd,
      env: { ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs `work` with a client for the daemon `env` points at, and closes it. */
export async function withDocker<T>(env: Env, work: (client: DockerClient) => Promise<T>): Promise<T> {
  const client = DockerClient.fromEnv(env);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

const projectLabels = (project: string, root: string, service?: string) => ({
  [LABELS.project]: project,
  [LABELS.root]: root,
  ...(service ? { [LABELS.service]: service } : {}),
});

/** The project's containers (running or not), optionally of one service. */
export function containersOf(
  project: string,
  root: string,
  options: { service?: string; env?: Env } = {},
): Promise<ContainerSummary[]> {
  return withDocker(options.env ?? process.env, (client) =>
    client.containers.list({ labels: projectLabels(project, root, options.service) }),
  );
}

/** Containers with this exact name, whatever their labels (a half-created one has them too). */
export function containersNamed(name: string, env: Env = process.env): Promise<ContainerSummary[]> {
  return withDocker(env, async (client) =>
    (await client.containers.list({ name: `^/${name}$` })).filter((c) => c.Names.includes(`/${name}`)),
  );
}

/** `docker exec`: the exit code and the output (stdout and stderr, one string). */
export function execIn(
  container: string,
  argv: string[],
  env: Env = process.env,
): Promise<{ code: number; output: string }> {
  return withDocker(env, async (client) => {
    const result = await client.containers.exec(container, argv, { timeoutMs: 20_000 });
    return { code: result.exitCode, output: result.output.map((l) => l.text).join('\n') };
  });
}

/** Containers, networks and volumes still carrying the project's labels on that daemon. */
export function leftoversOn(env: Env, project: string, root: string): Promise<string[]> {
  return withDocker(env, async (client) => {
    const labels = projectLabels(project, root);
    const containers = await client.containers.list({ labels });
    const networks = await client.networks.list({ labels });
    const volumes = await client.volumes.list({ labels });
    return [
      ...containers.map((c) => `container ${c.Names[0] ?? c.Id} (${c.State})`),
      ...networks.map((n) => `network ${n.Name}`),
      ...volumes.map((v) => `volume ${v.Name}`),
    ];
  });
}

/** Removes what a project made on that daemon, its built images included; never throws. */
export async function removeProjectOn(env: Env, project: string, root: string): Promise<void> {
  await withDocker(env, async (client) => {
    const labels = projectLabels(project, root);
    const quietly = <T>(work: () => Promise<T>): Promise<T | undefined> => work().catch(() => undefined);
    for (const c of (await quietly(() => client.containers.list({ labels }))) ?? []) {
      await quietly(() => client.containers.remove(c.Id, { force: true, v: true }));
    }
    for (const n of (await quietly(() => client.networks.list({ labels }))) ?? []) {
      await quietly(() => client.networks.remove(n.Id));
    }
    for (const v of (await quietly(() => client.volumes.list({ labels }))) ?? []) {
      await quietly(() => client.volumes.remove(v.Name));
    }
    // Built images carry the project label only (not the root).
    const images = (await quietly(() => client.images.list({ labels: { [LABELS.project]: project } }))) ?? [];
    for (const image of images) await quietly(() => client.images.remove(image.Id, { force: true }));
  }).catch(() => undefined);
}

/** Images pitstop built for the project (they carry its project label). */
export function imagesOf(project: string, env: Env = process.env): Promise<string[]> {
  return withDocker(env, async (client) =>
    (await client.images.list({ labels: { [LABELS.project]: project } })).flatMap(
      (i) => i.RepoTags ?? [i.Id],
    ),
  );
}
