// The two ways a Docker call fails that a user can act on: the daemon cannot be reached, or it
// answered with an error. Both are PitstopErrors so the CLI shows them with their hint.
import { PitstopError } from '../../../errors.js';
import type { DockerEndpoint } from './docker-host.js';

/** The daemon answered a request with HTTP status 400 or above. */
export class DockerApiError extends PitstopError {
  readonly statusCode: number;
  readonly method: string;
  readonly path: string;
  /** The daemon's own message (`{"message": ...}`), or the HTTP status text. */
  readonly daemonMessage: string;

  constructor(statusCode: number, daemonMessage: string, method: string, path: string) {
    super(`Docker API ${method} ${path} failed (${statusCode}): ${daemonMessage}`);
    this.name = 'DockerApiError';
    this.statusCode = statusCode;
    this.method = method;
    this.path = path;
    this.daemonMessage = daemonMessage;
  }

  /** No such container, image, network, volume, exec or path. */
  get isNotFound(): boolean {
    return this.statusCode === 404;
  }

  /** Name already in use, container not running, resource in use. */
  get isConflict(): boolean {
    return this.statusCode === 409;
  }
}

export function isDockerApiError(err: unknown): err is DockerApiError {
  return err instanceof DockerApiError;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof DockerApiError && err.statusCode === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof DockerApiError && err.statusCode === 409;
}

/** Set by the ssh transport on the errors it raises, so the hint can show what ssh printed. */
export interface SshFailure extends Error {
  code: 'SSH_EXITED';
  stderrTail: string[];
}

const CONNECT_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'EPERM',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EPIPE',
  'SSH_EXITED',
  'CONNECT_TIMEOUT',
]);

/** True for errors raised by the socket rather than by the daemon or by pitstop. */
export function isTransportError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && (CONNECT_CODES.has(code) || code.startsWith('ERR_SSL'));
}

/**
 * Turns a socket error into the error the user sees. `midResponse` is true when the daemon had
 * already started answering: that is a lost connection (a daemon restart), not an unreachable one.
 */
export function connectionError(err: NodeJS.ErrnoException, endpoint: DockerEndpoint, midResponse = false) {
  const where = endpoint.describe();
  const reason = err.code === 'SSH_EXITED' ? 'ssh failed' : err.code || err.message;
  const logTail = err.code === 'SSH_EXITED' ? (err as SshFailure).stderrTail : undefined;
  if (midResponse) {
    return new PitstopError(`lost the connection to the Docker daemon at ${where} (${reason})`, {
      hint: 'the daemon may have restarted or stopped; check it with `docker info`',
      logTail,
      cause: err,
    });
  }
  return new PitstopError(`cannot reach the Docker daemon at ${where} (${reason})`, {
    hint: unreachableHint(err.code, endpoint),
    logTail,
    cause: err,
  });
}

function unreachableHint(code: string | undefined, endpoint: DockerEndpoint): string {
  const fromEnv =
    endpoint.source === 'default'
      ? 'or set DOCKER_HOST to a running daemon'
      : `or check ${endpoint.source} (${endpoint.describe()})`;
  if (endpoint.kind === 'unix') {
    if (code === 'EACCES' || code === 'EPERM') {
      return `you may not open ${endpoint.socketPath}: add your user to the docker group (\`sudo usermod -aG docker $USER\`, then log in again), ${fromEnv}`;
    }
    return `start the daemon with \`sudo systemctl start docker\` (or run \`dockerd\`), ${fromEnv}`;
  }
  if (endpoint.kind === 'ssh') {
    const target = `${endpoint.user ? `${endpoint.user}@` : ''}${endpoint.host}`;
    return `check that \`ssh ${target} docker version\` works without a password prompt (ssh keys, docker on the remote host), ${fromEnv}`;
  }
  if (code?.startsWith('ERR_SSL') || code === 'ECONNRESET') {
    return `check the TLS settings (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) against what the daemon expects, ${fromEnv}`;
  }
  return `check that the daemon listens on ${endpoint.host}:${endpoint.port} and that the host is reachable, ${fromEnv}`;
}
