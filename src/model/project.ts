// The validated, resolved project: what every other part reads. Paths are absolute,
// durations are milliseconds, defaults are filled in. Produced only by src/config.

/** A command as the user wrote it: a string runs through `/bin/sh -c`, a list is exec'd directly. */
export type Command = { shell: string } | { argv: string[] };

export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** A host-side build step (e.g. `go build`), re-run when one of its inputs changes. */
export interface BuildStep {
  name: string;
  cmd: Command;
  /** Absolute working directory. */
  cwd: string;
  env: Record<string, string>;
  /** Globs relative to the service dir; a changed file matching one re-runs the step. */
  inputs: string[];
  /** Paths/globs relative to the service dir that the step writes; never reported by the watcher. */
  outputs: string[];
}

export interface RunSpec {
  /** Undefined for a container that runs its image's own command. */
  cmd?: Command;
  /** Absolute working directory. */
  cwd: string;
  env: Record<string, string>;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
}

export type ReadyCheck =
  | { kind: 'http'; url: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'log'; pattern: string }
  | { kind: 'cmd'; cmd: Command }
  /** A command run where the service runs (inside its container): Compose's healthcheck. */
  | { kind: 'exec'; cmd: Command; intervalMs: number }
  | { kind: 'none' };

export interface Readiness {
  check: ReadyCheck;
  timeoutMs: number;
}

export interface Dependency {
  service: string;
  /**
   * `started`: the process runs; `ready`: its readiness check passed; `completed`: it ran to
   * completion with exit code 0 (a one-shot job such as a migration).
   */
  condition: 'started' | 'ready' | 'completed';
  /** Restart this service after the dependency is restarted or replaced. */
  restart: boolean;
}

export type LiveUpdateRule =
  /**
   * `from` is absolute on the host; `to` is the target path in the runtime (container path for
   * docker). `ignore`/`include` are globs relative to `from` that narrow what the rule covers.
   * `initial` syncs everything under `from` right after the service starts (Compose's initial_sync).
   */
  | { kind: 'sync'; from: string; to: string; ignore?: string[]; include?: string[]; initial?: boolean }
  /** `trigger` globs are relative to the service dir; empty means "after any synced change". */
  | { kind: 'run'; cmd: Command; trigger: string[] }
  | { kind: 'restart'; mode: 'process' | 'container' };

export type RuntimeName = 'local' | 'docker';

/** A published port: `host` on the machine running the service, `container` inside it. */
export interface PortMapping {
  host: number;
  container: number;
  /** The one host address it is published on; absent: all of them. */
  hostIp?: string;
}

export interface VolumeMount {
  /** `bind`: a host folder (absolute `source`); `volume`: a named volume of the project. */
  kind: 'bind' | 'volume';
  source: string;
  target: string;
  readOnly: boolean;
}

export interface ImageBuild {
  /** Absolute build context folder. */
  context: string;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
}

/** A registry between the engine that builds and the one that runs (one address, or two views of it). */
export interface RegistrySpec {
  /** Where the building engine pushes. */
  push: string;
  /** Where the running engine pulls the same repository from. */
  pull: string;
}

/** How the service runs on the docker runtime; resolved for every service, used by docker only. */
export interface DockerSpec {
  /** Run this image as it is (no build). */
  image?: string;
  /** Build the image; set whenever `image` is not. */
  build?: ImageBuild;
  /** Overrides the image's CMD; `run` belongs to the local runtime. */
  command?: string[];
  entrypoint?: string[];
  /** Over the service env, on docker only. */
  env: Record<string, string>;
  /** Push the image here and have the engine pull it by digest. */
  registry?: RegistrySpec;
  workdir?: string;
  user?: string;
  volumes: VolumeMount[];
}

export interface Service {
  name: string;
  /** Absolute service folder; relative paths of this service resolve against it. */
  dir: string;
  runtime: RuntimeName;
  /** Absolute paths watched for this service (folders or files). */
  watch: string[];
  /** gitignore-style patterns relative to `dir`. */
  ignore: string[];
  build: BuildStep[];
  run: RunSpec;
  /** Host ports the service listens on (the host side of `publish`). */
  ports: number[];
  /** Ports as published by a container runtime. */
  publish: PortMapping[];
  ready: Readiness;
  dependsOn: Dependency[];
  liveUpdate: LiveUpdateRule[];
  /** Globs relative to `dir`: a change to a match forces a full rebuild and restart. */
  fallBackOn: string[];
  /** What to do when the process exits on its own. */
  restartPolicy: 'no' | 'on-failure' | 'always';
  docker: DockerSpec;
}

export interface Project {
  name: string;
  /** Absolute folder holding the project file. */
  root: string;
  /** Absolute path of the project file. */
  file: string;
  /** Absolute folder for pitstop's own state (logs, pids, caches). Never watched. */
  stateDir: string;
  /** Services in the order they appear in the file. */
  services: Service[];
  /** gitignore-style patterns relative to `root`, applied to every service. */
  ignore: string[];
  /** The tree must be quiet this long before a batch of changes is cut. */
  settleMs: number;
  /** A batch is cut at the latest this long after its first change, even if writes continue. */
  maxBatchMs: number;
  /** At most this many services build/start/update at once. */
  parallel: number;
  /** Values of environment variables marked `secret`: masked wherever output is shown or kept. */
  secrets: string[];
  /** Things the project file asks for that pitstop does not do (yet), said once at start. */
  warnings: string[];
  /** Where a key of the project file was written, for runtime errors; path like ['services','api','run','cmd']. */
  locate(path: ReadonlyArray<string | number>): SourceLocation | undefined;
}
