import type { FileHashes } from '../../build/file-hashes.js';
import type { Project } from '../../model/project.js';
import { DockerClient } from './api/index.js';
import { DockerRuntime } from './docker-runtime.js';

/** The docker runtime for the daemon DOCKER_HOST / the docker context points at. */
export function createDockerRuntime(
  project: Project,
  hashes: FileHashes,
  warn: (service: string, message: string) => void,
): DockerRuntime {
  const client = DockerClient.fromEnv();
  const endpoint = client.endpoint;
  const remoteHost = endpoint.kind === 'tcp' || endpoint.kind === 'ssh' ? endpoint.host : undefined;
  return new DockerRuntime({
    project,
    client,
    hashes,
    localDaemon: endpoint.kind === 'unix',
    remoteHost,
    warn,
  });
}
