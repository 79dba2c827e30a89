// The `docker:` section of a service → DockerSpec: absolute build paths, parsed mounts. Resolved
// for every service (a flag can switch runtimes), but only checked against the disk when the
// service runs on docker, so a local-only project never needs a Dockerfile.
import path from 'node:path';
import type { DockerSpec, ImageBuild, VolumeMount } from '../model/project.js';
import { resolveEnv } from './env.js';
import type { IssueList } from './issues.js';
import type { ServiceConfig } from './schema.js';
import { statOrUndefined } from './stat.js';
import type { KeyPath } from './yaml-source.js';

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function resolveDocker(
  raw: ServiceConfig['docker'],
  dir: string,
  onDocker: boolean,
  at: (...rest: (string | number)[]) => KeyPath,
  issues: IssueList,
  secrets: Set<string>,
  projectRegistry?: string | { push: string; pull: string },
): DockerSpec {
  const spec: DockerSpec = {
    env: resolveEnv(raw?.env, secrets),
    volumes: (raw?.volumes ?? []).flatMap((written, i) =>
      parseVolume(written, dir, at('docker', 'volumes', i), issues),
    ),
  };
  if (raw?.image) spec.image = raw.image;
  const registry = raw?.registry === false ? undefined : (raw?.registry ?? projectRegistry);
  if (registry) spec.registry = typeof registry === 'string' ? { push: registry, pull: registry } : registry;
  if (raw?.command !== undefined) {
    spec.command = typeof raw.command === 'string' ? ['/bin/sh', '-c', raw.command] : raw.command;
  }
  if (raw?.entrypoint !== undefined) {
    spec.entrypoint = typeof raw.entrypoint === 'string' ? ['/bin/sh', '-c', raw.entrypoint] : raw.entrypoint;
  }
  if (raw?.workdir) spec.workdir = raw.workdir;
  if (raw?.user !== undefined) spec.user = String(raw.user);
  if (raw?.image && raw.build !== undefined) {
    issues.add(at('docker', 'build'), 'docker has both "image" and "build"', {
      at: 'key',
      hint: 'keep "image" to run an existing image, or "build" to build one',
    });
  }
  if (!raw?.image) spec.build = imageBuild(raw?.build, dir, onDocker, at, issues, secrets);
  return spec;
}

function imageBuild(
  raw: NonNullable<ServiceConfig['docker']>['build'],
  dir: string,
  onDocker: boolean,
  at: (...rest: (string | number)[]) => KeyPath,
  issues: IssueList,
  secrets: Set<string>,
): ImageBuild {
  const settings = typeof raw === 'string' ? { context: raw, dockerfile: 'Dockerfile' } : raw;
  const context = path.resolve(dir, settings?.context ?? '.');
  const dockerfile = path.resolve(context, settings?.dockerfile ?? 'Dockerfile');
  const build: ImageBuild = {
    context,
    dockerfile,
    args: resolveEnv(settings && 'args' in settings ? settings.args : undefined, secrets),
  };
  if (settings && 'target' in settings && settings.target) build.target = settings.target;
  if (!onDocker) return build;
  const where =
    raw === undefined ? at() : typeof raw === 'string' ? at('docker', 'build') : at('docker', 'build');
  if (!statOrUndefined(context)?.isDirectory()) {
    issues.add(where, `the build context "${path.relative(dir, context) || '.'}" is not a folder`, {
      hint: 'docker.build.context is relative to the service dir',
    });
  } else if (!statOrUndefined(dockerfile)?.isFile()) {
    const shown = path.relative(dir, dockerfile);
    issues.add(where, `runtime docker needs a Dockerfile, and there is none at ${shown}`, {
      at: 'key',
      hint:
        raw === undefined
          ? `write ${shown}, set docker.image to run an existing image, or docker.build.dockerfile to point at one`
          : 'docker.build.dockerfile is relative to the build context',
    });
  }
  return build;
}

function parseVolume(written: string, dir: string, keyPath: KeyPath, issues: IssueList): VolumeMount[] {
  const parts = written.split(':');
  const readOnly = parts.length === 3 && parts[2] === 'ro';
  const [source, target] = parts;
  const badMode = parts.length === 3 && parts[2] !== 'ro' && parts[2] !== 'rw';
  if (parts.length < 2 || parts.length > 3 || !source || !target?.startsWith('/') || badMode) {
    issues.add(keyPath, `expected "name:/path" or "./host/path:/path" (optionally ":ro"), got "${written}"`, {
      hint: 'e.g. "gocache:/root/.cache/go-build" or "./data:/data:ro"',
    });
    return [];
  }
  const isPath = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
  if (isPath) return [{ kind: 'bind', source: path.resolve(dir, source), target, readOnly }];
  if (!VOLUME_NAME.test(source)) {
    issues.add(keyPath, `invalid volume name "${source}"`, {
      hint: 'a named volume has letters, digits, "_", "." and "-"; start a host path with ./ or /',
    });
    return [];
  }
  return [{ kind: 'volume', source, target, readOnly }];
}
