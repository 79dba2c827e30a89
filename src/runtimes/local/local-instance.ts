// One service running as a local process group, straight from its source folder.
import { PitstopError } from '../../errors.js';
import type { Command, Service } from '../../model/project.js';
import type { SyncOp } from '../../model/update.js';
import { describeCommand, describeExit } from '../../proc/describe.js';
import { type ProcessGroup, spawnGroup } from '../../proc/process-group.js';
import type { ProcessRegistry } from '../../proc/registry.js';
import { runCommand } from '../../proc/run-command.js';
import type { ExitInfo, Instance, InstanceIO, StepResult } from '../runtime.js';

export interface InstanceHooks {
  /** The instance has a process again (launch or restart). */
  live(instance: LocalInstance): void;
  /** The instance was stopped on purpose. */
  stopped(instance: LocalInstance): void;
  /** Makes a spawn failure point at the project file. */
  spawnFailed(err: unknown, service: Service): unknown;
}

export class LocalInstance implements Instance {
  readonly env: Record<string, string>;
  #group: ProcessGroup | undefined;
  #lastPid: number | undefined;
  /** Groups whose exit we caused (stop, restart) and must not be reported as crashes. */
  readonly #expected = new WeakSet<ProcessGroup>();
  /** Launch, restart and stop run one at a time, in call order. */
  #queue: Promise<unknown> = Promise.resolve();
  #stopRequested = false;
  /** Counts stop/restart requests, so a crash report they overtook can be dropped. */
  #requests = 0;

  constructor(
    readonly service: Service,
    private readonly io: InstanceIO,
    private readonly registry: ProcessRegistry,
    private readonly hooks: InstanceHooks,
  ) {
    this.env = serviceEnv(service.run.env);
  }

  get id(): string {
    return `pid ${this.#group?.pid ?? this.#lastPid ?? '-'}`;
  }

  get pid(): number | undefined {
    return this.#group?.pid;
  }

  /** Whether stop() has been called: a stopped instance is not launched again. */
  get stopRequested(): boolean {
    return this.#stopRequested;
  }

  /** Starts the process; fails if stop() was called first (a shutdown racing with the start). */
  launch(): Promise<void> {
    return this.#serial(async () => {
      if (this.#stopRequested) {
        throw new PitstopError(`${this.service.name} was stopped before it started`);
      }
      await this.#spawn();
    });
  }

  async sync(ops: SyncOp[]): Promise<StepResult> {
    // The process runs from the service's own folder: the changed files are already in place.
    return { bytes: 0, detail: `in place: ${ops.length} ${ops.length === 1 ? 'file' : 'files'}` };
  }

  async exec(cmd: Command, options: { quiet?: boolean } = {}): Promise<StepResult> {
    const result = await runCommand(cmd, {
      cwd: this.service.run.cwd,
      env: this.env,
      onLine: (stream, line) => {
        if (!options.quiet) this.io.log(stream, line);
      },
      registry: this.registry,
      service: this.service.name,
      role: 'exec',
    });
    if (result.code !== 0) {
      throw new PitstopError(`"${describeCommand(cmd)}" ${describeExit(result, result.tail)}`, {
        logTail: result.tail,
        hint: 'fix the command or what it works on; the next change runs it again',
      });
    }
    return {};
  }

  restart(_mode: 'process' | 'container'): Promise<StepResult> {
    // A local service has no container: both modes restart the process.
    this.#requests++;
    return this.#serial(async () => {
      const old = this.#group;
      if (old) await this.#end(old);
      await this.#spawn();
      const now = this.#group?.pid;
      return { detail: old ? `pid ${old.pid} → pid ${now}` : `pid ${now}` };
    });
  }

  stop(): Promise<void> {
    this.#stopRequested = true;
    this.#requests++;
    return this.#serial(async () => {
      const group = this.#group;
      if (group) await this.#end(group);
      this.hooks.stopped(this);
    });
  }

  async #spawn(): Promise<void> {
    const { run, name } = this.service;
    // The config requires `run` for local services; only docker services may leave it out.
    const cmd = run.cmd ?? { argv: [] };
    let group: ProcessGroup;
    try {
      group = await spawnGroup(cmd, {
        cwd: run.cwd,
        env: this.env,
        onLine: (stream, line) => this.io.log(stream, line),
      });
    } catch (err) {
      throw this.hooks.spawnFailed(err, this.service);
    }
    // No await before this point: a shutdown racing with the start finds the process recorded.
    this.#group = group;
    this.#lastPid = group.pid;
    void this.registry.add({
      service: name,
      role: 'service',
      pid: group.pid,
      startTime: group.startTime ?? null,
      cmd: describeCommand(cmd),
    });
    this.hooks.live(this);
    void group.exited.then((info) => this.#exitedByItself(group, info));
  }

  /** Stops a group on purpose: its exit is not a crash. */
  async #end(group: ProcessGroup): Promise<void> {
    this.#expected.add(group);
    await group.stop(this.service.run.stopSignal, this.service.run.stopTimeoutMs);
    if (this.#group === group) this.#group = undefined;
    void this.registry.remove(group.pid);
  }

  async #exitedByItself(group: ProcessGroup, info: ExitInfo): Promise<void> {
    if (this.#expected.has(group)) return;
    this.#expected.add(group);
    const requests = this.#requests;
    // Children it left in its group would hold ports and files; the service ends with its leader.
    await group.stop(this.service.run.stopSignal, this.service.run.stopTimeoutMs);
    if (this.#group === group) this.#group = undefined;
    void this.registry.remove(group.pid);
    // A stop or restart asked for meanwhile already replaces the process; reporting the exit now
    // would read as a crash of its replacement.
    if (this.#requests !== requests) return;
    this.io.exited(info);
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(op);
    this.#queue = result.catch(() => {});
    return result;
  }
}

function serviceEnv(own: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return Object.assign(env, own);
}
