// `volumes` → mounts. Short syntax `SOURCE:TARGET[:MODE]` (a source starting with `.`, `/` or `~`
// is a host folder, anything else a named volume, which must be declared under the top-level
// `volumes` as Compose requires), a bare `TARGET` (an anonymous volume: pitstop gives it a name
// of the service and target, so it survives a container replacement as Compose's does), or the
// long syntax. tmpfs and the other mount types are warned about and left out.
import path from 'node:path';
import type { VolumeMount } from '../../model/project.js';
import { displayPath } from '../render.js';
import { statOrUndefined } from '../stat.js';
import type { KeyPath } from '../yaml-source.js';
import { describeInput } from '../zod-issues.js';
import { UNSUPPORTED_VOLUME_KEYS, VOLUME_KEYS } from './keys.js';
import { child, isMap, items, type Node } from './located.js';
import type { ServiceScope } from './scope.js';

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const IGNORED_MODES = new Set(['rw', 'cached', 'delegated', 'consistent']);
const WARNED_MODES = new Set(['z', 'Z', 'nocopy']);

/** The name pitstop gives an anonymous volume: stable per service and target. */
export function anonymousName(service: string, target: string): string {
  const slug = target.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '');
  return `${service}_${slug || 'root'}`;
}

interface Mount {
  kind: 'bind' | 'volume' | 'anonymous';
  source: string;
  target: string;
  readOnly: boolean;
}

function parseShort(scope: ServiceScope, text: string, rel: KeyPath): Mount | undefined {
  const parts = text.split(':');
  if (parts.length === 1) return { kind: 'anonymous', source: '', target: text, readOnly: false };
  const [source = '', target = '', modes = ''] = [parts[0], parts[1], parts.slice(2).join(':')];
  let readOnly = false;
  for (const mode of modes.split(',').filter(Boolean)) {
    if (mode === 'ro') readOnly = true;
    else if (WARNED_MODES.has(mode))
      scope.warn(rel, `mount option "${mode}" is not supported by pitstop yet (ignored)`);
    else if (!IGNORED_MODES.has(mode)) {
      scope.error(rel, `unknown mount option "${mode}"`, { hint: 'use ro or rw, e.g. "./data:/data:ro"' });
      return undefined;
    }
  }
  const kind = path.isAbsolute(source) ? 'bind' : 'volume';
  return { kind, source, target, readOnly };
}

function parseLong(scope: ServiceScope, entry: Node, rel: KeyPath): Mount | undefined {
  scope.checkKeys(entry, rel, VOLUME_KEYS, UNSUPPORTED_VOLUME_KEYS);
  const type = scope.text(child(entry, 'type'), [...rel, 'type']);
  const source = scope.text(child(entry, 'source'), [...rel, 'source']) ?? '';
  const target = scope.text(child(entry, 'target'), [...rel, 'target']) ?? '';
  const readOnly = scope.flag(child(entry, 'read_only'), [...rel, 'read_only']) ?? false;
  if (type === 'bind' || type === 'volume') {
    const kind = type === 'volume' && source === '' ? 'anonymous' : type;
    if (type === 'bind' && source === '') scope.error(rel, 'a bind mount needs a "source"', { at: 'key' });
    return { kind, source, target, readOnly };
  }
  if (type === undefined)
    scope.error(rel, 'missing required key "type"', { at: 'key', hint: 'type: bind or volume' });
  else scope.warn([...rel, 'type'], `${type} mounts are not supported by pitstop yet (not mounted)`);
  return undefined;
}

export interface MappedVolumes {
  mounts: VolumeMount[];
  /** Host folders mounted into the container: their changes reach it without pitstop. */
  bindSources: string[];
}

export function mapVolumes(scope: ServiceScope): MappedVolumes {
  const out: MappedVolumes = { mounts: [], bindSources: [] };
  const written = child(scope.node, 'volumes');
  if (!written || written.value === null) return out;
  if (!Array.isArray(written.value)) {
    scope.error(['volumes'], `expected a list of mounts, got ${describeInput(written.value)}`);
    return out;
  }
  items(written).forEach((entry, i) => {
    const rel = ['volumes', i];
    let mount: Mount | undefined;
    if (typeof entry.value === 'string') mount = parseShort(scope, entry.value, rel);
    else if (isMap(entry.value)) mount = parseLong(scope, entry, rel);
    else
      scope.error(
        rel,
        `expected a mount like "./src:/app/src" or a map with "type", got ${describeInput(entry.value)}`,
      );
    if (!mount) return;
    if (!mount.target.startsWith('/')) {
      scope.error(rel, `the mount target "${mount.target}" is not an absolute path`, {
        hint: 'e.g. "./data:/data"',
      });
      return;
    }
    if (mount.kind === 'anonymous') {
      out.mounts.push({
        kind: 'volume',
        source: anonymousName(scope.name, mount.target),
        target: mount.target,
        readOnly: mount.readOnly,
      });
    } else if (mount.kind === 'bind') {
      if (!statOrUndefined(mount.source)) {
        scope.error(rel, `the host path ${displayPath(mount.source)} does not exist`, {
          hint: `Compose creates a missing bind-mount folder, pitstop does not yet: mkdir -p ${mount.source}`,
        });
      }
      out.mounts.push({ kind: 'bind', source: mount.source, target: mount.target, readOnly: mount.readOnly });
      out.bindSources.push(mount.source);
    } else if (!VOLUME_NAME.test(mount.source)) {
      scope.error(rel, `invalid volume name "${mount.source}"`, {
        hint: 'a named volume has letters, digits, "_", "." and "-"; start a host path with ./ or /',
      });
    } else {
      if (!scope.ctx.volumes.has(mount.source)) {
        scope.error(rel, `the volume "${mount.source}" is not declared`, {
          hint: `declare it under the top-level volumes: (volumes: { ${mount.source}: {} }), as Compose requires`,
        });
      }
      out.mounts.push({
        kind: 'volume',
        source: mount.source,
        target: mount.target,
        readOnly: mount.readOnly,
      });
    }
  });
  return out;
}
