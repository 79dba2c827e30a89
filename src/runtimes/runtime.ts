// The one interface between the engine and wherever services run. The engine never knows
// whether an instance is a process, a container or a pod.
import type { Command, RuntimeName, Service } from '../model/project.js';
import type { SyncOp } from '../model/update.js';

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
  detail?: string;
}

export interface Instance {
  /** Human identifier, e.g. `pid 4242` or a short container id. */
  readonly id: string;
  /** Apply file changes to the instance's filesystem. */
  sync(ops: SyncOp[]): Promise<StepResult>;
  /** Run a command where the service runs; rejects with a PitstopError carrying the log tail on failure. */
  exec(cmd: Command): Promise<StepResult>;
  /** Restart the service's process (or its container, when asked and supported). */
  restart(mode: 'process' | 'container'): Promise<StepResult>;
  /** Graceful stop, then kill after the service's stop timeout. Resolves when nothing is left. */
  stop(): Promise<void>;
}

export interface Runtime {
  readonly name: RuntimeName;
  /** Remove what an earlier session of this project left behind; returns what was removed. */
  recover(): Promise<string[]>;
  /** Start the service; rejects with a PitstopError (command not found, port in use, ...). */
  start(service: Service, io: InstanceIO): Promise<Instance>;
  /** Stop every instance this runtime started in this session. */
  stopAll(): Promise<void>;
}
