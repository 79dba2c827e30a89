// The one interface between the engine and wherever services run. The engine never knows
// whether an instance is a process, a container or a pod.
import type { Command, RuntimeName, Service } from '../model/project.js';
import type { Span, SyncOp } from '../model/update.js';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

/** Output and lifecycle of one instance, reported to the engine. */
export interface InstanceIO {
  log(stream: 'stdout' | 'stderr', line: string): void;
  /** The instance stopped without being asked to (a crash or a clean exit of its own). */
  exited(info: ExitInfo): void;
}

/** What a step did, for its span. */
export interface StepResult {
  bytes?: number;
  /** Bytes an encoding (compression, a delta) kept off the wire. */
  bytesSaved?: number;
  detail?: string;
  /** Finer steps inside this one, e.g. the stages of an image build. */
  children?: Span[];
}

export interface PrepareOptions {
  /** Build even when the inputs say the result is current (`pitstop trigger`). */
  force: boolean;
  /**
   * Only find what is already there: rejects instead of building or pulling (a start ahead must
   * not do work that the update record, and with it the history, would never show).
   */
  cachedOnly?: boolean;
  signal: AbortSignal;
  /** Output of the preparation (build logs), for the service's log. */
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /** The stage the preparation is at (e.g. an image build's current step). */
  onProgress?(detail: string): void;
}

export interface SyncOptions {
  /** The caller restarts the process right after: a runtime may fold finishing the sync into it. */
  restartNext?: boolean;
  /** Bytes sent so far of the total, as the transfer goes. */
  onProgress?(sent: number, total: number): void;
}

export interface PrepareResult extends StepResult {
  /** Nothing was done: what start() needs already exists for these inputs. */
  cached: boolean;
}

export interface Instance {
  /** Human identifier, e.g. `pid 4242` or a short container id. */
  readonly id: string;
  /** Apply file changes to the instance's filesystem. */
  sync(ops: SyncOp[], options?: SyncOptions): Promise<StepResult>;
  /**
   * Run a command where the service runs; rejects with a PitstopError carrying the log tail on
   * failure. `quiet` keeps its output out of the service log (health checks run often).
   */
  exec(cmd: Command, options?: { quiet?: boolean }): Promise<StepResult>;
  /**
   * Restart the service's process (or its container, when asked and supported). `signal` aborts
   * a restart that is waiting (e.g. for a Docker daemon to come back) when pitstop stops.
   */
  restart(mode: 'process' | 'container', options?: { signal?: AbortSignal }): Promise<StepResult>;
  /**
   * Where a readiness probe (TCP or HTTP) written for `host:port` must go. A container runtime
   * maps its published ports: on a local engine to the container's own address (the port proxy
   * accepts connections before the service listens), on a remote engine to that host's address
   * (127.0.0.1 in pitstop.yaml means "where the service runs"). Undefined: as written.
   */
  probeTarget?(host: string, port: number): { host: string; port: number } | undefined;
  /**
   * Starts the process of an instance started with `hold`; resolves once it is started: true,
   * or false when it was running already (an adopted instance never held one).
   */
  release?(): Promise<boolean>;
  /** Graceful stop, then kill after the service's stop timeout. Resolves when nothing is left. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Start all but the service's process, which waits for `Instance.release`: the services it
   * depends on are still starting, and its container can start meanwhile.
   */
  hold?: boolean;
}

export interface Runtime {
  readonly name: RuntimeName;
  /** Remove what an earlier session of this project left behind; returns what was removed. */
  recover(): Promise<string[]>;
  /**
   * Make what start() needs, e.g. build the service's image; skipped when its inputs are
   * unchanged. Runtimes that need nothing (local processes) leave it out.
   */
  prepare?(service: Service, options: PrepareOptions): Promise<PrepareResult>;
  /**
   * Start the service, or take over an instance an earlier session left running with the same
   * inputs; rejects with a PitstopError (command not found, port in use, ...).
   */
  /** Whether `start` can hold the process (worth starting an instance before it may run). */
  readonly canHold?: boolean;
  start(service: Service, io: InstanceIO, options?: StartOptions): Promise<Instance>;
  /** Stop every instance this runtime started in this session. */
  stopAll(): Promise<void>;
}
