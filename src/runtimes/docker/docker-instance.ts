// One service running as a container: files and restarts go to its supervisor over stdin,
// commands run through exec, and an exit is told apart from a stop.
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { PitstopError } from '../../errors.js';
import type { Command, Service } from '../../model/project.js';
import type { SyncOp } from '../../model/update.js';
import type { BlobStore } from '../../transfer/blob-store.js';
import { debugInfo } from '../../transfer/elf-debug.js';
import type { LinkEstimate } from '../../transfer/link.js';
import { describeShipment, FileShipper } from '../../transfer/shipper.js';
import { formatBytes } from '../../util/format.js';
import type { Instance, InstanceIO, StepResult, SyncOptions } from '../runtime.js';
import type { DockerClient } from './api/index.js';
import { type AttachStream, SupervisorChannel } from './supervisor-channel.js';

export interface InstanceDeps {
  client: DockerClient;
  /** The link to the daemon, shared by every container on it. */
  link: LinkEstimate;
  /** Files as they went into images (kept for slow links only). */
  blobs?: BlobStore;
  /** A one-time piece of advice for the user (e.g. strip debug information). */
  hint(service: string, message: string): void;
  /** The daemon runs on this machine, so containers' own addresses are reachable from here. */
  localDaemon: boolean;
  /** The remote engine's host: where its published ports are. */
  remoteHost?: string;
  attach(container: string): Promise<AttachStream>;
  /** The container was stopped and removed on purpose. */
  removed(instance: DockerInstance): void;
}

/** How long a restart waits for a Docker daemon that went away to answer again. */
const DAEMON_WAIT_MS = 60_000;
/** Long enough after a start for its readiness check to be over. */
const PRIME_AFTER_MS = 1_000;

async function isFile(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => undefined))?.isFile() ?? false;
}

/** Attempts of an operation whose connection dropped under it. */
const RETRIES = 3;
/** Sequence numbers skipped after a reconnection, so a late ack of an old frame matches nothing. */
const RESYNC_GAP = 1_000;

/** The daemon did not answer (gone, restarting): worth waiting for, unlike an error it reports. */
function isUnreachable(err: unknown): boolean {
  return err instanceof Error && /cannot reach the Docker daemon|lost the connection/.test(err.message);
}

interface FileItem {
  from: string;
  to: string;
  /** The sync rule's target in the container: the supervisor keeps the op inside it. */
  root: string | undefined;
}

function groupByRoot(items: FileItem[]): Map<string | undefined, FileItem[]> {
  const groups = new Map<string | undefined, FileItem[]>();
  for (const item of items) groups.set(item.root, [...(groups.get(item.root) ?? []), item]);
  return groups;
}

export class DockerInstance implements Instance {
  #channel: SupervisorChannel | undefined;
  #stopping = false;
  /** An exit is reported once; a restart re-arms it. */
  #exitReported = false;
  /** Counts restarts begun, so a recovery that overlapped one knows its news is stale. */
  #restarts = 0;
  /** A restart is under way: a channel it opened may die with the daemon it is waiting for. */
  #restarting = false;
  #held: boolean;
  /** Set while a dropped channel is being re-established; resolves true when it is. */
  #reconnecting: Promise<boolean> | undefined;
  /** The container's address on the project network, when reachable from here. */
  #ip: string | undefined;
  readonly #shipper: FileShipper;
  readonly #hinted = new Set<string>();

  constructor(
    readonly service: Service,
    readonly containerId: string,
    private readonly io: InstanceIO,
    private readonly deps: InstanceDeps,
    readonly adopted: boolean,
    /** Started with its process held (PITSTOP_HOLD_FIRST_START): `release` starts it. */
    held = false,
  ) {
    this.#held = held;
    this.#shipper = new FileShipper(deps.link, deps.blobs);
  }

  get id(): string {
    return `container ${this.containerId.slice(0, 12)}${this.adopted ? ' (adopted)' : ''}`;
  }

  /** Opens the control channel; call before the container starts so no output is missed. */
  async connect(): Promise<void> {
    this.#open(await this.deps.attach(this.containerId), 0);
  }

  #open(attach: AttachStream, firstSeq: number): SupervisorChannel {
    const channel = new SupervisorChannel(
      attach,
      {
        line: (stream, text) => this.io.log(stream, text),
        exited: (info) => this.#reportExit(info),
      },
      this.service.name,
      firstSeq,
    );
    this.#channel = channel;
    void channel.done.then(() => this.#channelClosed(channel));
    return channel;
  }

  /**
   * Runs `work` on the channel; when the connection drops under it (a network fault) but the
   * container runs on, waits for the channel to be re-established and runs it again. Every op is
   * idempotent (writes, deletes and patches land whole or not at all), so repeating converges.
   */
  async #onChannel<T>(work: (channel: SupervisorChannel) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const channel = this.#requireChannel();
      try {
        return await work(channel);
      } catch (err) {
        if (!isUnreachable(err) || attempt >= RETRIES) throw err;
        await channel.done;
        if (!(await this.#reconnecting)) throw err;
      }
    }
  }

  async sync(ops: SyncOp[], options: SyncOptions = {}): Promise<StepResult> {
    return this.#onChannel((channel) => this.#sync(channel, ops, options));
  }

  async #sync(channel: SupervisorChannel, ops: SyncOp[], options: SyncOptions): Promise<StepResult> {
    const deletes: FileItem[] = [];
    const writes: FileItem[] = [];
    for (const op of ops) {
      const root = op.root === undefined ? undefined : this.#target(op.root);
      if (op.kind === 'delete') deletes.push({ from: op.from, to: this.#target(op.to), root });
      else await this.#expand(op.from, this.#target(op.to), root, writes, deletes);
    }
    // Deletes first: a folder deleted and re-created in one batch must end up with its new files.
    const acks: Promise<unknown>[] = [];
    for (const [root, group] of groupByRoot(deletes)) {
      acks.push(channel.send({ op: 'delete', paths: group.map((d) => d.to), ...(root ? { root } : {}) }));
    }
    // Read first, so the transfer's total is known and progress can be told as it goes.
    const files: { item: FileItem; mode: number; content: Buffer }[] = [];
    for (const item of writes) {
      const inRoot = item.root ? { root: item.root } : {};
      const st = await lstat(item.from).catch(() => undefined);
      if (!st) acks.push(channel.send({ op: 'delete', paths: [item.to], ...inRoot }));
      else if (st.isSymbolicLink()) {
        acks.push(
          channel.send({ op: 'symlink', path: item.to, target: await readlink(item.from), ...inRoot }),
        );
      } else files.push({ item, mode: st.mode & 0o7777, content: await readFile(item.from) });
    }
    const total = files.reduce((sum, f) => sum + f.content.length, 0);
    let sent = 0;
    const shipments = files.map(async ({ item, mode, content }) => {
      this.#hintDebugInfo(item.from, content);
      const before = sent;
      sent += content.length;
      const progress = (n: number) => options.onProgress?.(before + n, total);
      const target = { path: item.to, mode, ...(item.root ? { root: item.root } : {}) };
      return this.#shipper.ship(channel, target, content, progress);
    });
    await Promise.all(acks);
    const done = await Promise.all(shipments);
    const wire = done.reduce((sum, s) => sum + s.wireBytes, 0);
    const raw = done.reduce((sum, s) => sum + s.rawBytes, 0);
    const parts = [`${writes.length} file${writes.length === 1 ? '' : 's'}`];
    const largest = [...done].sort((a, b) => b.rawBytes - a.rawBytes)[0];
    if (largest) parts.push(describeShipment(largest));
    if (deletes.length) parts.push(`${deletes.length} deleted`);
    const result: StepResult = { bytes: wire, detail: parts.join(', ') };
    if (raw > wire) result.bytesSaved = raw - wire;
    return result;
  }

  /** Once per file: a Go binary carrying debug information over a slow link could be much smaller. */
  #hintDebugInfo(from: string, content: Buffer): void {
    if (this.deps.link.isFast() || this.#hinted.has(from)) return;
    const info = debugInfo(content);
    if (!info?.go || info.strippable < content.length * 0.1) return;
    this.#hinted.add(from);
    const stripped = content.length - info.strippable;
    this.deps.hint(
      this.service.name,
      `${path.basename(from)} carries debug information: ${formatBytes(info.strippable)} of ${formatBytes(content.length)}. ` +
        `Built with -ldflags "-s -w" it would be ${formatBytes(stripped)} on this ${this.deps.link.describe()}. ` +
        'pitstop does not change your build flags; add them to the build step if you do not need a debugger here.',
    );
  }

  async exec(cmd: Command, options: { quiet?: boolean } = {}): Promise<StepResult> {
    const argv = 'shell' in cmd ? ['/bin/sh', '-c', cmd.shell] : cmd.argv;
    const result = await this.deps.client.containers.exec(this.containerId, argv, {
      workingDir: this.service.docker.workdir,
      onLine: (line) => {
        if (!options.quiet) this.io.log(line.stream, line.text);
      },
    });
    if (result.exitCode !== 0) {
      throw new PitstopError(
        `"${argv.join(' ')}" exited with code ${result.exitCode} in ${this.service.name}`,
        {
          logTail: result.output.slice(-20).map((l) => l.text),
          hint:
            result.exitCode === 126 || result.exitCode === 127
              ? 'the command is not in the image: the run rule executes inside the container'
              : 'fix the command or what it works on; the next change runs it again',
        },
      );
    }
    return {};
  }

  async release(): Promise<boolean> {
    if (!this.#held) return false;
    // The supervisor holds the first start until a restart request: this one.
    await this.#onChannel((channel) => channel.send({ op: 'restart' }));
    this.#held = false;
    return true;
  }

  async restart(mode: 'process' | 'container', options: { signal?: AbortSignal } = {}): Promise<StepResult> {
    this.#exitReported = false;
    this.#restarts++;
    this.#restarting = true;
    try {
      return await this.#restart(mode, options.signal);
    } finally {
      this.#restarting = false;
    }
  }

  async #restart(mode: 'process' | 'container', signal: AbortSignal | undefined): Promise<StepResult> {
    const running = await this.#isRunning();
    if (mode === 'process' && running && this.#channel) {
      const ack = await this.#onChannel((channel) => channel.send({ op: 'restart' }));
      return { detail: `pid ${ack.pid ?? '?'}` };
    }
    // The container itself must (re)start. After the daemon went away (a restart, an upgrade) it
    // comes back with it: keep trying while the daemon is not answering, until a deadline.
    const deadline = Date.now() + DAEMON_WAIT_MS;
    for (;;) {
      try {
        await this.#startContainer(running && mode === 'container');
        return { detail: mode === 'container' || running ? 'container restarted' : 'container started' };
      } catch (err) {
        if (!isUnreachable(err) || Date.now() > deadline) throw err;
        await this.#daemonUp(deadline, signal);
      }
    }
  }

  async #startContainer(stopFirst: boolean): Promise<void> {
    this.#disconnect();
    if (stopFirst) await this.deps.client.containers.stop(this.containerId, this.#stopSeconds());
    await this.connect();
    await this.deps.client.containers.start(this.containerId);
    await this.learnAddress();
  }

  /**
   * Over a slow link, soon after a start: learn and index what the container holds for each
   * single-file sync rule (a host-built binary from the image), off the edit-to-live path.
   */
  primeBases(): void {
    if (this.deps.link.isFast()) return;
    const timer = setTimeout(async () => {
      for (const rule of this.service.liveUpdate) {
        if (rule.kind !== 'sync' || !(await isFile(rule.from)) || !this.#channel) continue;
        await this.#shipper.prime(this.#channel, this.#target(rule.to)).catch(() => undefined);
      }
    }, PRIME_AFTER_MS);
    timer.unref();
  }

  /** Notes the container's own address, so TCP readiness is not fooled by the port proxy. */
  async learnAddress(): Promise<void> {
    if (!this.deps.localDaemon) return;
    try {
      const networks = (await this.deps.client.containers.inspect(this.containerId)).NetworkSettings.Networks;
      this.#ip = Object.values(networks).find((n) => n.IPAddress)?.IPAddress || undefined;
    } catch {
      this.#ip = undefined;
    }
  }

  probeTarget(host: string, port: number): { host: string; port: number } | undefined {
    const mapping = this.service.publish.find((p) => p.host === port);
    if (!mapping || !['127.0.0.1', 'localhost', '::1'].includes(host)) return undefined;
    if (this.deps.remoteHost) return { host: this.deps.remoteHost, port };
    return this.#ip ? { host: this.#ip, port: mapping.container } : undefined;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#disconnect();
    try {
      await this.deps.client.containers.stop(this.containerId, this.#stopSeconds());
    } catch {
      // Already stopped or gone: removal below is what matters.
    }
    await this.deps.client.containers
      .remove(this.containerId, { force: true, v: true })
      .catch(() => undefined);
    this.deps.removed(this);
  }

  /** Forget the channel before closing it, so its end is not taken for the container's. */
  #disconnect(): void {
    const channel = this.#channel;
    this.#channel = undefined;
    channel?.close();
  }

  #stopSeconds(): number {
    return Math.ceil(this.service.run.stopTimeoutMs / 1000);
  }

  #requireChannel(): SupervisorChannel {
    if (!this.#channel) throw new PitstopError(`${this.service.name}: the container is not connected`);
    return this.#channel;
  }

  /** Container paths: relative sync targets are relative to the container's working directory. */
  #target(to: string): string {
    return path.posix.resolve(this.service.docker.workdir ?? '/', to);
  }

  async #expand(
    from: string,
    to: string,
    root: string | undefined,
    writes: FileItem[],
    deletes: FileItem[],
  ): Promise<void> {
    const st = await lstat(from).catch(() => undefined);
    if (!st) deletes.push({ from, to, root });
    else if (st.isDirectory()) {
      for (const name of await readdir(from)) {
        await this.#expand(path.join(from, name), path.posix.join(to, name), root, writes, deletes);
      }
    } else writes.push({ from, to, root });
  }

  async #daemonUp(deadline: number, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('stopped');
      try {
        await this.deps.client.system.ping({ timeoutMs: 2_000, signal });
        return;
      } catch (err) {
        if (Date.now() > deadline || signal?.aborted) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  async #isRunning(): Promise<boolean> {
    try {
      return (await this.deps.client.containers.inspect(this.containerId)).State.Running;
    } catch {
      return false;
    }
  }

  #reportExit(info: { code: number | null; signal: string | null }): void {
    if (this.#stopping || this.#exitReported) return;
    this.#exitReported = true;
    this.io.exited(info);
  }

  /**
   * The attach stream ended. Unless we stopped it: the container stopped, the daemon went away,
   * or the network between us dropped. Find out which, waiting for the daemon to answer again:
   * a container that runs on gets its channel back (the dropped frame completed and ignored); one
   * that stopped is an exit.
   */
  async #channelClosed(channel: SupervisorChannel): Promise<void> {
    if (this.#stopping || channel !== this.#channel) return;
    this.#channel = undefined;
    const recovered = this.#recover(channel);
    this.#reconnecting = recovered;
    await recovered;
  }

  async #recover(lost: SupervisorChannel): Promise<boolean> {
    const restartsBefore = this.#restarts;
    const deadline = Date.now() + DAEMON_WAIT_MS;
    let state: { Running: boolean; ExitCode: number } | undefined;
    for (;;) {
      if (this.#stopping) return false;
      try {
        state = (await this.deps.client.containers.inspect(this.containerId)).State;
      } catch (err) {
        if (isUnreachable(err) && Date.now() < deadline) {
          await sleep(250);
          continue;
        }
        state = undefined;
      }
      if (!state?.Running) break;
      try {
        const attach = await this.deps.attach(this.containerId);
        if (lost.padding > 0) await attach.write(Buffer.alloc(lost.padding, 0x0a));
        // Acks of the old frames may still come: new sequence numbers keep them apart.
        const channel = this.#open(attach, lost.lastSeq + RESYNC_GAP);
        // A stream still out of step never answers: give up on it rather than hang.
        await withDeadline(channel.send({ op: 'hello' }), HELLO_TIMEOUT_MS, () => channel.close());
        return true;
      } catch (err) {
        if (!isUnreachable(err) || Date.now() > deadline) break;
        await sleep(250);
      }
    }
    // A restart under way or begun meanwhile (even one still waiting for the daemon) makes this
    // end old news: reporting it would count a second crash for one.
    if (this.#channel || this.#stopping || this.#restarting || restartsBefore !== this.#restarts)
      return false;
    this.#reportExit({ code: state?.ExitCode ?? null, signal: null });
    return false;
  }
}

const HELLO_TIMEOUT_MS = 10_000;

function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
