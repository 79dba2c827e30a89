// A live connection to a container's stdio: bytes to its stdin, its output back as lines. The
// daemon takes the HTTP connection over (hijack), so this works over any transport the client
// speaks and never shares a connection with other calls.
import type { Duplex, Readable } from 'node:stream';
import { PitstopError } from '../../../errors.js';
import type { DockerClient, HijackedConnection } from './client.js';
import { type OutputLine, outputLines } from './demux.js';

export interface AttachOptions {
  /** Send stdin (default true). The container needs `openStdin` for anything to read it. */
  stdin?: boolean;
  /** Receive stdout (default true). */
  stdout?: boolean;
  /** Receive stderr (default true). */
  stderr?: boolean;
  /** Whether the container has a TTY (raw output, not multiplexed); asked from the daemon when left out. */
  tty?: boolean;
  /** Aborts the handshake, or closes the stream once attached. */
  signal?: AbortSignal;
}

export interface AttachStream {
  /** Sends bytes to the container's stdin; resolves once they are flushed to the connection. */
  write(data: Buffer | string): Promise<void>;
  /**
   * Output lines with their stream, demultiplexed, from the moment of attaching. Read it: like
   * any attached client, unread output eventually holds the container up. Leaving the loop early
   * closes the stream.
   */
  lines: AsyncGenerator<OutputLine, void, undefined>;
  /**
   * Resolves when the connection is over: the container stopped (and `lines` has read the rest of
   * its output), close() was called, or the connection was lost. Never rejects: failures are
   * reported by `lines` and `write`.
   */
  closed: Promise<void>;
  /** Ends the connection. The container keeps running; its stdin stays open unless `StdinOnce`. */
  close(): void;
}

export async function attachContainer(
  client: DockerClient,
  container: string,
  options: AttachOptions = {},
): Promise<AttachStream> {
  const stdin = options.stdin ?? true;
  let { tty } = options;
  let openStdin: boolean | undefined;
  if (tty === undefined) {
    const info = await client.containers.inspect(container);
    tty = info.Config.Tty;
    openStdin = info.Config.OpenStdin;
  }
  const connection = await client.hijack('POST', `/containers/${encodeURIComponent(container)}/attach`, {
    query: { stream: true, stdin, stdout: options.stdout ?? true, stderr: options.stderr ?? true },
    signal: options.signal,
  });
  let refusal: string | undefined;
  if (!stdin) refusal = 'it was attached without stdin';
  else if (openStdin === false) refusal = 'the container was created without openStdin';
  return new Attachment(client, container, connection, tty, refusal, options.signal);
}

class Attachment implements AttachStream {
  readonly lines: AsyncGenerator<OutputLine, void, undefined>;
  readonly closed: Promise<void>;
  readonly #socket: Duplex;
  readonly #container: string;
  /** Why writes are refused before they are tried (no stdin). */
  readonly #refusal: string | undefined;
  /** close() was called (or the reader left): what follows is not a failure. */
  #closing = false;
  /** The first error the connection raised. */
  #error: Error | undefined;
  /** The error a write failed with: the daemon hung up while we wrote (usually: the container stopped). */
  #writeError: Error | undefined;

  constructor(
    private readonly client: DockerClient,
    container: string,
    connection: HijackedConnection,
    tty: boolean,
    refusal: string | undefined,
    signal: AbortSignal | undefined,
  ) {
    const { socket, output } = connection;
    this.#socket = socket;
    this.#container = container;
    this.#refusal = refusal;
    // The agent's idle timeout was meant for pooled connections; an attach may be quiet for hours.
    (socket as Duplex & { setTimeout?: (ms: number) => void }).setTimeout?.(0);
    socket.on('error', (err: Error) => {
      this.#error ??= err;
    });
    // After a 200 the output is the response, which errors when the socket goes: `lines` reports it.
    if (output !== socket) output.on('error', () => {});
    this.closed = new Promise<void>((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
    this.lines = this.#read(output, tty);
    if (signal) {
      const onAbort = () => this.close();
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        void this.closed.then(() => signal.removeEventListener('abort', onAbort));
      }
    }
  }

  write(data: Buffer | string): Promise<void> {
    if (this.#refusal) {
      return Promise.reject(
        new PitstopError(`cannot write to the stdin of ${this.#container}: ${this.#refusal}`),
      );
    }
    if (this.#closing || this.#socket.destroyed || this.#socket.writableEnded) {
      // A connection the network dropped is not one we closed: say so, so callers can retry.
      const lost = !this.#closing && (this.#error ?? this.#writeError);
      return Promise.reject(lost ? this.client.streamError(lost) : this.#closedError());
    }
    return new Promise<void>((resolve, reject) => {
      // The callback runs once this chunk has been handed to the OS (or to the ssh pipe): awaiting
      // each write keeps at most one chunk in memory, however slowly the container reads.
      this.#socket.write(data, (err) => {
        if (!err) return resolve();
        this.#writeError ??= err;
        reject(this.#closing ? this.#closedError() : this.client.streamError(this.#error ?? err));
      });
    });
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#socket.destroy();
  }

  async *#read(output: Readable, tty: boolean): AsyncGenerator<OutputLine, void, undefined> {
    try {
      yield* outputLines(output, { tty });
      // After a 200 the output is a response that ends whenever the socket closes, failed or not.
      if (this.#error) throw this.#error;
    } catch (err) {
      // Ours to end quietly: close() was called, or a write found the daemon gone (and said so).
      if (this.#closing || (this.#writeError && this.#error === this.#writeError)) return;
      throw this.client.streamError(this.#error ?? err);
    } finally {
      // The end of the output is the end of the exchange (the daemon is done, or the reader left).
      if (!this.#socket.destroyed) this.#socket.destroy();
    }
  }

  #closedError(): PitstopError {
    return new PitstopError(`the attach stream to ${this.#container} is closed`);
  }
}
