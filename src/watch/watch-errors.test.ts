import { describe, expect, it } from 'vitest';
import { PitstopError } from '../errors.js';
import { classifyWatchError, type WatchFailure } from './watch-errors.js';

const fsError = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

function fatal(failure: WatchFailure): PitstopError {
  if (failure.kind !== 'fatal' || !(failure.error instanceof PitstopError))
    throw new Error('not a PitstopError');
  return failure.error;
}

describe('classifyWatchError', () => {
  it('turns the inotify watch limit into an actionable error naming the watched count', () => {
    const error = fatal(classifyWatchError(fsError('ENOSPC'), '/p/src', 8191));
    expect(error.message).toContain('8191 folders');
    expect(error.hint).toContain('sudo sysctl fs.inotify.max_user_watches=524288');
  });

  it('explains running out of file descriptors or inotify instances', () => {
    expect(fatal(classifyWatchError(fsError('EMFILE'), '/p/src', 10)).hint).toContain('max_user_instances');
  });

  it('skips unreadable folders with a warning and vanished ones silently', () => {
    expect(classifyWatchError(fsError('EACCES'), '/p/secret', 1)).toEqual({
      kind: 'skip',
      warning: expect.stringContaining('/p/secret'),
    });
    expect(classifyWatchError(fsError('ENOENT'), '/p/x', 1)).toEqual({ kind: 'gone' });
  });
});
