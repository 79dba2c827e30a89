// How a failure to watch or read a folder is reported: system limits stop the watcher with an
// actionable error, a folder the user cannot read is skipped with a warning, a vanished one is
// left to the delete event that is on its way.
import { PitstopError } from '../errors.js';

export type WatchFailure =
  | { kind: 'gone' }
  | { kind: 'skip'; warning: string }
  | { kind: 'fatal'; error: Error };

export function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** `watchedDirs` is how many folders were watched when it failed, to size the new limit. */
export function classifyWatchError(err: unknown, dir: string, watchedDirs: number): WatchFailure {
  switch (errorCode(err)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { kind: 'gone' };
    case 'EACCES':
    case 'EPERM':
      return {
        kind: 'skip',
        warning: `cannot watch ${dir}: permission denied; changes inside it are not seen`,
      };
    case 'ENOSPC':
      return {
        kind: 'fatal',
        error: new PitstopError(
          `cannot watch ${dir}: the system limit on inotify watches is reached (pitstop was watching ${watchedDirs} folders)`,
          {
            hint:
              'Raise it with `sudo sysctl fs.inotify.max_user_watches=524288` (add the setting to /etc/sysctl.d/ to keep it), ' +
              "or ignore big folders in .gitignore, .dockerignore or the project's `ignore`.",
            cause: err,
          },
        ),
      };
    case 'EMFILE':
    case 'ENFILE':
      return {
        kind: 'fatal',
        error: new PitstopError(
          `cannot watch ${dir}: too many open files or inotify instances (pitstop was watching ${watchedDirs} folders)`,
          {
            hint:
              'Raise the limits with `ulimit -n 65536` and `sudo sysctl fs.inotify.max_user_instances=1024`, ' +
              "or ignore big folders in .gitignore, .dockerignore or the project's `ignore`.",
            cause: err,
          },
        ),
      };
    default:
      return { kind: 'fatal', error: err instanceof Error ? err : new Error(String(err)) };
  }
}
