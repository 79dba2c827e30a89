// pitstop's side of the supervisor's stdin protocol (agent/README.md): frames written to the
// container's stdin over one attach connection, acknowledgements read back from its stderr.
// No process is spawned per update, and it works over any Docker transport.
import { PitstopError } from '../../errors.js';
import type { ExitInfo } from '../runtime.js';

const MARK = 'pitstop-supervisor: ';
/** Payload chunk size when progress is wanted: small enough to report a slow link's progress. */
const CHUNK = 256 * 1024;
const EXIT_SETTLE_MS = 50;

export interface AttachStream {
  write(data: Buffer | string): Promise<void>;
  lines: AsyncIterable<{ stream: 'stdout' | 'stderr'; text: string }>;
  closed: Promise<void>;
  close(): void;
}

export interface ChannelEvents {
  /** A line of the service's own output. */
  line(stream: 'stdout' | 'stderr', text: string): void;
  /** The service's process exited (the container lives on, waiting for a restart). */
  exited(info: ExitInfo): void;
}

interface Waiter {
  resolve(fields: Record<string, string>): void;
  reject(err: Error): void;
  /** The frame's size on the wire, header line included. */
  bytes: number;
}

export class SupervisorChannel {
  #seq = 0;
  /** Frames are written one after another: a header must never land inside another's payload. */
  #writing: Promise<void> = Promise.resolve();
  readonly #waiters = new Map<number, Waiter>();
  #lost: Error | undefined;
  #padAfterLoss = 0;
  readonly done: Promise<void>;

  constructor(
    private readonly attach: AttachStream,
    private readonly events: ChannelEvents,
    private readonly container: string,
    /** Sequence numbers go on from the channel this one replaces (the supervisor's are ordered). */
    firstSeq = 0,
  ) {
    this.#seq = firstSeq;
    this.done = this.#read();
  }

  get lastSeq(): number {
    return this.#seq;
  }

  /**
   * After the connection dropped mid-frame, the supervisor (stdin stays open) still waits for the
   * rest of that frame. Bytes the OS took may or may not have crossed, so this counts every frame
   * not yet acknowledged: that many newlines on the next connection complete whatever is
   * unfinished — a header line as a malformed one, a payload as garbage its sha256 (or gzip)
   * check rejects — and the rest are blank lines, which the supervisor ignores.
   */
  get padding(): number {
    if (this.#lost) return this.#padAfterLoss;
    let bytes = 0;
    for (const waiter of this.#waiters.values()) bytes += waiter.bytes;
    return bytes;
  }

  /**
   * Sends one frame (a header, then `payload`'s bytes) and resolves with the ack's fields.
   * Large payloads go in chunks, so `onSent` can tell the progress of a slow transfer.
   */
  async send(
    header: Record<string, unknown>,
    payload?: Buffer,
    onSent?: (bytes: number) => void,
  ): Promise<Record<string, string>> {
    if (this.#lost) throw this.#lost;
    const seq = ++this.#seq;
    const frame = { ...header, seq, ...(payload ? { size: payload.length } : {}) };
    const line = `${JSON.stringify(frame)}\n`;
    const bytes = Buffer.byteLength(line) + (payload?.length ?? 0);
    const acked = new Promise<Record<string, string>>((resolve, reject) =>
      this.#waiters.set(seq, { resolve, reject, bytes }),
    );
    // When the write below fails, the ack is rejected too but never awaited: not an unhandled one.
    acked.catch(() => undefined);
    const written = this.#writing.then(async () => {
      await this.attach.write(line);
      await this.#writePayload(payload, onSent);
    });
    this.#writing = written.catch(() => undefined);
    await written;
    return acked;
  }

  close(): void {
    this.attach.close();
  }

  async #writePayload(payload: Buffer | undefined, onSent?: (bytes: number) => void): Promise<void> {
    if (!payload || payload.length === 0) return;
    if (!onSent || payload.length <= CHUNK) {
      await this.attach.write(payload);
      onSent?.(payload.length);
      return;
    }
    for (let at = 0; at < payload.length; at += CHUNK) {
      await this.attach.write(payload.subarray(at, at + CHUNK));
      onSent(Math.min(at + CHUNK, payload.length));
    }
  }

  async #read(): Promise<void> {
    try {
      for await (const { stream, text } of this.attach.lines) {
        const at = text.indexOf(MARK);
        if (at < 0) {
          this.events.line(stream, text);
          continue;
        }
        // The child may have left a partial line on the same stream; keep its part as output.
        if (at > 0) this.events.line(stream, text.slice(0, at));
        this.#message(text.slice(at + MARK.length));
      }
    } catch {
      // A dropped connection is handled like the end of the stream.
    }
    // Measured before the loss is recorded: `padding` answers the saved figure from then on.
    this.#padAfterLoss = this.padding;
    this.#lost = new PitstopError(`lost the connection to the supervisor of ${this.container}`);
    for (const waiter of this.#waiters.values()) waiter.reject(this.#lost);
    this.#waiters.clear();
  }

  #message(message: string): void {
    const ack = /^ack seq=(\d+) (ok\b|failed: (.*))/.exec(message);
    if (ack) {
      const seq = Number(ack[1]);
      const waiter = this.#waiters.get(seq);
      this.#waiters.delete(seq);
      if (ack[2] === 'ok') waiter?.resolve(fields(message));
      else waiter?.reject(new PitstopError(`the supervisor refused: ${ack[3] ?? ''}`));
      return;
    }
    const exited = /^exited (code|signal)=(\S+)/.exec(message);
    if (exited) {
      const info: ExitInfo =
        exited[1] === 'code'
          ? { code: Number(exited[2]), signal: null }
          : { code: null, signal: exited[2] ?? null };
      // The child's last words travel on stdout, this note on stderr, and Docker does not order
      // the two: wait a moment so a crash report carries them.
      setTimeout(() => this.events.exited(info), EXIT_SETTLE_MS);
      return;
    }
    const failed = /^start failed: (.*)$/.exec(message);
    if (failed) {
      this.events.line('stderr', failed[1] ?? '');
      this.events.exited({ code: 127, signal: null });
    }
  }
}

/** `ack seq=3 ok pid=42 version=1` → { pid: '42', version: '1' }. */
function fields(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of message.split(' ').slice(3)) {
    const eq = word.indexOf('=');
    if (eq > 0) out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}
