// One keep-alive HTTP agent per daemon: every API call after the first reuses an open
// connection, which is what keeps a call in the sub-millisecond range on a local socket.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { DockerEndpoint, Env, SshEndpoint, TcpEndpoint } from './docker-host.js';
import { SshStdioSocket } from './ssh-socket.js';

export interface TransportOptions {
  /** Environment for the ssh child (PATH, SSH_AUTH_SOCK, ...). */
  env?: Env;
  /** The ssh program; `ssh` from PATH by default. */
  sshCommand?: string;
  /** Give up connecting to a tcp daemon after this long (the OS default is minutes). */
  connectTimeoutMs?: number;
  /** Idle pooled connections are closed after this long. */
  idleTimeoutMs?: number;
}

export interface Transport {
  readonly agent: http.Agent;
  /** `http.request` or `https.request`. */
  readonly request: typeof http.request;
  /** Options every request to this daemon starts from (socket path or host and port). */
  readonly base: http.RequestOptions;
}

const AGENT_DEFAULTS: http.AgentOptions = {
  keepAlive: true,
  // Reuse the most recently used connection: it is the one least likely to have been closed.
  scheduling: 'lifo',
  maxFreeSockets: 16,
};

export function createTransport(endpoint: DockerEndpoint, options: TransportOptions = {}): Transport {
  const timeout = options.idleTimeoutMs ?? 30_000;
  switch (endpoint.kind) {
    case 'unix':
      return {
        agent: new http.Agent({ ...AGENT_DEFAULTS, timeout }),
        request: http.request,
        base: { socketPath: endpoint.socketPath, host: 'docker' },
      };
    case 'tcp':
      return tcpTransport(endpoint, timeout, options.connectTimeoutMs ?? 10_000);
    case 'ssh':
      return {
        agent: new SshAgent(endpoint, options, timeout),
        request: http.request,
        base: { host: 'docker', port: 80 },
      };
  }
}

function tcpTransport(endpoint: TcpEndpoint, timeout: number, connectTimeoutMs: number): Transport {
  const base = { host: endpoint.host, port: endpoint.port };
  if (!endpoint.tls) {
    const agent = new http.Agent({ ...AGENT_DEFAULTS, timeout });
    withConnectTimeout(agent, connectTimeoutMs, false);
    return { agent, request: http.request, base };
  }
  const { ca, cert, key, verify } = endpoint.tls;
  const agent = new https.Agent({ ...AGENT_DEFAULTS, timeout, ca, cert, key, rejectUnauthorized: verify });
  withConnectTimeout(agent, connectTimeoutMs, true);
  return { agent, request: https.request, base };
}

/** Fails a connection attempt that has not completed in time with code CONNECT_TIMEOUT. */
function withConnectTimeout(agent: http.Agent, ms: number, secure: boolean): void {
  const create = (agent.createConnection as (o: unknown, cb?: unknown) => Duplex).bind(agent);
  agent.createConnection = (opts, callback) => {
    const socket = create(opts, callback) as net.Socket;
    // Frames to the supervisor are small writes in a row: Nagle's algorithm would hold each
    // back for the previous one's ACK (40 ms with delayed ACKs) over a real network.
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      const err = new Error(`connect timed out after ${ms} ms`) as NodeJS.ErrnoException;
      err.code = 'CONNECT_TIMEOUT';
      socket.destroy(err);
    }, ms);
    timer.unref();
    socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
}

class SshAgent extends http.Agent {
  private readonly endpoint: SshEndpoint;
  private readonly command: string;
  private readonly env: Env;

  constructor(endpoint: SshEndpoint, options: TransportOptions, timeout: number) {
    super({ ...AGENT_DEFAULTS, timeout });
    this.endpoint = endpoint;
    this.command = options.sshCommand ?? 'ssh';
    this.env = options.env ?? process.env;
  }

  override createConnection(): Duplex {
    return new SshStdioSocket(this.command, this.endpoint, this.env);
  }
}
