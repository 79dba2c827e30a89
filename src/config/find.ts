// Which project file a command works on: the one given with -f, else the nearest pitstop.yaml
// (or .yml) in the working directory or above it, like git finds its repository.
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
