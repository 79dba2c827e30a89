// Named volumes: state (databases, caches) that outlives a container replacement.
import type { DockerClient } from './client.js';
import { encodeFilters, type LabelSelector, labelFilter } from './filters.js';

export interface VolumeInspect {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt?: string;
  Labels: Record<string, string> | null;
  Scope: string;
}

const path = (volume: string) => `/volumes/${encodeURIComponent(volume)}`;

export class VolumesApi {
  constructor(private readonly client: DockerClient) {}

  /** Creating a volume that exists returns it unchanged (the daemon's rule). */
  create(
    name: string,
    options: { labels?: Readonly<Record<string, string>>; driver?: string } = {},
  ): Promise<VolumeInspect> {
    return this.client.request<VolumeInspect>('POST', '/volumes/create', {
      body: { Name: name, Driver: options.driver ?? 'local', Labels: options.labels ?? {} },
    });
  }

  inspect(volume: string): Promise<VolumeInspect> {
    return this.client.request<VolumeInspect>('GET', path(volume));
  }

  async list(options: { labels?: LabelSelector; name?: string } = {}): Promise<VolumeInspect[]> {
    const filters = encodeFilters({
      label: labelFilter(options.labels),
      name: options.name ? [options.name] : undefined,
    });
    const answer = await this.client.request<{ Volumes: VolumeInspect[] | null }>('GET', '/volumes', {
      query: { filters },
    });
    return answer.Volumes ?? [];
  }

  /** `force` also removes a volume the daemon thinks is in use by a removed container. */
  async remove(volume: string, options: { force?: boolean } = {}): Promise<void> {
    await this.client.request('DELETE', path(volume), { query: { force: options.force } });
  }
}
