// A service → the container pitstop creates for it: the supervisor as entrypoint in front of
// the image's own command, stdin open for the supervisor's control channel, the project's
// network and labels, and a hash of all of it so an identical running container can be adopted.
import { createHash } from 'node:crypto';
import { PitstopError } from '../../errors.js';
import type { Project, Service } from '../../model/project.js';
import { createBody } from './api/container-spec.js';
import type { ContainerSpec, ImageInspect } from './api/index.js';
import { LABELS } from './labels.js';

export const SUPERVISOR_PATH = '/.pitstop/supervisor';

// Names carry a short hash of the project folder: two checkouts of one project (a worktree, a
// copy) run side by side without taking each other's containers, network or volumes.
function checkout(project: Project): string {
  return createHash('sha1').update(project.root).digest('hex').slice(0, 6);
}

export function containerName(project: Project, service: Service): string {
  return `pitstop-${safe(project.name)}-${checkout(project)}-${safe(service.name)}`;
}

export function networkName(project: Project): string {
  return `pitstop-${safe(project.name)}-${checkout(project)}`;
}

export function volumeName(project: Project, name: string): string {
  return `${safe(project.name)}-${checkout(project)}_${name}`;
}

function safe(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-');
}

/** The command the container's process runs: the image's own unless pitstop.yaml overrides it. */
export function serviceCommand(service: Service, image: ImageInspect): string[] {
  const { entrypoint, command } = service.docker;
  // As with `docker run --entrypoint`, overriding the entrypoint drops the image's CMD.
  const args = command ?? (entrypoint ? [] : (image.Config?.Cmd ?? []));
  return [...(entrypoint ?? image.Config?.Entrypoint ?? []), ...args];
}

export interface ContainerConfig {
  spec: ContainerSpec;
  hash: string;
}

export function containerConfig(
  project: Project,
  service: Service,
  image: ImageInspect,
  supervisorHash: string,
  options: { hold?: boolean } = {},
): ContainerConfig {
  const command = serviceCommand(service, image);
  const spec: ContainerSpec = {
    image: image.Id,
    name: containerName(project, service),
    labels: { [LABELS.project]: project.name, [LABELS.service]: service.name, [LABELS.root]: project.root },
    env: {
      ...service.run.env,
      ...service.docker.env,
      PITSTOP_STOP_SIGNAL: service.run.stopSignal,
      PITSTOP_STOP_TIMEOUT_MS: String(service.run.stopTimeoutMs),
    },
    entrypoint: [SUPERVISOR_PATH, '--', ...command],
    cmd: [],
    workingDir: service.docker.workdir,
    user: service.docker.user,
    ports: service.publish.map((p) => ({ container: p.container, host: p.host, hostIp: p.hostIp })),
    mounts: service.docker.volumes.map((v) => ({
      type: v.kind,
      source: v.kind === 'volume' ? volumeName(project, v.source) : v.source,
      target: v.target,
      readOnly: v.readOnly,
    })),
    network: networkName(project),
    networkAliases: [service.name],
    restartPolicy: { name: 'no' },
    // The supervisor is PID 1: docker stop's signal reaches it, and it stops the child.
    stopSignal: service.run.stopSignal,
    stopTimeout: Math.ceil(service.run.stopTimeoutMs / 1000),
    openStdin: true,
  };
  if (command.length === 0) {
    throw new PitstopError(`${service.name}: its image has no command and pitstop.yaml sets none`, {
      hint: 'add docker.command to the service, or a CMD/ENTRYPOINT to its Dockerfile',
    });
  }
  const hash = createHash('sha256')
    .update(JSON.stringify(createBody(spec)))
    .update(supervisorHash)
    .digest('hex')
    .slice(0, 16);
  // Not part of the hash: a container started ahead is the same container once its process runs.
  const env = options.hold ? { ...spec.env, PITSTOP_HOLD_FIRST_START: '1' } : spec.env;
  return { spec: { ...spec, env, labels: { ...spec.labels, [LABELS.hash]: hash } }, hash };
}
