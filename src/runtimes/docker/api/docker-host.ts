// Where the Docker daemon is, resolved exactly the way the docker CLI resolves it, so that
// pitstop talks to the same engine as the `docker` command in the same shell.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PitstopError } from '../../../errors.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';
const SUPPORTED = 'unix://, tcp://, http://, https:// and ssh://';

/** Client certificates for a TLS connection (PEM contents, not paths). */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** false when the server certificate is not checked (`SkipTLSVerify`, no `DOCKER_TLS_VERIFY`). */
  verify: boolean;
}

interface EndpointBase {
  /** Where the address came from, for error hints: `DOCKER_HOST`, `context "name"` or `default`. */
  readonly source: string;
  /** The address as a user would write it, e.g. `ssh://dev@box`. */
  describe(): string;
}

export interface UnixEndpoint extends EndpointBase {
  readonly kind: 'unix';
  readonly socketPath: string;
}

export interface TcpEndpoint extends EndpointBase {
  readonly kind: 'tcp';
  readonly host: string;
  readonly port: number;
  /** Present when the daemon speaks https. */
  readonly tls?: TlsMaterial;
}

export interface SshEndpoint extends EndpointBase {
  readonly kind: 'ssh';
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

export type DockerEndpoint = UnixEndpoint | TcpEndpoint | SshEndpoint;

export type Env = Record<string, string | undefined>;

/** Resolves the daemon address from the environment and the docker CLI's config and contexts. */
export function resolveDockerEndpoint(env: Env = process.env): DockerEndpoint {
  const configDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  // The CLI lets DOCKER_HOST win over any context, even an explicit DOCKER_CONTEXT.
  if (env.DOCKER_HOST) return parseDockerHost(env.DOCKER_HOST, 'DOCKER_HOST', envTls(env, configDir));
  const context = env.DOCKER_CONTEXT || currentContext(configDir);
  if (!context || context === 'default') return unixEndpoint(DEFAULT_SOCKET, 'default');
  return contextEndpoint(context, configDir, env.DOCKER_CONTEXT ? 'DOCKER_CONTEXT' : 'config.json');
}

/**
 * Parses one address (`unix:///path`, `tcp://host:port`, `http://`, `https://`, `ssh://user@host:port`;
 * a bare `host:port` means tcp, as for the CLI).
 */
export function parseDockerHost(value: string, source: string, tls?: TlsMaterial): DockerEndpoint {
  const trimmed = value.trim();
  const schemeEnd = trimmed.indexOf('://');
  const scheme = schemeEnd < 0 ? 'tcp' : trimmed.slice(0, schemeEnd).toLowerCase();
  const rest = schemeEnd < 0 ? trimmed : trimmed.slice(schemeEnd + 3);
  switch (scheme) {
    case 'unix':
      return unixEndpoint(rest || DEFAULT_SOCKET, source);
    case 'tcp':
      return tcpEndpoint(value, rest, source, tls);
    case 'http':
      return tcpEndpoint(value, rest, source, undefined);
    case 'https':
      return tcpEndpoint(value, rest, source, tls ?? { verify: true });
    case 'ssh':
      return sshEndpoint(value, rest, source);
    default:
      throw badHost(value, source, `the scheme ${scheme}:// is not supported`);
  }
}

function unixEndpoint(socketPath: string, source: string): UnixEndpoint {
  return { kind: 'unix', socketPath, source, describe: () => `unix://${socketPath}` };
}

function tcpEndpoint(value: string, rest: string, source: string, tls?: TlsMaterial): TcpEndpoint {
  const url = parseUrl(value, `tcp://${rest.startsWith(':') ? `127.0.0.1${rest}` : rest}`, source);
  if (url.pathname !== '' && url.pathname !== '/') throw badHost(value, source, 'a path is not supported');
  // Like the CLI: an empty host means this machine, an empty port the well-known daemon port.
  const host = stripBrackets(url.hostname) || '127.0.0.1';
  const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { kind: 'tcp', host, port, tls, source, describe: () => `tcp://${shown}:${port}` };
}

function sshEndpoint(value: string, rest: string, source: string): SshEndpoint {
  const url = parseUrl(value, `ssh://${rest}`, source);
  if (url.pathname !== '' && url.pathname !== '/') throw badHost(value, source, 'a path is not supported');
  if (url.password) throw badHost(value, source, 'a password in the address is not supported; use ssh keys');
  if (!url.hostname) throw badHost(value, source, 'the host is missing');
  const host = stripBrackets(url.hostname);
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  const port = url.port ? Number(url.port) : undefined;
  const text = `ssh://${user ? `${user}@` : ''}${url.host}`;
  return { kind: 'ssh', host, user, port, source, describe: () => text };
}

function parseUrl(value: string, normalized: string, source: string): URL {
  try {
    return new URL(normalized);
  } catch {
    throw badHost(value, source, 'it is not a valid address');
  }
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function badHost(value: string, source: string, why: string): PitstopError {
  return new PitstopError(`cannot use the Docker host "${value}" from ${source}: ${why}`, {
    hint: `use one of ${SUPPORTED}, e.g. unix:///var/run/docker.sock, tcp://10.0.0.2:2375 or ssh://user@host`,
    exitCode: 2,
  });
}

// Same rules as the Docker client library: DOCKER_TLS_VERIFY (any value) turns on verified TLS,
// DOCKER_CERT_PATH alone turns on TLS with client certificates but without verification.
function envTls(env: Env, configDir: string): TlsMaterial | undefined {
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_CERT_PATH) return undefined;
  return readTlsDir(env.DOCKER_CERT_PATH || configDir, verify, 'DOCKER_CERT_PATH');
}

function readTlsDir(dir: string, verify: boolean, source: string): TlsMaterial {
  const read = (name: string): Buffer | undefined => {
    const file = join(dir, name);
    if (!existsSync(file)) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new PitstopError(`cannot read the TLS file ${file} (${(err as Error).message})`, {
        hint: `check the files in ${dir} (from ${source})`,
        exitCode: 2,
      });
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify };
}

function currentContext(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch (err) {
    throw new PitstopError(`cannot read the docker CLI config ${file} (${(err as Error).message})`, {
      hint: 'fix or remove the file, or set DOCKER_HOST',
      exitCode: 2,
    });
  }
}

interface ContextMeta {
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

function contextEndpoint(name: string, configDir: string, from: string): DockerEndpoint {
  const id = createHash('sha256').update(name).digest('hex');
  const file = join(configDir, 'contexts', 'meta', id, 'meta.json');
  const source = `context "${name}"`;
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8')) as ContextMeta;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PitstopError(
      missing
        ? `the docker context "${name}" (from ${from}) does not exist`
        : `cannot read the docker context "${name}" (${(err as Error).message})`,
      { hint: 'list contexts with `docker context ls`, or set DOCKER_HOST', exitCode: 2 },
    );
  }
  const docker = meta.Endpoints?.docker;
  if (!docker?.Host) return unixEndpoint(DEFAULT_SOCKET, source);
  // As in the CLI's context store: TLS files or SkipTLSVerify turn TLS on for a tcp context.
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const verify = !docker.SkipTLSVerify;
  const tls = existsSync(tlsDir) ? readTlsDir(tlsDir, verify, source) : verify ? undefined : { verify };
  return parseDockerHost(docker.Host, source, tls);
}
