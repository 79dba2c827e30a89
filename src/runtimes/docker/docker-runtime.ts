// Services as containers on a Docker engine (local or remote). Images come from ImageBuilder;
// each container gets the supervisor as PID 1 and a stdin channel to it; a running container
// whose inputs hash the same is adopted instead of replaced.
import { readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { FileHashes } from '../../build/file-hashes.js';
import { PitstopError } from '../../errors.js';
import type { Project, Service } from '../../model/project.js';
import { checkPortsFree } from '../../proc/ports.js';
import { BlobStore } from '../../transfer/blob-store.js';
import { LinkEstimate } from '../../transfer/link.js';
import type {
  Instance,
  InstanceIO,
  PrepareOptions,
  PrepareResult,
  Runtime,
  StartOptions,
} from '../runtime.js';
import { type DockerClient, isConflict, isNotFound, packBuffer } from './api/index.js';
import { markDockerUsed } from './cleanup.js';
import { containerConfig, networkName, volumeName } from './container-config.js';
import { DigestStore } from './digest-store.js';
import { DockerInstance, type InstanceDeps } from './docker-instance.js';
import { ImageBuilder } from './image-builder.js';
import { LABELS } from './labels.js';
import { loadSupervisor, type SupervisorBinary } from './supervisor-binary.js';

export interface DockerRuntimeOptions {
  project: Project;
  client: DockerClient;
  hashes: FileHashes;
  /** Host ports can be checked here only when the daemon runs on this machine. */
  localDaemon: boolean;
  /** A tcp:// or ssh:// daemon's host, where its containers' published ports are reached. */
  remoteHost?: string;
  /** The engine that builds images a registry carries to a remote engine (default: the same). */
  builder?: DockerClient;
  warn(service: string, message: string): void;
}

export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const;
  readonly #instances = new Set<DockerInstance>();
  readonly #images: ImageBuilder;
  readonly #volumes = new Set<string>();
  #network: Promise<void> | undefined;
  #supervisor: Promise<SupervisorBinary> | undefined;
  readonly #instanceDeps: InstanceDeps;
  /** The connection to this daemon, measured at start and kept current by every transfer. */
  readonly link: LinkEstimate;
  /** Files of images as they were built, for deltas right after a start; slow links only. */
  readonly #blobs: BlobStore | undefined;

  constructor(private readonly options: DockerRuntimeOptions) {
    this.link = new LinkEstimate(options.localDaemon);
    this.#blobs = options.localDaemon ? undefined : new BlobStore(options.project.stateDir);
    this.#images = new ImageBuilder(
      options.client,
      options.project,
      options.hashes,
      options.warn,
      options.builder ?? options.client,
      new DigestStore(options.project.stateDir),
    );
    this.#instanceDeps = {
      client: options.client,
      localDaemon: options.localDaemon,
      remoteHost: options.remoteHost,
      link: this.link,
      blobs: this.#blobs,
      hint: (service, message) => options.warn(service, message),
      attach: (id) =>
        options.client.containers.attach(id, { stdin: true, stdout: true, stderr: true, tty: false }),
      removed: (instance) => this.#instances.delete(instance),
    };
  }

  get #labels(): Record<string, string> {
    return { [LABELS.project]: this.options.project.name, [LABELS.root]: this.options.project.root };
  }

  /** Containers of this project that are no longer running are an earlier session's leftovers. */
  async recover(): Promise<string[]> {
    await this.#measureRoundTrip();
    const removed: string[] = [];
    for (const c of await this.options.client.containers.list({ labels: this.#labels })) {
      if (c.State === 'running') continue;
      await this.options.client.containers.remove(c.Id, { force: true, v: true }).catch(() => undefined);
      removed.push(
        `removed stopped container ${c.Names[0]?.slice(1) ?? c.Id.slice(0, 12)} left by an earlier session`,
      );
    }
    return removed;
  }

  /** The link's round trip, from a few pings: the first thing known about a remote daemon. */
  async #measureRoundTrip(): Promise<void> {
    if (this.link.local) return;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await this.options.client.system.ping();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    this.link.observeRtt(times[2] ?? times[0] ?? 0);
  }

  async prepare(service: Service, options: PrepareOptions): Promise<PrepareResult> {
    const result = await this.#images.prepare(service, options);
    if (this.#blobs) await keepSyncedFiles(service, this.#blobs);
    return result;
  }

  readonly canHold = true;

  async start(service: Service, io: InstanceIO, options: StartOptions = {}): Promise<Instance> {
    const { client, project } = this.options;
    await Promise.all([this.#ensureNetwork(), this.#ensureVolumes(service)]);
    const image = await client.images.inspect(this.#images.imageFor(service));
    const supervisor = await this.#supervisorBinary();
    const { spec, hash } = containerConfig(project, service, image, supervisor.hash, options);

    const existing = await client.containers.list({
      labels: { ...this.#labels, [LABELS.service]: service.name },
    });
    for (const c of existing) {
      const owned = [...this.#instances].some((i) => i.containerId === c.Id);
      if (!owned && c.State === 'running' && c.Labels?.[LABELS.hash] === hash) {
        // What the process printed before this session attached (readiness may look for it).
        await replayOutput(client, c.Id, io);
        const adopted = new DockerInstance(service, c.Id, io, this.#instanceDeps, true);
        await adopted.connect();
        await adopted.learnAddress();
        adopted.primeBases();
        this.#instances.add(adopted);
        return adopted;
      }
      if (!owned) await client.containers.remove(c.Id, { force: true, v: true }).catch(() => undefined);
    }

    if (this.options.localDaemon) await checkPortsFree(service.ports);
    markDockerUsed(project.stateDir);
    const { Id } = await client.containers.create(spec);
    const instance = new DockerInstance(service, Id, io, this.#instanceDeps, false, options.hold);
    this.#instances.add(instance);
    try {
      // Over a slow link the supervisor travels compressed, and its upload is the first
      // measurement of the link's throughput.
      const tar = packBuffer(supervisorFiles(supervisor));
      const body = this.link.local ? tar : gzipSync(tar, { level: 6 });
      const sentAt = performance.now();
      await client.containers.putArchive(Id, '/', body);
      this.link.observeTransfer(body.length, performance.now() - sentAt);
      await instance.connect();
      await client.containers.start(Id);
      await instance.learnAddress();
      instance.primeBases();
    } catch (err) {
      await instance.stop();
      throw describeStartError(err, service);
    }
    return instance;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#instances].map((i) => i.stop()));
    if (this.#network) {
      // The network goes with the last container of the project; another session may still use it.
      const left = await this.options.client.containers.list({ labels: this.#labels }).catch(() => []);
      if (left.length === 0) {
        await this.options.client.networks.remove(networkName(this.options.project)).catch(() => undefined);
      }
    }
    this.options.client.close();
    this.options.builder?.close();
  }

  #ensureNetwork(): Promise<void> {
    this.#network ??= (async () => {
      const name = networkName(this.options.project);
      try {
        await this.options.client.networks.inspect(name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await this.options.client.networks.create(name, { labels: this.#labels }).catch((e: unknown) => {
          if (!isConflict(e)) throw e;
        });
      }
    })().catch((err: unknown) => {
      // Not remembered: a daemon that was away at the first service's start may be back for the next.
      this.#network = undefined;
      throw err;
    });
    return this.#network;
  }

  async #ensureVolumes(service: Service): Promise<void> {
    for (const v of service.docker.volumes) {
      if (v.kind !== 'volume') continue;
      const name = volumeName(this.options.project, v.source);
      if (this.#volumes.has(name)) continue;
      await this.options.client.volumes.create(name, { labels: this.#labels });
      this.#volumes.add(name);
    }
  }

  #supervisorBinary(): Promise<SupervisorBinary> {
    this.#supervisor ??= this.options.client.system.info().then((info) => loadSupervisor(info.Architecture));
    return this.#supervisor;
  }
}

function supervisorFiles(supervisor: SupervisorBinary) {
  return [
    { path: '.pitstop', type: 'directory' as const, mode: 0o755 },
    // Writable by any user the service runs as: the supervisor runs as that user too.
    { path: '.pitstop/control', type: 'directory' as const, mode: 0o1777 },
    { path: '.pitstop/supervisor', content: supervisor.content, mode: 0o755 },
  ];
}

/**
 * The files the image just built (or found unchanged) holds that sync rules will later replace:
 * the image's context is what is on disk now, so these are the container's first bases.
 */
async function keepSyncedFiles(service: Service, blobs: BlobStore): Promise<void> {
  for (const rule of service.liveUpdate) {
    if (rule.kind !== 'sync') continue;
    const st = await stat(rule.from).catch(() => undefined);
    // A single file (a host-built binary) is what deltas pay off for; whole trees are not kept.
    if (st?.isFile() && st.size >= 64 * 1024) blobs.put(await readFile(rule.from));
  }
}

/**
 * The output of the container's current process (printed since the supervisor last started
 * it), as log lines. Docker does not order stdout against stderr, so lines stamped a moment
 * before the supervisor's "started" note still count.
 */
async function replayOutput(client: DockerClient, id: string, io: InstanceIO): Promise<void> {
  const lines: { stream: 'stdout' | 'stderr'; text: string; at: number }[] = [];
  const logs = client.containers.logs(id, {
    stdout: true,
    stderr: true,
    tail: 2_000,
    timestamps: true,
    tty: false,
  });
  for await (const line of logs) {
    const at = line.time ? Date.parse(line.time) : 0;
    if (line.text.includes('pitstop-supervisor: started pid=')) {
      const keep = lines.filter((l) => l.at >= at - REORDER_MS);
      lines.length = 0;
      lines.push(...keep);
    } else if (!line.text.includes('pitstop-supervisor: '))
      lines.push({ stream: line.stream, text: line.text, at });
  }
  for (const line of lines) io.log(line.stream, line.text);
}

/** How far Docker's stdout and stderr may be out of step with each other. */
const REORDER_MS = 100;

function describeStartError(err: unknown, service: Service): unknown {
  const message = err instanceof Error ? err.message : String(err);
  const port = /(?:Bind for [^:]*:|0\.0\.0\.0:|:::)(\d+) failed|address already in use/.exec(message);
  if (port) {
    return new PitstopError(
      `port ${port[1] ?? service.ports.join(', ')} is already in use on the Docker host`,
      {
        hint: 'stop what uses it, or change `ports` in pitstop.yaml',
        cause: err,
      },
    );
  }
  if (isConflict(err)) {
    return new PitstopError(`a container for ${service.name} already exists: ${(err as Error).message}`, {
      hint: 'another pitstop session of this project folder may be running; `pitstop down` removes its containers',
      cause: err,
    });
  }
  return err;
}
