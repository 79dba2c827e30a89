// Images: what exists, naming, cleanup, and builds (whose output the caller reads).
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { DockerClient } from './client.js';
import { encodeFilters, type LabelSelector, labelFilter } from './filters.js';

export interface ImageInspect {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: string;
  Size: number;
  Architecture: string;
  Os: string;
  Config: {
    Labels: Record<string, string> | null;
    Env: string[] | null;
    Cmd: string[] | null;
    Entrypoint: string[] | null;
    WorkingDir: string;
    User: string;
    ExposedPorts?: Record<string, object> | null;
  } | null;
}

export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  Labels: Record<string, string> | null;
}

export interface ImageListOptions {
  labels?: LabelSelector;
  /** `name`, `name:tag`, with wildcards: `pitstop/*`. */
  reference?: string;
  /** Include intermediate images. */
  all?: boolean;
  /** Only untagged (`true`) or tagged (`false`) images. */
  dangling?: boolean;
}

export type ImageDeleteItem = { Untagged: string } | { Deleted: string };

export interface BuildOptions {
  /** Tags for the result (`name:tag`); more than one is allowed. */
  tags?: readonly string[];
  /** Path of the Dockerfile inside the context (default `Dockerfile`). */
  dockerfile?: string;
  buildArgs?: Readonly<Record<string, string>>;
  target?: string;
  labels?: Readonly<Record<string, string>>;
  /** BuildKit (`version=2`, output as `moby.buildkit.trace` records) instead of the legacy builder. */
  buildkit?: boolean;
  noCache?: boolean;
  pull?: boolean;
  platform?: string;
  /** Images whose layers may serve as cache. */
  cacheFrom?: readonly string[];
  signal?: AbortSignal;
}

export class ImagesApi {
  constructor(private readonly client: DockerClient) {}

  inspect(name: string): Promise<ImageInspect> {
    return this.client.request<ImageInspect>('GET', `/images/${encodeURIComponent(name)}/json`);
  }

  list(options: ImageListOptions = {}): Promise<ImageSummary[]> {
    const filters = encodeFilters({
      label: labelFilter(options.labels),
      reference: options.reference ? [options.reference] : undefined,
      dangling: options.dangling === undefined ? undefined : [String(options.dangling)],
    });
    return this.client.request<ImageSummary[]>('GET', '/images/json', {
      query: { filters, all: options.all },
    });
  }

  /** Gives `source` (name or id) the name `repo:tag`. */
  async tag(source: string, repo: string, tag = 'latest'): Promise<void> {
    await this.client.request('POST', `/images/${encodeURIComponent(source)}/tag`, { query: { repo, tag } });
  }

  remove(name: string, options: { force?: boolean; noPrune?: boolean } = {}): Promise<ImageDeleteItem[]> {
    return this.client.request<ImageDeleteItem[]>('DELETE', `/images/${encodeURIComponent(name)}`, {
      query: { force: options.force, noprune: options.noPrune },
    });
  }

  /**
   * Starts a build from a tar of the context and returns the daemon's progress stream (JSON
   * lines: read it with `jsonLines`). A failed build still answers 200: its error is a line
   * with `error`/`errorDetail`.
   */
  build(context: Readable | Buffer, options: BuildOptions = {}): Promise<IncomingMessage> {
    const json = (value: object | undefined) => (value ? JSON.stringify(value) : undefined);
    return this.client.stream('POST', '/build', {
      query: {
        t: options.tags,
        dockerfile: options.dockerfile,
        buildargs: json(options.buildArgs),
        target: options.target,
        labels: json(options.labels),
        version: options.buildkit ? '2' : undefined,
        nocache: options.noCache,
        pull: options.pull,
        platform: options.platform,
        cachefrom: json(options.cacheFrom),
        rm: true,
        forcerm: true,
      },
      body: context,
      headers: { 'content-type': 'application/x-tar' },
      signal: options.signal,
    });
  }
}
