// What the docker end-to-end tests look at from the outside, through the docker CLI the way a
// user would check: which containers a project has, what runs in them, what their files are.
// Debian's own client (/usr/bin/docker) matches the daemon; a newer one may sit earlier on PATH.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { LABELS } from '../../src/runtimes/docker/labels.js';
import { freePort, repoRoot } from './project.js';

export const DOCKER = '/usr/bin/docker';

export interface DockerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one docker CLI command; never throws (look at `code`). */
export function dockerRun(...args: string[]): DockerResult {
  const r = spawnSync(DOCKER, args, { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' };
}

/** Runs one docker CLI command and returns its trimmed stdout; throws with stderr when it fails. */
export function docker(...args: string[]): string {
  const r = dockerRun(...args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

const filters = (labels: Record<string, string>) =>
  Object.entries(labels).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`]);

/** Full ids of the project's containers (running or not), optionally of one service. */
export function containerIds(project: string, root: string, service?: string): string[] {
  const labels: Record<string, string> = { [LABELS.project]: project, [LABELS.root]: root };
  if (service) labels[LABELS.service] = service;
  return docker('ps', '-a', '-q', '--no-trunc', ...filters(labels))
    .split('\n')
    .filter(Boolean);
}

/** The one container of a service; fails when there is none or more than one. */
export function containerOf(project: string, root: string, service: string): string {
  const ids = containerIds(project, root, service);
  if (ids.length !== 1) throw new Error(`expected one container of ${service}, found ${ids.length}`);
  return ids[0]!;
}

export interface ContainerInfo {
  Id: string;
  /** The image id the container runs. */
  Image: string;
  Name: string;
  State: { Running: boolean; Pid: number; StartedAt: string };
  Config: { Labels: Record<string, string> | null };
  Mounts: { Type: string; Name?: string; Destination: string }[];
  HostConfig: { PortBindings: Record<string, { HostIp: string; HostPort: string }[] | null> | null };
}

export function inspectContainer(id: string): ContainerInfo {
  return (JSON.parse(docker('inspect', '--type', 'container', id)) as ContainerInfo[])[0]!;
}

/** `docker exec`: the command's result (code and output), for files and processes in the container. */
export function execIn(id: string, ...argv: string[]): DockerResult {
  return dockerRun('exec', id, ...argv);
}

/** Host pids and command lines of a container's processes (`docker top`). */
export function processesOf(id: string): { pid: number; args: string }[] {
  return docker('top', id, '-o', 'pid,args')
    .split('\n')
    .slice(1)
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), args: m[2]! }));
}

/** Ids of the images pitstop built for a project (they carry its project label), or for one service. */
export function imageIds(project: string, service?: string): string[] {
  const labels: Record<string, string> = { [LABELS.project]: project };
  if (service) labels[LABELS.service] = service;
  const ids = dockerRun('images', '-q', '--no-trunc', ...filters(labels))
    .stdout.split('\n')
    .filter(Boolean);
  return [...new Set(ids)];
}

/** Removes the images pitstop built for a project; for projects with a name of their own. */
export function removeImages(project: string): void {
  const ids = imageIds(project);
  if (ids.length) dockerRun('rmi', '-f', ...ids);
}

/**
 * Removes images of `service` that are not in `before`: those a test built from a copy whose
 * inputs differ with its folder (a Go binary embeds its source paths), which no later run reuses.
 * Images in use are kept (no -f).
 */
export function removeNewImages(project: string, service: string, before: string[]): void {
  const fresh = imageIds(project, service).filter((id) => !before.includes(id));
  if (fresh.length) dockerRun('rmi', ...fresh);
}

/**
 * A copy of `examples/<name>` in a temp folder (without build outputs and state), with each
 * port of `ports` replaced by a free one in its pitstop.yaml; `edit` may then change the yaml further.
 */
export async function copyExample(
  name: string,
  ports: string[],
  edit: (yaml: string, free: Record<string, number>) => string = (y) => y,
): Promise<{ dir: string; ports: Record<string, number> }> {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), `pitstop-${name}-`));
  fs.cpSync(path.join(repoRoot, 'examples', name), dir, {
    recursive: true,
    filter: (src) => {
      const parts = path.relative(path.join(repoRoot, 'examples', name), src).split(path.sep);
      return !parts.includes('.pitstop') && !parts.includes('bin');
    },
  });
  const free: Record<string, number> = {};
  for (const p of ports) free[p] = await freePort();
  const file = path.join(dir, 'pitstop.yaml');
  let yaml = fs.readFileSync(file, 'utf8');
  for (const p of ports) yaml = yaml.replaceAll(p, String(free[p]));
  fs.writeFileSync(file, edit(yaml, free));
  return { dir, ports: free };
}

/**
 * GET a URL once, over a fresh connection: its body, or `error: <why>` (a reset, a refusal, a
 * timeout) so a failed assertion says what went wrong. A fresh connection matters with published
 * ports: a pooled keep-alive socket to docker-proxy can still be bound to the process a restart
 * just replaced. The timeout is generous: a loaded machine is slow, not broken.
 */
export function answer(url: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
      res.on('error', (err) => resolve(`error: ${err.message}`));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(`error: ${err.message}`));
  });
}
