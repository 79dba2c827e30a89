// Process lifetimes for the bench: every process it starts leads its own process group, every
// group is registered for teardown, and a final sweep kills anything still running in a
// scenario's temp dir. A bench that leaves processes behind skews the next run.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const cleanups = new Set<() => Promise<void>>();

/** Registers a teardown that runs even when the bench is interrupted; returns its remover. */
export function onCleanup(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Runs every registered teardown, newest first; each one's failure is reported, not fatal. */
export async function runCleanups(): Promise<void> {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`cleanup failed: ${(err as Error).message}\n`);
    }
  }
}

/** Spawns `cmd` as the leader of a new process group, so the whole tree can be signalled. */
export function spawnGroup(cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
  return spawn(cmd, args, { ...opts, detached: true });
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** SIGTERM to the leader's whole group, then SIGKILL if it has not exited in time. */
export async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.pid === undefined) return;
  signalGroup(child.pid, 'SIGTERM');
  if (!(await waitExit(child, graceMs))) signalGroup(child.pid, 'SIGKILL');
  await waitExit(child, 1000);
  // Members may outlive the leader (e.g. a compiler mid-build); they get no second chance.
  signalGroup(child.pid, 'SIGKILL');
}

export interface Straggler {
  pid: number;
  command: string;
  cwd: string;
}

/**
 * Kills every process (other than this one) whose working directory is inside `dir` and
 * returns what it found: anything here escaped its owner's teardown and is worth reporting.
 */
export function reapStragglers(dir: string): Straggler[] {
  const found: Straggler[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cwd: string;
    let command: string;
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      continue;
    }
    // A zombie has an empty command line and holds nothing: its parent only has to reap it.
    if (!command) continue;
    if (cwd === dir || cwd.startsWith(`${dir}/`)) {
      found.push({ pid, command, cwd });
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
  }
  return found;
}

/** Keeps the last `max` lines written to a stream, for error messages. */
export class Tail {
  readonly lines: string[] = [];
  constructor(private readonly max = 40) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  toString(): string {
    return this.lines.join('\n');
  }
}
