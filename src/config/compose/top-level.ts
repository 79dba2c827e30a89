// The Compose file's top level: `name`, the declared `volumes` and `networks`, and what pitstop
// does not support yet (`include`, `secrets`, `configs`, `models`, custom networks, volume
// drivers), each said once. Also the Compose project name, which pitstop needs to recognise the
// same project's containers started by `docker compose`.
import path from 'node:path';
import { PitstopError } from '../../errors.js';
import { suggest } from '../did-you-mean.js';
import type { KeyPath } from '../yaml-source.js';
import { describeInput } from '../zod-issues.js';
import type { Diagnostics } from './diagnostics.js';
import type { Lookup } from './interpolate.js';
import { TOP_LEVEL_KEYS, TOP_VOLUME_KEYS, UNSUPPORTED_TOP_LEVEL_KEYS } from './keys.js';
import { child, entries, isMap, locate, type Node } from './located.js';
import { NOT_SUPPORTED } from './scope.js';

export interface TopLevel {
  /** The `name:` key, normalized. */
  name?: string;
  volumes: Set<string>;
  networks: Set<string>;
}

/** Compose's own normalization (compose-go): lower case, only [a-z0-9_-], no leading "_" or "-". */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

export function readTopLevel(top: Node, diag: Diagnostics): TopLevel {
  const out: TopLevel = { volumes: new Set(), networks: new Set() };
  const at = (rel: KeyPath) => locate(top.where, rel);
  const warn = (rel: KeyPath, message: string) => diag.warn(at(rel), rel, message);
  for (const [key] of entries(top)) {
    if (key === 'version') warn(['version'], 'obsolete in Compose, ignored; you can remove it');
    if ((TOP_LEVEL_KEYS as readonly string[]).includes(key)) continue;
    if ((UNSUPPORTED_TOP_LEVEL_KEYS as readonly string[]).includes(key)) warn([key], NOT_SUPPORTED);
    else {
      const meant = suggest(key, [...TOP_LEVEL_KEYS, ...UNSUPPORTED_TOP_LEVEL_KEYS]);
      diag.error(at([key]), `unknown key "${key}"`, {
        at: 'key',
        hint: meant ? `did you mean "${meant}"?` : `a Compose file has: ${TOP_LEVEL_KEYS.join(', ')}`,
      });
    }
  }

  const name = child(top, 'name');
  if (name && typeof name.value === 'string' && name.value !== '') {
    out.name = normalizeProjectName(name.value);
    if (!out.name)
      diag.error(name.where.origin, `invalid project name "${name.value}"`, {
        hint: 'use letters, digits, "_" and "-"',
      });
  } else if (name && name.value !== null) {
    diag.error(name.where.origin, `expected a project name, got ${describeInput(name.value)}`);
  }

  for (const [volume, settings] of section(top, 'volumes', diag)) {
    out.volumes.add(volume);
    if (!isMap(settings.value)) continue;
    for (const [key] of entries(settings)) {
      const rel = ['volumes', volume, key];
      if (key.startsWith('x-')) continue;
      if (key === 'external' || key === 'name') {
        warn(
          rel,
          `not supported by pitstop yet: pitstop uses a volume of its own for "${volume}" (named after the project)`,
        );
      } else if ((TOP_VOLUME_KEYS as readonly string[]).includes(key)) warn(rel, NOT_SUPPORTED);
      else
        diag.error(at(rel), `unknown key "${key}"`, {
          at: 'key',
          hint: `allowed here: ${TOP_VOLUME_KEYS.join(', ')}`,
        });
    }
  }
  for (const [network, settings] of section(top, 'networks', diag)) {
    out.networks.add(network);
    const rel = ['networks', network];
    if (network !== 'default') {
      warn(
        rel,
        'pitstop puts every service on one network of its own, where each is reachable by its service name; this network is not created',
      );
    } else if (settings.value !== null) {
      warn(rel, `settings of the default network are ${NOT_SUPPORTED}`);
    }
  }
  return out;
}

function section(top: Node, key: string, diag: Diagnostics): [string, Node][] {
  const node = child(top, key);
  if (!node || node.value === null) return [];
  if (!isMap(node.value)) {
    diag.error(node.where.origin, `expected a map of ${key}, got ${describeInput(node.value)}`);
    return [];
  }
  return entries(node);
}

/**
 * The Compose project name, as Compose picks it: `-p`, COMPOSE_PROJECT_NAME, the `name:` key, the
 * project folder's name — normalized like Compose does for the last two.
 */
export function composeProjectName(
  root: string,
  top: TopLevel,
  explicit: string | undefined,
  env: Lookup,
): string {
  const given = explicit ?? (env('COMPOSE_PROJECT_NAME') || undefined);
  if (given !== undefined) {
    if (normalizeProjectName(given) !== given || given === '') {
      throw new PitstopError(`invalid Compose project name "${given}"`, {
        hint: 'a Compose project name has lower-case letters, digits, "_" and "-", and starts with a letter or digit',
        exitCode: 3,
      });
    }
    return given;
  }
  return top.name ?? (normalizeProjectName(path.basename(root)) || 'default');
}
