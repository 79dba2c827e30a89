// Daemon-wide calls: is it there, what is it, and what is happening on it.
import type { DockerClient } from './client.js';
import { encodeFilters, type Filters } from './filters.js';
import { jsonLines } from './json-lines.js';
import { drain } from './wire.js';

export interface PingResult {
  /** The daemon's newest API version (`Api-Version` header). */
  apiVersion?: string;
  osType?: string;
  /** `2` when the daemon builds with BuildKit by default. */
  builderVersion?: string;
}

export interface VersionInfo {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  GitCommit?: string;
  GoVersion?: string;
}

export interface SystemInfo {
  ID: string;
  Name: string;
  ServerVersion: string;
  OperatingSystem: string;
  OSType: string;
  Architecture: string;
  NCPU: number;
  MemTotal: number;
  DockerRootDir: string;
  Driver: string;
  CgroupVersion?: string;
  Containers: number;
  ContainersRunning: number;
  Images: number;
}

export interface DockerEvent {
  /** `container`, `image`, `network`, `volume`, `daemon`, ... */
  Type: string;
  /** `create`, `start`, `die`, `destroy`, `kill`, `exec_start: ...`, ... */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope?: 'local' | 'swarm';
  time: number;
  timeNano: number;
}

export interface EventsOptions {
  /** e.g. `{ type: ['container'], event: ['die'], label: ['pitstop.project=shop'] }`. */
  filters?: Filters;
  /** Unix seconds (or RFC 3339): replay events from then on before the live ones. */
  since?: string | number;
  until?: string | number;
  signal?: AbortSignal;
}

export class SystemApi {
  constructor(private readonly client: DockerClient) {}

  /** The cheapest call there is: answers as soon as the daemon does. */
  async ping(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PingResult> {
    const res = await this.client.stream('GET', '/_ping', { ...options, unversioned: true });
    await drain(res).catch((err: unknown) => {
      throw this.client.streamError(err);
    });
    const header = (name: string) => {
      const value = res.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    return {
      apiVersion: header('api-version'),
      osType: header('ostype'),
      builderVersion: header('builder-version'),
    };
  }

  version(): Promise<VersionInfo> {
    return this.client.request<VersionInfo>('GET', '/version');
  }

  info(): Promise<SystemInfo> {
    return this.client.request<SystemInfo>('GET', '/info');
  }

  /**
   * Live daemon events, parsed. The iterator ends or throws "lost the connection" when the
   * daemon goes away (a restart), and stops cleanly on `break` or when `signal` aborts.
   */
  async *events(options: EventsOptions = {}): AsyncGenerator<DockerEvent, void, undefined> {
    const res = await this.client.stream('GET', '/events', {
      query: {
        filters: options.filters ? encodeFilters(options.filters) : undefined,
        since: options.since,
        until: options.until,
      },
      signal: options.signal,
    });
    try {
      yield* jsonLines<DockerEvent>(res);
    } catch (err) {
      if (options.signal?.aborted) return;
      throw this.client.streamError(err);
    }
  }
}
