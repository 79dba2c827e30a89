// What pitstop asks for when it creates a container, in its own words, and the Engine API's
// create body it becomes. Only the settings the runtime uses; add more the same way.

export interface PortSpec {
  /** Port inside the container. */
  container: number;
  protocol?: 'tcp' | 'udp' | 'sctp';
  /** Publish on this host port (0: any free port); leave out to only expose the port. */
  host?: number;
  /** Host address to publish on (default all addresses). */
  hostIp?: string;
}

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name (volume); unused for tmpfs. */
  source?: string;
  target: string;
  readOnly?: boolean;
}

export interface RestartPolicy {
  name: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  /** For `on-failure` only. */
  maximumRetryCount?: number;
}

export interface ContainerSpec {
  image: string;
  name?: string;
  labels?: Readonly<Record<string, string>>;
  env?: Readonly<Record<string, string>> | readonly string[];
  cmd?: readonly string[];
  entrypoint?: readonly string[];
  workingDir?: string;
  user?: string;
  ports?: readonly PortSpec[];
  /** Docker's `source:target[:options]` strings (host paths or volume names). */
  binds?: readonly string[];
  mounts?: readonly MountSpec[];
  /** Network to join at creation (name or id); its aliases let other services find this one. */
  network?: string;
  networkAliases?: readonly string[];
  restartPolicy?: RestartPolicy;
  /** Signal `stop` sends first (default SIGTERM, or the image's STOPSIGNAL). */
  stopSignal?: string;
  /** Seconds `stop` waits before SIGKILL when not told otherwise. */
  stopTimeout?: number;
  /** Run docker-init as PID 1 so signals and zombies are handled. */
  init?: boolean;
  autoRemove?: boolean;
  tty?: boolean;
  /**
   * Keep stdin open for `containers.attach` (OpenStdin, AttachStdin). It stays open across
   * attaches (StdinOnce false): closing one attach does not close the container's stdin.
   */
  openStdin?: boolean;
  hostname?: string;
  /** `host:ip` entries for /etc/hosts, e.g. `host.docker.internal:host-gateway`. */
  extraHosts?: readonly string[];
}

/** The JSON body of `POST /containers/create` for a spec. */
export function createBody(spec: ContainerSpec): Record<string, unknown> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of spec.ports ?? []) {
    const key = `${port.container}/${port.protocol ?? 'tcp'}`;
    exposed[key] = {};
    if (port.host === undefined) continue;
    const binding = { HostIp: port.hostIp ?? '', HostPort: port.host === 0 ? '' : String(port.host) };
    bindings[key] = [...(bindings[key] ?? []), binding];
  }
  const env = Array.isArray(spec.env)
    ? [...spec.env]
    : Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${value}`);
  return {
    Image: spec.image,
    Labels: spec.labels ?? {},
    Env: env,
    Cmd: spec.cmd,
    Entrypoint: spec.entrypoint,
    WorkingDir: spec.workingDir,
    User: spec.user,
    ExposedPorts: exposed,
    StopSignal: spec.stopSignal,
    StopTimeout: spec.stopTimeout,
    Tty: spec.tty ?? false,
    ...(spec.openStdin ? { OpenStdin: true, StdinOnce: false, AttachStdin: true } : {}),
    Hostname: spec.hostname,
    HostConfig: {
      PortBindings: bindings,
      Binds: spec.binds,
      Mounts: spec.mounts?.map((m) => ({
        Type: m.type,
        Source: m.source,
        Target: m.target,
        ReadOnly: m.readOnly,
      })),
      NetworkMode: spec.network,
      RestartPolicy: spec.restartPolicy && {
        Name: spec.restartPolicy.name,
        MaximumRetryCount: spec.restartPolicy.maximumRetryCount ?? 0,
      },
      Init: spec.init,
      AutoRemove: spec.autoRemove,
      ExtraHosts: spec.extraHosts,
    },
    NetworkingConfig: spec.network
      ? { EndpointsConfig: { [spec.network]: { Aliases: spec.networkAliases ?? [] } } }
      : undefined,
  };
}
