// pitstop must not fight `docker compose` over the same project: both would publish the same
// ports and write the same named volumes. Compose marks its containers with
// `com.docker.compose.project=<name>`; pitstop's carry `dev.pitstop.*` labels only, so the two
// are told apart, and a running Compose project of the same name makes `pitstop up` refuse.
import { PitstopError } from '../../errors.js';
import type { Project } from '../../model/project.js';
import type { DockerClient } from '../../runtimes/docker/api/index.js';
import { composeInfo } from './load-compose.js';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

export interface ComposeConflict {
  /** The Compose project name. */
  projectName: string;
  /** Names of its running containers. */
  containers: string[];
  /** What the user runs to stop it. */
  command: string;
}

/** The same project's containers started by `docker compose` and still running, if any. */
export async function composeConflict(
  project: Project,
  client: DockerClient,
): Promise<ComposeConflict | undefined> {
  const info = composeInfo(project);
  if (!info) return undefined;
  const running = await client.containers.list({
    labels: { [COMPOSE_PROJECT_LABEL]: info.projectName },
    status: ['running', 'restarting', 'paused'],
  });
  if (running.length === 0) return undefined;
  return {
    projectName: info.projectName,
    containers: running.map((c) => (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '')).sort(),
    command: `docker compose -p ${info.projectName} down`,
  };
}

/** Throws (exit code 1) when composeConflict finds the project running under `docker compose`. */
export async function refuseComposeConflict(project: Project, client: DockerClient): Promise<void> {
  const conflict = await composeConflict(project, client);
  if (!conflict) return;
  const shown = conflict.containers.slice(0, 5).join(', ') + (conflict.containers.length > 5 ? ', ...' : '');
  throw new PitstopError(
    `the Compose project "${conflict.projectName}" is already running under docker compose (${shown}); pitstop would fight it over ports and volumes`,
    { hint: `stop it first: ${conflict.command}`, exitCode: 1 },
  );
}
