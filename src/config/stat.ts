import { type Stats, statSync } from 'node:fs';

/**
 * The path's stats, or undefined when there is nothing usable there. Not only ENOENT: a path
 * through a file (ENOTDIR) or an unreadable folder is a mistake in the file, not a crash.
 */
export function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
