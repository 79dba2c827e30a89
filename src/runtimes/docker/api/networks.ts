// User-defined networks: services find each other by name (alias) on a project network.
import type { DockerClient } from './client.js';
import { encodeFilters, type LabelSelector, labelFilter } from './filters.js';

export interface NetworkInspect {
  Id: string;
  Name: string;
  Driver: string;
  Scope: string;
  Internal: boolean;
  Labels: Record<string, string> | null;
  /** Attached containers by id. */
  Containers?: Record<string, { Name: string; IPv4Address: string }>;
}

export interface NetworkCreateOptions {
  labels?: Readonly<Record<string, string>>;
  /** Default `bridge`. */
  driver?: string;
  /** No route to the outside world. */
  internal?: boolean;
  attachable?: boolean;
}

const path = (network: string) => `/networks/${encodeURIComponent(network)}`;

export class NetworksApi {
  constructor(private readonly client: DockerClient) {}

  create(name: string, options: NetworkCreateOptions = {}): Promise<{ Id: string; Warning: string }> {
    return this.client.request('POST', '/networks/create', {
      body: {
        Name: name,
        // Without it the daemon happily makes a second network with the same name.
        CheckDuplicate: true,
        Driver: options.driver ?? 'bridge',
        Internal: options.internal ?? false,
        Attachable: options.attachable ?? false,
        Labels: options.labels ?? {},
      },
    });
  }

  inspect(network: string): Promise<NetworkInspect> {
    return this.client.request<NetworkInspect>('GET', path(network));
  }

  list(options: { labels?: LabelSelector; name?: string } = {}): Promise<NetworkInspect[]> {
    const filters = encodeFilters({
      label: labelFilter(options.labels),
      name: options.name ? [options.name] : undefined,
    });
    return this.client.request<NetworkInspect[]>('GET', '/networks', { query: { filters } });
  }

  async connect(
    network: string,
    container: string,
    options: { aliases?: readonly string[] } = {},
  ): Promise<void> {
    await this.client.request('POST', `${path(network)}/connect`, {
      body: { Container: container, EndpointConfig: { Aliases: options.aliases ?? [] } },
    });
  }

  async disconnect(network: string, container: string, options: { force?: boolean } = {}): Promise<void> {
    await this.client.request('POST', `${path(network)}/disconnect`, {
      body: { Container: container, Force: options.force ?? false },
    });
  }

  async remove(network: string): Promise<void> {
    await this.client.request('DELETE', path(network));
  }
}
