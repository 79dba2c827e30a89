// pitstop.yaml next to Compose files: each of its services with a Compose service's name extends
// that service with pitstop-only settings; the others are extra services. The rule: a key written
// in pitstop.yaml replaces what Compose gave (lists such as live_update, watch, ports or
// depends_on included), except the two environment maps, which merge key by key (pitstop.yaml
// wins), and `docker`, whose keys count one by one. Writing `dir` moves the service's folder, so
// its watch, ignore, live_update and fall_back_on then all come from pitstop.yaml (with
// pitstop's defaults), as the Compose ones are relative to the Compose folder.
import type { Service } from '../../model/project.js';
import type { ResolvedService } from '../resolve-service.js';

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const FOLDER_KEYS = ['watch', 'ignore', 'liveUpdate', 'fallBackOn'] as const;

/** Simple keys: written in pitstop.yaml → taken from it as a whole. */
const REPLACED: Record<string, (keyof Service)[]> = {
  runtime: ['runtime'],
  watch: ['watch'],
  ignore: ['ignore'],
  build: ['build'],
  ports: ['ports', 'publish'],
  ready: ['ready'],
  depends_on: ['dependsOn'],
  live_update: ['liveUpdate'],
  fall_back_on: ['fallBackOn'],
  restart: ['restartPolicy'],
};

function mergeDocker(
  compose: Service['docker'],
  pitstop: Service['docker'],
  raw: unknown,
): Service['docker'] {
  if (!isMap(raw)) return compose;
  const out = { ...compose, env: { ...compose.env, ...(raw.env !== undefined ? pitstop.env : {}) } };
  if (raw.image !== undefined) {
    out.image = pitstop.image;
    delete out.build;
  }
  if (raw.build !== undefined && pitstop.build) {
    out.build = pitstop.build;
    delete out.image;
  }
  if (raw.command !== undefined) out.command = pitstop.command;
  if (raw.entrypoint !== undefined) out.entrypoint = pitstop.entrypoint;
  if (raw.workdir !== undefined) out.workdir = pitstop.workdir;
  if (raw.user !== undefined) out.user = pitstop.user;
  if (raw.volumes !== undefined) out.volumes = pitstop.volumes;
  return out;
}

function mergeRun(
  compose: Service['run'],
  pitstop: Service['run'],
  raw: Record<string, unknown>,
): Service['run'] {
  const run = raw.run;
  const envWritten = raw.env !== undefined || (isMap(run) && run.env !== undefined);
  const out: Service['run'] = { ...compose, env: { ...compose.env, ...(envWritten ? pitstop.env : {}) } };
  // A moved folder moves the default working directory with it.
  if (raw.dir !== undefined) out.cwd = pitstop.cwd;
  if (run === undefined) return out;
  if (pitstop.cmd) out.cmd = pitstop.cmd;
  if (isMap(run)) {
    if (run.cwd !== undefined) out.cwd = pitstop.cwd;
    if (run.stop_signal !== undefined) out.stopSignal = pitstop.stopSignal;
    if (run.stop_timeout !== undefined) out.stopTimeoutMs = pitstop.stopTimeoutMs;
  }
  return out;
}

/**
 * The Compose service with the pitstop.yaml entry applied. The result's dependencies and ports
 * (for the checks across services) come from the file that set them.
 */
export function applyOverlay(
  compose: ResolvedService,
  pitstop: ResolvedService,
  raw: unknown,
): ResolvedService {
  const written = isMap(raw) ? raw : {};
  const from = pitstop.service;
  const service: Service = {
    ...compose.service,
    run: mergeRun(compose.service.run, from.run, written),
    docker: mergeDocker(compose.service.docker, from.docker, written.docker),
  };
  const target = service as unknown as Record<string, unknown>;
  const source = from as unknown as Record<string, unknown>;
  for (const [key, fields] of Object.entries(REPLACED)) {
    if (written[key] !== undefined) for (const field of fields) target[field] = source[field];
  }
  if (written.dir !== undefined) {
    service.dir = from.dir;
    for (const field of FOLDER_KEYS) target[field] = source[field];
  }
  return {
    service,
    dependencies: written.depends_on !== undefined ? pitstop.dependencies : compose.dependencies,
    ports: written.ports !== undefined ? pitstop.ports : compose.ports,
    secrets: pitstop.secrets,
  };
}
