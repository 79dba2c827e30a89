// Short-lived commands: build steps, live-update `run` commands, readiness commands.
import type { Command } from '../model/project.js';
import { describeCommand } from './describe.js';
import { type OutputStream, spawnGroup } from './process-group.js';
import type { ProcessRegistry, ProcessRole } from './registry.js';

export interface RunCommandOptions {
  cwd: string;
  /** The complete environment of the command. */
  env: Record<string, string>;
  onLine(stream: OutputStream, line: string): void;
  /** Aborting stops the command's whole process group (SIGTERM, SIGKILL after 2 s). */
  signal?: AbortSignal;
  /** Records the command while it runs, so an interrupted session leaves nothing behind. */
  registry?: ProcessRegistry;
  service?: string;
  role?: ProcessRole;
}

export interface RunResult {
  code: number | null;
  signal: string | null;
  durationMs: number;
  /** The last output lines of both streams, oldest first. */
  tail: string[];
  /** The command was stopped (or never started) because `signal` aborted. */
  aborted: boolean;
}

export const TAIL_LINES = 30;
const ABORT_GRACE_MS = 2_000;

/**
 * Runs a command to completion in its own process group. Resolves (never rejects) with how it
 * ended; rejects only when it cannot be started (a PitstopError: not found, not executable, ...).
 * Background processes the command leaves in its group are stopped when it exits.
 */
export async function runCommand(cmd: Command, opts: RunCommandOptions): Promise<RunResult> {
  const started = performance.now();
  const tail: string[] = [];
  if (opts.signal?.aborted) {
    return { code: null, signal: null, durationMs: 0, tail, aborted: true };
  }
  const group = await spawnGroup(cmd, {
    cwd: opts.cwd,
    env: opts.env,
    onLine(stream, line) {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      opts.onLine(stream, line);
    },
  });
  // Recorded before any other await, so a shutdown racing with us still finds it.
  const recorded = opts.registry?.add({
    service: opts.service ?? '',
    role: opts.role ?? 'build',
    pid: group.pid,
    startTime: group.startTime ?? null,
    cmd: describeCommand(cmd),
  });
  recorded?.catch(() => {});

  let aborted = false;
  const onAbort = () => {
    aborted = true;
    void group.stop('SIGTERM', ABORT_GRACE_MS);
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const info = await group.exited;
    const durationMs = performance.now() - started;
    await group.stop('SIGTERM', ABORT_GRACE_MS);
    return { code: info.code, signal: info.signal, durationMs, tail, aborted };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    opts.registry?.remove(group.pid).catch(() => {});
  }
}
