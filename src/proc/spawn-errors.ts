// Turns spawn failures into errors the user can act on. Node reports a missing program, a
// missing working directory and a missing #! interpreter all as ENOENT, so we look for ourselves.
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, resolve } from 'node:path';
import { PitstopError } from '../errors.js';
import type { Command } from '../model/project.js';
import { describeCommand } from './describe.js';

/** A spawn failure; `field` says which part of the run spec is wrong, so callers can point at it. */
export class SpawnError extends PitstopError {
  constructor(
    message: string,
    readonly field: 'cmd' | 'cwd',
    hint: string,
    cause?: unknown,
  ) {
    super(message, { hint, cause });
  }
}

export function checkCwd(cwd: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    throw new SpawnError(
      `working directory does not exist: ${cwd}`,
      'cwd',
      'create it, or fix `cwd` (or the service folder) in pitstop.yaml',
    );
  }
  if (!isDir) {
    throw new SpawnError(
      `working directory is not a folder: ${cwd}`,
      'cwd',
      'point `cwd` in pitstop.yaml at a folder',
    );
  }
}

/** The file a program name resolves to, like the shell's lookup; undefined when there is none. */
export function findProgram(name: string, cwd: string, pathVar: string | undefined): string | undefined {
  if (name.includes('/')) {
    const file = isAbsolute(name) ? name : resolve(cwd, name);
    return exists(file) ? file : undefined;
  }
  for (const dir of (pathVar ?? '').split(delimiter)) {
    const file = resolve(cwd, dir || '.', name);
    if (exists(file)) return file;
  }
  return undefined;
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function interpreterOf(file: string): string | undefined {
  try {
    const buf = Buffer.alloc(256);
    const fd = openSync(file, 'r');
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } finally {
      closeSync(fd);
    }
    const head = buf.toString('latin1', 0, n);
    if (!head.startsWith('#!')) return undefined;
    return head.slice(2).split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

export function spawnFailure(
  err: unknown,
  cmd: Command,
  cwd: string,
  env: Record<string, string>,
): PitstopError {
  const code = (err as NodeJS.ErrnoException).code;
  const program = 'shell' in cmd ? '/bin/sh' : (cmd.argv[0] ?? '');
  const file = findProgram(program, cwd, env.PATH);

  if (code === 'ENOENT') {
    if (file) {
      const interp = interpreterOf(file);
      return new SpawnError(
        `cannot run ${program}: its interpreter ${interp ? `\`${interp}\` ` : ''}was not found`,
        'cmd',
        `install the interpreter or fix the #! line of ${file}`,
        err,
      );
    }
    const hint = program.includes('/')
      ? `there is no file at ${resolve(cwd, program)}; check the path, or run the build step that creates it`
      : `install it, or add its folder to PATH (PATH is pitstop's own plus the service's env)`;
    return new SpawnError(`command not found: ${program}`, 'cmd', hint, err);
  }

  if (code === 'EACCES' || code === 'EPERM') {
    if (file && isDirectory(file)) {
      return new SpawnError(
        `cannot run ${program}: it is a folder`,
        'cmd',
        'point the command at a program',
        err,
      );
    }
    if (file && !isExecutable(file)) {
      return new SpawnError(`not executable: ${program}`, 'cmd', `make it executable: chmod +x ${file}`, err);
    }
    return new SpawnError(
      `permission denied running ${program}`,
      'cmd',
      `check the permissions of ${file ?? program} and of the folders leading to it`,
      err,
    );
  }

  const message = err instanceof Error ? err.message : String(err);
  return new SpawnError(
    `cannot start \`${describeCommand(cmd)}\`: ${message}`,
    'cmd',
    'check the command in pitstop.yaml',
    err,
  );
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    // X_OK is true for root whenever any x bit is set, which is exactly when exec can succeed.
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Words the shell runs itself: a missing program can't be judged from them.
const SHELL_WORDS = new Set(
  (
    '. : [ [[ { ! alias bg break builtin case cd command continue declare echo eval exec exit export ' +
    'false fc fg for function getopts hash if jobs kill let local printf pwd read readonly return set ' +
    'shift source test time times trap true type typeset ulimit umask unalias unset until wait while'
  ).split(' '),
);

/**
 * `sh -c "does-not-exist"` spawns fine and only exits 127 later, so a missing program would look
 * like a crash. For a simple command (a plain first word) we look the program up first and fail
 * the same way the list form does; anything with shell syntax in its first word is left alone.
 */
export function checkShellProgram(shell: string, cwd: string, env: Record<string, string>): void {
  const words = shell.trim().split(/\s+/);
  const first = words[0] === 'exec' ? words[1] : words[0];
  if (!first || SHELL_WORDS.has(first) || /[^\w./+@%,-]/.test(first)) return;
  if (findProgram(first, cwd, env.PATH)) return;
  const err = Object.assign(new Error(`spawn ${first} ENOENT`), { code: 'ENOENT' });
  throw spawnFailure(err, { argv: [first] }, cwd, env);
}
