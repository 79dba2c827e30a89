// Which project file a command works on: the one given with -f, else the nearest pitstop.yaml
// (or .yml) in the working directory or above it, like git finds its repository. A Compose file
// (compose.yaml...) is a project too: findProjectFiles finds both kinds.
import path from 'node:path';
import { PitstopError } from '../errors.js';
import { statOrUndefined } from './stat.js';

export const PROJECT_FILE_NAMES = ['pitstop.yaml', 'pitstop.yml'] as const;

function isFile(file: string): boolean {
  return statOrUndefined(file)?.isFile() ?? false;
}

function inFolder(dir: string): string | undefined {
  return PROJECT_FILE_NAMES.map((name) => path.join(dir, name)).find(isFile);
}

/** Absolute path of the project file; PitstopError (exit code 3) when there is none. */
export function findProjectFile(cwd: string, explicit?: string): string {
  if (explicit !== undefined) {
    const file = path.resolve(cwd, explicit);
    const stat = statOrUndefined(file);
    if (stat?.isFile()) return file;
    // A folder is taken to mean "the project in that folder", as with `-f examples/quickstart`.
    const found = stat?.isDirectory() ? inFolder(file) : undefined;
    if (found) return found;
    throw new PitstopError(
      stat ? `no pitstop.yaml or pitstop.yml in ${explicit}` : `no such file: ${explicit}`,
      { hint: 'check the path given with -f; it is relative to the current directory', exitCode: 3 },
    );
  }
  let dir = path.resolve(cwd);
  for (;;) {
    const found = inFolder(dir);
    if (found) return found;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new PitstopError(`no pitstop.yaml found in ${path.resolve(cwd)} or any folder above it`, {
    hint: 'create pitstop.yaml (see README), or use -f to name the project file',
    exitCode: 3,
  });
}

/** Compose's file names, in its order of preference (compose-go's DefaultFileNames). */
export const COMPOSE_FILE_NAMES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yml',
  'docker-compose.yaml',
] as const;
/** Read after the Compose file when it is found (not when files are named with -f), as Compose does. */
export const COMPOSE_OVERRIDE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const;

/**
 * What a project is made of: pitstop.yaml alone, or Compose files (merged in order) with an
 * optional pitstop.yaml that extends and overrides their services.
 */
export type ProjectFiles =
  | { kind: 'pitstop'; file: string }
  | { kind: 'compose'; compose: string[]; pitstop?: string };

/** A file named like a Compose file: compose.yaml, docker-compose.prod.yml, compose.admin.yaml... */
export function isComposeFileName(file: string): boolean {
  return /^(docker-)?compose([.-][^/]*)?\.ya?ml$/i.test(path.basename(file));
}

/** The project in one folder: Compose file (+ its override) and/or pitstop.yaml, or undefined. */
function projectIn(dir: string): ProjectFiles | undefined {
  const pitstop = inFolder(dir);
  const compose = COMPOSE_FILE_NAMES.map((name) => path.join(dir, name)).find(isFile);
  if (!compose) return pitstop ? { kind: 'pitstop', file: pitstop } : undefined;
  const override = COMPOSE_OVERRIDE_NAMES.map((name) => path.join(dir, name)).find(isFile);
  return {
    kind: 'compose',
    compose: override ? [compose, override] : [compose],
    ...(pitstop ? { pitstop } : {}),
  };
}

/**
 * The files a command works on. Without -f: the nearest folder (this one or above) holding
 * pitstop.yaml or a Compose file; both in one folder make one project. With -f (repeatable):
 * exactly the files named, Compose files merged in order (recognized by their name, see
 * isComposeFileName), at most one pitstop file; a folder means the project in that folder.
 * PitstopError (exit code 3) when there is nothing to load, 2 for two pitstop files.
 */
export function findProjectFiles(cwd: string, explicit: readonly string[] = []): ProjectFiles {
  if (explicit.length === 0) {
    let dir = path.resolve(cwd);
    for (;;) {
      const found = projectIn(dir);
      if (found) return found;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    throw new PitstopError(`no pitstop.yaml found in ${path.resolve(cwd)} or any folder above it`, {
      hint: 'create pitstop.yaml (see README) or compose.yaml, or use -f to name the project file',
      exitCode: 3,
    });
  }
  const compose: string[] = [];
  const pitstop: string[] = [];
  for (const written of explicit) {
    const file = path.resolve(cwd, written);
    const stat = statOrUndefined(file);
    if (stat?.isDirectory()) {
      const found = projectIn(file);
      if (!found) {
        throw new PitstopError(`no pitstop.yaml or compose.yaml in ${written}`, {
          hint: 'check the path given with -f; it is relative to the current directory',
          exitCode: 3,
        });
      }
      if (found.kind === 'pitstop') pitstop.push(found.file);
      else {
        compose.push(...found.compose);
        if (found.pitstop) pitstop.push(found.pitstop);
      }
    } else if (stat?.isFile()) {
      (isComposeFileName(file) ? compose : pitstop).push(file);
    } else {
      throw new PitstopError(`no such file: ${written}`, {
        hint: 'check the path given with -f; it is relative to the current directory',
        exitCode: 3,
      });
    }
  }
  if (pitstop.length > 1) {
    throw new PitstopError(`more than one pitstop project file: ${pitstop.join(', ')}`, {
      hint: 'name one pitstop.yaml with -f; Compose files (compose*.yaml) may be several',
      exitCode: 2,
    });
  }
  if (compose.length === 0) return { kind: 'pitstop', file: pitstop[0]! };
  return { kind: 'compose', compose, ...(pitstop[0] ? { pitstop: pitstop[0] } : {}) };
}
