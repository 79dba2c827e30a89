// Containers: lifecycle, state, output. File transfer and exec live in archive.ts and exec.ts;
// they are reached from here so the runtime has one object per kind of thing.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { type ArchiveOptions, getArchive, type PathStat, putArchive, statPath } from './archive.js';
import { type AttachOptions, type AttachStream, attachContainer } from './attach.js';
import type { DockerClient } from './client.js';
import { type ContainerSpec, createBody } from './container-spec.js';
import { type OutputLine, outputLines } from './demux.js';
import { type ExecOptions, type ExecResult, runExec } from './exec.js';
import { encodeFilters, type LabelSelector, labelFilter } from './filters.js';
import { readJson } from './wire.js';

export interface ContainerState {
  Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: { Status: 'starting' | 'healthy' | 'unhealthy' };
}

export interface PortBindingInfo {
  HostIp: string;
  HostPort: string;
}

export interface ContainerInspect {
  Id: string;
  /** With a leading slash: `/name`. */
  Name: string;
  Created: string;
  Image: string;
  RestartCount: number;
  State: ContainerState;
  Config: {
    Image: string;
    Labels: Record<string, string> | null;
    Env: string[] | null;
    Cmd: string[] | null;
    Entrypoint: string[] | null;
    WorkingDir: string;
    User: string;
    Tty: boolean;
    OpenStdin: boolean;
    StdinOnce: boolean;
  };
  HostConfig: { NetworkMode: string; RestartPolicy: { Name: string; MaximumRetryCount: number } };
  NetworkSettings: {
    /** `"8080/tcp"` → host bindings (null when exposed but not published). */
    Ports: Record<string, PortBindingInfo[] | null> | null;
    Networks: Record<string, { NetworkID: string; IPAddress: string; Aliases: string[] | null }>;
  };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[];
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  State: ContainerState['Status'];
  Status: string;
  Labels: Record<string, string> | null;
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
}

export interface ContainerListOptions {
  labels?: LabelSelector;
  /** Only containers in these states (`running`, `exited`, ...). */
  status?: readonly ContainerState['Status'][];
  name?: string;
  /** Include stopped containers (default true: leftovers are usually stopped). */
  all?: boolean;
}

export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export interface WaitOptions {
  /** `next-exit` ignores a container that is already stopped; `removed` waits for its removal. */
  condition?: 'not-running' | 'next-exit' | 'removed';
  signal?: AbortSignal;
}

export interface LogOptions {
  follow?: boolean;
  /** Unix seconds, or a duration / RFC 3339 time the daemon understands. */
  since?: number | string;
  timestamps?: boolean;
  /** Only the last n lines. */
  tail?: number;
  stdout?: boolean;
  stderr?: boolean;
  /** Whether the container has a TTY; asked from the daemon when left out (one inspect). */
  tty?: boolean;
  signal?: AbortSignal;
}

const id = (value: string) => encodeURIComponent(value);

export class ContainersApi {
  constructor(private readonly client: DockerClient) {}

  async create(spec: ContainerSpec): Promise<{ Id: string; Warnings: string[] | null }> {
    return this.client.request('POST', '/containers/create', {
      query: { name: spec.name },
      body: createBody(spec),
    });
  }

  /** Starts the container; already running is fine (the daemon answers 304). */
  async start(container: string): Promise<void> {
    await this.client.request('POST', `/containers/${id(container)}/start`);
  }

  /** Stop signal, then SIGKILL after `t` seconds (the container's own stop timeout if left out). */
  async stop(container: string, t?: number): Promise<void> {
    await this.client.request('POST', `/containers/${id(container)}/stop`, { query: { t } });
  }

  /** Sends a signal (default SIGKILL); a container that is not running is a 409 DockerApiError. */
  async kill(container: string, signal = 'SIGKILL'): Promise<void> {
    await this.client.request('POST', `/containers/${id(container)}/kill`, { query: { signal } });
  }

  async restart(container: string, t?: number): Promise<void> {
    await this.client.request('POST', `/containers/${id(container)}/restart`, { query: { t } });
  }

  /** `force` kills a running container first; `v` removes its anonymous volumes too. */
  async remove(container: string, options: { force?: boolean; v?: boolean } = {}): Promise<void> {
    await this.client.request('DELETE', `/containers/${id(container)}`, {
      query: { force: options.force, v: options.v },
    });
  }

  inspect(container: string): Promise<ContainerInspect> {
    return this.client.request<ContainerInspect>('GET', `/containers/${id(container)}/json`);
  }

  list(options: ContainerListOptions = {}): Promise<ContainerSummary[]> {
    const filters = encodeFilters({
      label: labelFilter(options.labels),
      status: options.status,
      name: options.name ? [options.name] : undefined,
    });
    return this.client.request<ContainerSummary[]>('GET', '/containers/json', {
      query: { all: options.all ?? true, filters },
    });
  }

  /** Resolves with the exit status once the container reaches the condition (default: not running). */
  async wait(container: string, options: WaitOptions = {}): Promise<WaitResult> {
    return (await this.registerWait(container, options)).exit;
  }

  /**
   * Resolves as soon as the daemon has registered the wait; `exit` then settles with the status.
   * Use it with `next-exit` before causing an exit, so the exit cannot slip in before the wait.
   */
  async registerWait(container: string, options: WaitOptions = {}): Promise<{ exit: Promise<WaitResult> }> {
    // The daemon sends the headers once the wait is in place and the body when it is over.
    const res = await this.client.stream('POST', `/containers/${id(container)}/wait`, {
      query: { condition: options.condition },
      signal: options.signal,
    });
    const exit = readJson<WaitResult>(res).catch((err: unknown) => {
      throw options.signal?.aborted ? options.signal.reason : this.client.streamError(err);
    });
    // Nobody may be listening yet; the caller sees the failure when it awaits `exit`.
    exit.catch(() => {});
    return { exit };
  }

  /** Output lines with their stream (stdout/stderr), demultiplexed; follows while running if asked. */
  async *logs(container: string, options: LogOptions = {}): AsyncGenerator<OutputLine, void, undefined> {
    const tty = options.tty ?? (await this.inspect(container)).Config.Tty;
    const res: IncomingMessage = await this.client.stream('GET', `/containers/${id(container)}/logs`, {
      query: {
        follow: options.follow,
        since: options.since,
        timestamps: options.timestamps,
        tail: options.tail,
        stdout: options.stdout ?? true,
        stderr: options.stderr ?? true,
      },
      signal: options.signal,
    });
    try {
      yield* outputLines(res, { tty, timestamps: options.timestamps });
    } catch (err) {
      if (options.signal?.aborted) return;
      throw this.client.streamError(err);
    }
  }

  /**
   * Connects to the container's stdin and output (what `docker attach` and `docker run` do). On a
   * created container, attach before starting it to see all of its output from the first byte.
   */
  attach(container: string, options?: AttachOptions): Promise<AttachStream> {
    return attachContainer(this.client, container, options);
  }

  /** Extracts a tar archive into the directory `path` inside the container. */
  putArchive(
    container: string,
    path: string,
    tar: Readable | Buffer,
    options?: ArchiveOptions,
  ): Promise<void> {
    return putArchive(this.client, container, path, tar, options);
  }

  /** A tar stream of `path` (file or directory) inside the container. */
  getArchive(container: string, path: string): Promise<IncomingMessage> {
    return getArchive(this.client, container, path);
  }

  /** Name, size, mode and mtime of a path inside the container (404 DockerApiError if missing). */
  statPath(container: string, path: string): Promise<PathStat> {
    return statPath(this.client, container, path);
  }

  /** Runs a command in the running container to completion: exit code and output lines. */
  exec(container: string, cmd: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    return runExec(this.client, container, cmd, options);
  }
}
