// A session: the selected services, started in dependency order, kept live from the watcher's
// batches, and stopped in reverse order. It wires controllers together; it does no step itself.

import type { Builder } from '../build/builder.js';
import { PitstopError } from '../errors.js';
import { type EventBus, epochNow } from '../events.js';
import { startOrder } from '../graph/graph.js';
import type { LogStore } from '../logs/log-store.js';
import type { Command, Project, Service } from '../model/project.js';
import type { ChangeBatch, FileChange, UpdateRecord } from '../model/update.js';
import type { Runtime } from '../runtimes/runtime.js';
import { contextExcludes } from '../util/dockerignore.js';
import { Limiter } from './limiter.js';
import { ServiceController } from './service-controller.js';

export interface SessionDeps {
  project: Project;
  /** The services to run: the user's selection plus their dependencies. */
  services: Service[];
  /** The runtime each service runs on. */
  runtimeFor(service: Service): Runtime;
  /** Stops whatever every runtime still has running (after the services stopped in order). */
  stopRuntimes(): Promise<void>;
  builder: Builder;
  events: EventBus;
  logs: LogStore;
  runCheck(cmd: Command, signal: AbortSignal): Promise<number | null>;
  /** Any crash fails its service at once instead of restarting it (`pitstop ci`). */
  failFast: boolean;
  redact: (text: string) => string;
  /** Routes a batch's changes to the services that watch them. */
  route(changes: FileChange[]): Map<string, FileChange[]>;
}

export interface ServiceStatus {
  name: string;
  state: string;
  detail?: string;
  instance?: string;
  lastUpdate?: UpdateRecord;
}

export class Session {
  readonly #controllers = new Map<string, ServiceController>();
  readonly #startedAt = epochNow();
  #allReadyAnnounced = false;
  #started = false;
  #stopping = false;
  #updateId = 0;
  #settle: { resolve(ok: boolean): void; promise: Promise<boolean> };

  constructor(private readonly deps: SessionDeps) {
    let resolve!: (ok: boolean) => void;
    this.#settle = { promise: new Promise<boolean>((r) => (resolve = r)), resolve };
    this.#settle.resolve = resolve;
    const limiter = new Limiter(deps.project.parallel);
    for (const service of deps.services) {
      this.#controllers.set(
        service.name,
        new ServiceController({
          service,
          runtime: deps.runtimeFor(service),
          builder: deps.builder,
          limiter,
          events: deps.events,
          logs: deps.logs,
          runCheck: deps.runCheck,
          nextUpdateId: () => ++this.#updateId,
          onRestarted: (name) => this.#restartDependents(name),
          failFast: deps.failFast,
          redact: deps.redact,
          // Only an image has a .dockerignore'd outside; a local process may read any file.
          outsideImage:
            service.runtime === 'docker' && service.docker.build
              ? () => contextExcludes(service.docker.build!)
              : undefined,
        }),
      );
    }
    deps.events.on((event) => {
      if (event.type === 'service-state' && this.#started && !this.#stopping) this.#onStateChange();
    });
  }

  /** Starts every service whose dependencies allow it; the rest follow as dependencies become ready. */
  start(): void {
    this.deps.events.emit({
      type: 'session-started',
      project: this.deps.project.name,
      root: this.deps.project.root,
      services: [...this.#controllers.keys()],
    });
    for (const message of this.deps.project.warnings) this.deps.events.emit({ type: 'warning', message });
    this.#started = true;
    this.#startEligible();
  }

  /** Resolves true once every service has been ready, false as soon as one fails (for `pitstop ci`). */
  settled(): Promise<boolean> {
    return this.#settle.promise;
  }

  applyBatch(batch: ChangeBatch): void {
    if (this.#stopping) return;
    const routed = this.deps.route(batch.changes);
    const services = [...routed.keys()].filter((name) => this.#controllers.has(name));
    this.deps.events.emit({
      type: 'batch',
      fileCount: batch.changes.length,
      files: batch.changes.slice(0, 10).map((c) => c.path),
      services,
    });
    for (const name of services) {
      this.#controllers.get(name)?.enqueue(routed.get(name) ?? [], batch.firstSeenAt, batch.cutAt);
    }
  }

  trigger(name: string): Promise<UpdateRecord> {
    const controller = this.#controllers.get(name);
    if (!controller) {
      return Promise.reject(
        new PitstopError(`no service named "${name}" in this session`, {
          hint: `services: ${[...this.#controllers.keys()].join(', ')}`,
          exitCode: 2,
        }),
      );
    }
    return controller.trigger();
  }

  status(): ServiceStatus[] {
    return [...this.#controllers.values()].map((c) => ({
      name: c.name,
      state: c.state,
      detail: c.detail,
      instance: c.instanceId,
      lastUpdate: c.lastRecord,
    }));
  }

  /** Stops dependents before what they depend on; services of one level stop in parallel. */
  async stop(reason: string): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const levels = startOrder(this.deps.services).reverse();
    for (const level of levels) {
      await Promise.all(level.map((name) => this.#controllers.get(name)?.stop()));
    }
    await this.deps.stopRuntimes();
    this.deps.events.emit({ type: 'session-stopped', reason });
    this.#settle.resolve(false);
  }

  #blockers(name: string): string[] {
    const service = this.deps.services.find((s) => s.name === name);
    return (service?.dependsOn ?? [])
      .filter((dep) => {
        const c = this.#controllers.get(dep.service);
        if (!c) return false;
        if (dep.condition === 'completed') return !c.completedOnce;
        return dep.condition === 'ready' ? !c.readyOnce : !(c.readyOnce || c.instanceId);
      })
      .map((dep) => dep.service);
  }

  #startEligible(): void {
    for (const c of this.#controllers.values()) {
      if (c.started) continue;
      const blockers = this.#blockers(c.name);
      if (blockers.length === 0) void c.requestStart();
      else {
        const failed = blockers.filter((b) => this.#controllers.get(b)?.state === 'failed');
        // Its container can start while it waits; only its process must wait for the blockers.
        if (failed.length === 0) c.stage();
        const detail = `waiting for ${blockers.join(', ')}${failed.length ? ` (${failed.join(', ')} failed)` : ''}`;
        if (c.detail !== detail) c.setState('waiting', detail);
      }
    }
  }

  #onStateChange(): void {
    this.#startEligible();
    const all = [...this.#controllers.values()];
    if (all.some((c) => c.state === 'failed')) this.#settle.resolve(false);
    if (!this.#allReadyAnnounced && all.every((c) => c.readyOnce)) {
      this.#allReadyAnnounced = true;
      this.deps.events.emit({ type: 'all-ready', durationMs: Math.round(epochNow() - this.#startedAt) });
      this.#settle.resolve(true);
    }
  }

  #restartDependents(name: string): void {
    for (const service of this.deps.services) {
      if (service.dependsOn.some((d) => d.service === name && d.restart)) {
        this.#controllers.get(service.name)?.dependencyRestarted();
      }
    }
  }
}
