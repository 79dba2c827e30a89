// The Docker Engine API over one keep-alive connection pool: JSON in, JSON out, streams where the
// daemon streams, and every failure turned into an error that says what to do.
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { type Duplex, Readable } from 'node:stream';
import { PitstopError } from '../../../errors.js';
import { connectionError, DockerApiError, isTransportError } from './api-error.js';
import { ContainersApi } from './containers.js';
import { type DockerEndpoint, type Env, resolveDockerEndpoint } from './docker-host.js';
import { ImagesApi } from './images.js';
import { NetworksApi } from './networks.js';
import { SystemApi } from './system.js';
import { createTransport, type Transport, type TransportOptions } from './transport.js';
import { VolumesApi } from './volumes.js';
import {
  apiError,
  type Deadline,
  deadline,
  encodeBody,
  minVersion,
  parseBody,
  type Query,
  queryString,
  timeoutError,
} from './wire.js';

/** The newest API version this client was written and tested against. */
export const MAX_API_VERSION = '1.41';

/** What a request on a pooled connection that died while idle fails with. */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE', 'SSH_EXITED']);

export interface RequestOptions {
  /** Arrays repeat the key; null and undefined are left out; booleans are sent as 1/0. */
  query?: Query;
  /** An object is sent as JSON; a Buffer or stream as is (set Content-Type in `headers`). */
  body?: object | Buffer | Readable;
  headers?: OutgoingHttpHeaders;
  /** request(): for the whole exchange; stream(): until the response headers arrive. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Send the path without the /vX.Y prefix (`/_ping`, `/version`). */
  unversioned?: boolean;
}

/** A connection the daemon took over for a raw byte stream (attach). It never goes back to the pool. */
export interface HijackedConnection {
  /** Write here (stdin); destroy it to end the exchange. */
  socket: Duplex;
  /** Read here: the socket itself after a 101, or the response body after an older daemon's 200. */
  output: Readable;
  /** The daemon answered 101 Switching Protocols (false: 200 and kept the socket). */
  upgraded: boolean;
}

export interface DockerClientOptions extends TransportOptions {
  /** Use this API version instead of asking the daemon (DOCKER_API_VERSION does the same). */
  apiVersion?: string;
}

export class DockerClient {
  readonly endpoint: DockerEndpoint;
  readonly system: SystemApi;
  readonly images: ImagesApi;
  readonly containers: ContainersApi;
  readonly networks: NetworksApi;
  readonly volumes: VolumesApi;
  private readonly transport: Transport;
  /** `/v1.41`, or '' for a daemon too old to say; undefined until negotiated. */
  private prefix: string | undefined;
  private negotiating: Promise<string> | undefined;
  /** Connections handed over by hijack() and still open: close() ends them too. */
  private readonly hijacked = new Set<Duplex>();

  /** A client for the daemon the docker CLI would use in this environment. */
  static fromEnv(env: Env = process.env, options: DockerClientOptions = {}): DockerClient {
    const apiVersion = options.apiVersion ?? (env.DOCKER_API_VERSION || undefined);
    return new DockerClient(resolveDockerEndpoint(env), { env, ...options, apiVersion });
  }

  constructor(endpoint: DockerEndpoint, options: DockerClientOptions = {}) {
    this.endpoint = endpoint;
    this.transport = createTransport(endpoint, options);
    if (options.apiVersion) this.prefix = `/v${options.apiVersion.replace(/^v/, '')}`;
    this.system = new SystemApi(this);
    this.images = new ImagesApi(this);
    this.containers = new ContainersApi(this);
    this.networks = new NetworksApi(this);
    this.volumes = new VolumesApi(this);
  }

  /** The API version in use (`1.41`), asking the daemon once; '' when paths go unversioned. */
  async apiVersion(): Promise<string> {
    return (await this.versionPrefix()).slice(2);
  }

  /** Sends a request and parses the answer: JSON, text, or undefined when there is no body. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const timer = deadline(options.timeoutMs);
    try {
      const { res } = await this.send(method, path, options, timer);
      const body = await this.readBody(res);
      if (res.statusCode! >= 400) throw apiError(res, body, method, path);
      return parseBody(res, body) as T;
    } catch (err) {
      // Aborting mid-answer surfaces as a reset socket; the caller asked for it, so say so.
      throw options.signal?.aborted ? options.signal.reason : err;
    } finally {
      timer.clear();
    }
  }

  /**
   * Sends a request and hands back the response stream once the headers are in (status below
   * 400). The caller must consume or destroy it; stream errors go through `streamError`.
   */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    const timer = deadline(options.timeoutMs);
    try {
      const { res } = await this.send(method, path, options, timer);
      if (res.statusCode! >= 400) throw apiError(res, await this.readBody(res), method, path);
      return res;
    } finally {
      timer.clear();
    }
  }

  /**
   * Sends a request asking the daemon to take the connection over (`Upgrade: tcp`, as the docker
   * CLI does for attach) and hands back the raw connection once it answers. A 101 takes the socket
   * out of the pool; a 200 (older daemons) streams until the daemon closes it, so the pool never
   * gets it back either. Bytes the daemon sent along with its answer are not lost. `timeoutMs`
   * and `signal` cover the handshake only: afterwards the connection is the caller's to end.
   */
  async hijack(method: string, path: string, options: RequestOptions = {}): Promise<HijackedConnection> {
    const timer = deadline(options.timeoutMs);
    // No body: anything sent before the daemon has taken the connection over could be lost.
    const headers = { ...options.headers, connection: 'Upgrade', upgrade: 'tcp', 'content-length': 0 };
    try {
      const answer = await this.send(method, path, { ...options, headers, body: undefined }, timer, true);
      if (answer.upgraded) {
        const { socket, head } = answer.upgraded;
        if (head.length > 0) socket.unshift(head);
        return this.handOver({ socket, output: socket, upgraded: true });
      }
      const { res } = answer;
      if (res.statusCode! >= 400) throw apiError(res, await this.readBody(res), method, path);
      if (res.statusCode !== 200) {
        res.destroy();
        throw new PitstopError(
          `Docker API ${method} ${path} answered ${res.statusCode} instead of taking over the connection`,
        );
      }
      return this.handOver({ socket: res.socket, output: res, upgraded: false });
    } catch (err) {
      throw options.signal?.aborted ? options.signal.reason : err;
    } finally {
      timer.clear();
    }
  }

  /** Maps an error raised while reading a response stream to the error the user should see. */
  streamError(err: unknown): unknown {
    if (isTransportError(err)) return connectionError(err, this.endpoint, true);
    return err;
  }

  /** Closes pooled connections (and ssh tunnels). In-flight requests and attach streams are cut off. */
  close(): void {
    const closed = new PitstopError('the Docker client was closed');
    for (const socket of this.hijacked) socket.destroy(closed);
    this.hijacked.clear();
    this.transport.agent.destroy();
  }

  private handOver(connection: HijackedConnection): HijackedConnection {
    const { socket } = connection;
    if (socket.destroyed) return connection;
    this.hijacked.add(socket);
    socket.once('close', () => this.hijacked.delete(socket));
    return connection;
  }

  private async versionPrefix(): Promise<string> {
    if (this.prefix !== undefined) return this.prefix;
    this.negotiating ??= this.negotiate().finally(() => {
      this.negotiating = undefined;
    });
    return this.negotiating;
  }

  private async negotiate(): Promise<string> {
    let daemon: string | undefined;
    try {
      const version = await this.request<{ ApiVersion?: string }>('GET', '/version', {
        unversioned: true,
        timeoutMs: 30_000,
      });
      daemon = version?.ApiVersion;
    } catch (err) {
      if (!(err instanceof DockerApiError)) throw err;
    }
    this.prefix = daemon ? `/v${minVersion(daemon, MAX_API_VERSION)}` : '';
    return this.prefix;
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    timer: Deadline,
    upgrade = false,
  ): Promise<Answer> {
    const prefix = options.unversioned ? '' : (this.prefix ?? (await this.versionPrefix()));
    const headers: OutgoingHttpHeaders = { ...options.headers };
    const body = encodeBody(options.body, headers);
    const fullPath = prefix + path + queryString(options.query);
    const exchange = { method, path, fullPath, headers, body, signal: options.signal, upgrade };
    return this.sendOnce(exchange, timer, true);
  }

  private sendOnce(exchange: Exchange, timer: Deadline, mayRetry: boolean): Promise<Answer> {
    const { method, path, body } = exchange;
    const { base, agent, request } = this.transport;
    return new Promise<Answer>((resolve, reject) => {
      let bodyError: unknown;
      const req: ClientRequest = request({
        ...base,
        agent,
        method,
        path: exchange.fullPath,
        headers: exchange.headers,
        signal: exchange.signal,
      });
      timer.arm(() => req.destroy(timeoutError(method, path, timer.ms!)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (bodyError !== undefined) return reject(bodyError);
        // A pooled connection the other end had already closed: the request never arrived, so
        // sending it again on a fresh connection is safe (a stream body cannot be replayed).
        const stale = req.reusedSocket && STALE_CODES.has(err.code ?? '');
        if (stale && mayRetry && !(body instanceof Readable)) {
          return resolve(this.sendOnce(exchange, timer, false));
        }
        reject(isTransportError(err) ? connectionError(err, this.endpoint) : err);
      });
      req.on('response', (res) => {
        // An early answer (an error while we still upload) ends the upload; the socket is spent.
        if (body instanceof Readable && !req.writableFinished) {
          res.once('end', () => {
            if (req.writableFinished) return;
            req.destroy();
            body.destroy();
          });
        }
        timer.arm(() => res.destroy(timeoutError(method, path, timer.ms!)));
        resolve({ res });
      });
      if (exchange.upgrade) {
        // Node has already detached the socket from the agent (it will not be pooled or reused)
        // and dropped its own error listener: keep a socket error from crashing the process
        // until the new owner listens. Listening here is what makes Node accept the upgrade.
        req.on('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
          socket.on('error', () => {});
          resolve({ res, upgraded: { socket, head } });
        });
      }
      if (body instanceof Readable) {
        body.once('error', (err) => {
          bodyError = err;
          req.destroy(err);
        });
        body.pipe(req);
      } else {
        req.end(body);
      }
    });
  }

  private readBody(res: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
      res.once('error', (err) => reject(err instanceof PitstopError ? err : this.streamError(err)));
    });
  }
}

interface Answer {
  res: IncomingMessage;
  /** Set when the daemon answered 101 Switching Protocols. */
  upgraded?: { socket: Duplex; head: Buffer };
}

interface Exchange {
  method: string;
  /** Without version prefix and query: for messages. */
  path: string;
  fullPath: string;
  headers: OutgoingHttpHeaders;
  body: Buffer | Readable | undefined;
  signal: AbortSignal | undefined;
  /** Listen for a 101 Switching Protocols answer (hijack). */
  upgrade: boolean;
}
