// Services as plain processes on this machine: the fastest loop there is, since files need no
// copying and a restart is a process restart.
import { PitstopError } from '../../errors.js';
import type { Project, Service } from '../../model/project.js';
import { checkPortsFree } from '../../proc/ports.js';
import type { ProcessRegistry } from '../../proc/registry.js';
import { SpawnError } from '../../proc/spawn-errors.js';
import type { Instance, InstanceIO, Runtime } from '../runtime.js';
import { LocalInstance } from './local-instance.js';

export interface LocalRuntimeOptions {
  stateDir: string;
  registry: ProcessRegistry;
  /** Where a key of the project file was written, so start errors can point at it. */
  locate?: Project['locate'];
}

export class LocalRuntime implements Runtime {
  readonly name = 'local' as const;
  readonly #live = new Set<LocalInstance>();
  readonly #hooks = {
    live: (instance: LocalInstance) => this.#live.add(instance),
    stopped: (instance: LocalInstance) => this.#live.delete(instance),
    spawnFailed: (err: unknown, service: Service) => this.#explainSpawn(err, service),
  };

  constructor(private readonly options: LocalRuntimeOptions) {}

  recover(): Promise<string[]> {
    return this.options.registry.sweep();
  }

  async start(service: Service, io: InstanceIO): Promise<Instance> {
    const instance = new LocalInstance(service, io, this.options.registry, this.#hooks);
    // Tracked from the first moment: a stopAll() racing with this start must reach it.
    this.#live.add(instance);
    try {
      try {
        await checkPortsFree(service.ports);
      } catch (err) {
        throw this.#pointAt(err, service, ['ports']);
      }
      await instance.launch();
      // stopAll() arrived while the process was being spawned; its stop() is already under way.
      if (instance.stopRequested) throw new PitstopError(`${service.name} was stopped while it was starting`);
    } catch (err) {
      this.#live.delete(instance);
      throw err;
    }
    return instance;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#live].map((instance) => instance.stop()));
    await this.options.registry.flush();
  }

  #explainSpawn(err: unknown, service: Service): unknown {
    return this.#pointAt(err, service, ['run', err instanceof SpawnError ? err.field : 'cmd']);
  }

  /** Adds the project-file location of `key` (or its nearest written parent) to a PitstopError. */
  #pointAt(err: unknown, service: Service, key: string[]): unknown {
    if (!(err instanceof PitstopError) || err.where || !this.options.locate) return err;
    const base = ['services', service.name];
    for (let n = key.length; n >= 0; n--) {
      const loc = this.options.locate([...base, ...key.slice(0, n)]);
      if (loc) {
        return new PitstopError(err.message, {
          hint: err.hint,
          where: `${loc.file}:${loc.line}:${loc.col}`,
          logTail: err.logTail,
          exitCode: err.exitCode,
          cause: err.cause,
        });
      }
    }
    return err;
  }
}
