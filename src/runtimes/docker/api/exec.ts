// A command run inside a running container, start to finish: create the exec, stream its
// demultiplexed output, then read its exit code.
import { setTimeout as sleep } from 'node:timers/promises';
import { PitstopError } from '../../../errors.js';
import type { DockerClient } from './client.js';
import { type OutputLine, outputLines } from './demux.js';

export interface ExecOptions {
  env?: Readonly<Record<string, string>> | readonly string[];
  workingDir?: string;
  user?: string;
  privileged?: boolean;
  /** Each line as it arrives (for live output); all lines are in the result as well. */
  onLine?: (line: OutputLine) => void;
  /** Stop waiting after this long. The daemon cannot kill an exec: the process may keep running. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  output: OutputLine[];
}

interface ExecInspect {
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
}

export async function runExec(
  client: DockerClient,
  container: string,
  cmd: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const env = Array.isArray(options.env)
    ? [...options.env]
    : Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`);
  const created = await client.request<{ Id: string }>(
    'POST',
    `/containers/${encodeURIComponent(container)}/exec`,
    {
      body: {
        Cmd: cmd,
        Env: env,
        WorkingDir: options.workingDir,
        User: options.user,
        Privileged: options.privileged,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      },
      signal: options.signal,
    },
  );
  const signal = withTimeout(options.signal, options.timeoutMs);
  const output: OutputLine[] = [];
  try {
    const res = await client.stream('POST', `/exec/${created.Id}/start`, {
      body: { Detach: false, Tty: false },
      signal,
    });
    for await (const line of outputLines(res, { tty: false })) {
      output.push(line);
      options.onLine?.(line);
    }
  } catch (err) {
    if (signal?.aborted && options.timeoutMs !== undefined && !options.signal?.aborted) {
      throw new PitstopError(`\`${cmd.join(' ')}\` did not finish within ${options.timeoutMs} ms`, {
        logTail: output.slice(-20).map((line) => line.text),
      });
    }
    throw client.streamError(err);
  }
  return { exitCode: await exitCode(client, created.Id), output };
}

// The output can end a moment before the daemon records the exit; ask again briefly.
async function exitCode(client: DockerClient, execId: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const state = await client.request<ExecInspect>('GET', `/exec/${execId}/json`);
    if (!state.Running && state.ExitCode !== null) return state.ExitCode;
    if (attempt >= 200) throw new Error(`exec ${execId} still running after its output ended`);
    await sleep(attempt < 20 ? 1 : 10);
  }
}

function withTimeout(signal: AbortSignal | undefined, ms: number | undefined): AbortSignal | undefined {
  if (ms === undefined) return signal;
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
