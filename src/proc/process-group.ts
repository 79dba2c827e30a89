// Every process pitstop starts is the leader of its own process group, so the whole tree it
// spawns (shell wrappers, npm scripts, watchers, workers) can be signalled and awaited as one.
import { spawn } from 'node:child_process';
import type { Command } from '../model/project.js';
import type { ExitInfo } from '../runtimes/runtime.js';
import { LineSplitter } from './lines.js';

export { describeCommand, describeExit } from './describe.js';

import { checkCwd, checkShellProgram, SpawnError, spawnFailure } from './spawn-errors.js';
import { isGroupGone, processStartTime } from './start-time.js';

export type OutputStream = 'stdout' | 'stderr';

export interface SpawnGroupOptions {
  cwd: string;
  /** The complete environment of the process (nothing is inherited implicitly). */
  env: Record<string, string>;
  onLine(stream: OutputStream, line: string): void;
}

export interface ProcessGroup {
  /** PID of the leader, which is also the process group id. */
  readonly pid: number;
  /** Start time of the leader (see start-time.ts); undefined where /proc is not available. */
  readonly startTime: number | undefined;
  /** Settles when the leader has exited and its output has been read. */
  readonly exited: Promise<ExitInfo>;
  /** Sends a signal to every process of the group; a no-op once the group is gone. */
  signal(sig: NodeJS.Signals): void;
  /**
   * Sends `signal` to the group, SIGKILLs it after `timeoutMs` if anything is left, and resolves
   * with the leader's exit once nothing of the group is left. Safe to call repeatedly.
   */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo>;
}

/** After the leader exits, wait this long for grandchildren holding its stdout before settling. */
const OUTPUT_GRACE_MS = 250;
/** SIGKILL cannot be ignored, but a process in uninterruptible sleep (D) can linger; don't hang forever. */
const AFTER_KILL_MS = 5_000;

export async function spawnGroup(cmd: Command, opts: SpawnGroupOptions): Promise<ProcessGroup> {
  checkCwd(opts.cwd);
  let file: string;
  let args: string[];
  if ('shell' in cmd) {
    checkShellProgram(cmd.shell, opts.cwd, opts.env);
    file = '/bin/sh';
    args = ['-c', cmd.shell];
  } else {
    const [first, ...rest] = cmd.argv;
    if (!first)
      throw new SpawnError('the command is empty', 'cmd', 'give `cmd` a program to run in pitstop.yaml');
    file = first;
    args = rest;
  }

  return new Promise<ProcessGroup>((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, {
        cwd: opts.cwd,
        env: opts.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      // Synchronous throws are argument errors (e.g. a NUL byte in an argument).
      reject(spawnFailure(err, cmd, opts.cwd, opts.env));
      return;
    }
    // Read the start time now, while the child cannot have been reaped yet: reaping happens on
    // the event loop, which has not run since spawn() returned.
    const startTime = child.pid === undefined ? undefined : processStartTime(child.pid);

    child.once('error', (err) => {
      if (child.pid === undefined) reject(spawnFailure(err, cmd, opts.cwd, opts.env));
    });
    child.once('spawn', () => {
      const pid = child.pid;
      if (pid === undefined) return;
      // Errors after a successful spawn (e.g. a failed kill) must not crash pitstop.
      child.on('error', () => {});
      resolve(new Group(child, pid, startTime, opts.onLine));
    });
  });
}

class Group implements ProcessGroup {
  readonly exited: Promise<ExitInfo>;
  #exit: ExitInfo | undefined;
  /** Set once the group was seen empty; afterwards its id may be reused and is never signalled. */
  #gone = false;
  #stopping: Promise<ExitInfo> | undefined;
  /** Wakes a waiting stop() as soon as the leader exits, instead of at the next poll. */
  #wake: (() => void) | undefined;

  constructor(
    child: ReturnType<typeof spawn>,
    readonly pid: number,
    readonly startTime: number | undefined,
    onLine: SpawnGroupOptions['onLine'],
  ) {
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      if (!source) continue;
      const splitter = new LineSplitter((line) => deliver(onLine, stream, line));
      source.on('data', (chunk: Buffer) => splitter.push(chunk));
      source.on('end', () => splitter.end());
      source.on('error', () => splitter.end());
    }
    this.exited = new Promise<ExitInfo>((resolve) => {
      let closed = false;
      child.once('close', () => {
        closed = true;
        if (this.#exit) resolve(this.#exit);
      });
      child.once('exit', (code, signal) => {
        const info: ExitInfo = { code, signal };
        this.#exit = info;
        this.#wake?.();
        if (closed) resolve(info);
        // Background children may keep the pipes open indefinitely; the leader's exit still counts.
        else setTimeout(() => resolve(info), OUTPUT_GRACE_MS);
      });
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.#gone) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      // ESRCH: nothing left to signal; EPERM: a member changed identity (setuid) — nothing we can do.
    }
  }

  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    this.#stopping ??= this.#stop(signal, timeoutMs);
    return this.#stopping;
  }

  async #stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    if (!this.#isGone()) {
      this.signal(signal);
      if (!(await this.#waitGone(timeoutMs))) {
        this.signal('SIGKILL');
        await this.#waitGone(AFTER_KILL_MS);
      }
    }
    return this.exited;
  }

  #isGone(): boolean {
    if (!this.#gone && this.#exit !== undefined && isGroupGone(this.pid)) this.#gone = true;
    return this.#gone;
  }

  async #waitGone(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    // Most processes die within a few ms of the signal: poll fast first, then back off.
    let delay = 1;
    while (!this.#isGone()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(delay, left));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = undefined;
      delay = Math.min(delay * 2, 50);
    }
    return true;
  }
}

function deliver(onLine: SpawnGroupOptions['onLine'], stream: OutputStream, line: string): void {
  try {
    onLine(stream, line);
  } catch (err) {
    // A failing consumer must not stop the draining, or the child would block on a full pipe.
    process.emitWarning(`output listener failed: ${(err as Error).message}`);
  }
}
