import { existsSync } from 'node:fs';
import type { FileHashes } from '../../build/file-hashes.js';
import type { Project } from '../../model/project.js';
import { DockerClient } from './api/index.js';
import { DockerRuntime } from './docker-runtime.js';

const LOCAL_SOCKET = '/var/run/docker.sock';

/** The docker runtime for the daemon DOCKER_HOST / the docker context points at. */
export function createDockerRuntime(
  project: Project,
  hashes: FileHashes,
  warn: (service: string, message: string) => void,
): DockerRuntime {
  const client = DockerClient.fromEnv();
  const endpoint = client.endpoint;
  const remote = endpoint.kind === 'tcp' || endpoint.kind === 'ssh';
  // Images that go through a registry to a remote engine are built by the one on this machine
  // (PITSTOP_BUILD_HOST names another), so no build context crosses the slow link.
  const usesRegistry = project.services.some((s) => s.runtime === 'docker' && s.docker.registry);
  const buildHost =
    process.env.PITSTOP_BUILD_HOST ?? (existsSync(LOCAL_SOCKET) ? `unix://${LOCAL_SOCKET}` : undefined);
  const builder =
    remote && usesRegistry && buildHost ? DockerClient.fromEnv({ DOCKER_HOST: buildHost }) : undefined;
  return new DockerRuntime({
    project,
    client,
    hashes,
    localDaemon: endpoint.kind === 'unix',
    remoteHost: remote ? endpoint.host : undefined,
    builder,
    warn,
  });
}
