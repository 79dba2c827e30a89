// Refuse to start a service whose port is taken: otherwise it dies with EADDRINUSE somewhere in
// its own output, or worse, the old program keeps answering and every edit seems to do nothing.
import { createServer } from 'node:net';
import { PitstopError } from '../errors.js';
import { findPortOwner } from './port-owner.js';

const HINT = 'stop that program or change `ports` (and the service’s port) in pitstop.yaml';

/** Rejects with a PitstopError naming every port that is in use (and its owner when found). */
export async function checkPortsFree(ports: number[]): Promise<void> {
  const results = await Promise.all(ports.map(async (port) => ({ port, problem: await probePort(port) })));
  const busy = results.filter((r) => r.problem === 'EADDRINUSE').map((r) => r.port);
  const denied = results.find((r) => r.problem === 'EACCES');
  if (busy.length > 0) {
    const [first] = busy;
    if (busy.length === 1 && first !== undefined) {
      throw new PitstopError(`port ${first} is already in use${ownedBy(first)}`, { hint: HINT });
    }
    const list = busy.map((port) => `${port}${ownedBy(port)}`).join(', ');
    throw new PitstopError(`ports already in use: ${list}`, { hint: HINT });
  }
  if (denied) {
    throw new PitstopError(`not allowed to listen on port ${denied.port}`, {
      hint: 'ports below 1024 need extra privileges; use a higher port in pitstop.yaml',
    });
  }
}

function ownedBy(port: number): string {
  const owner = findPortOwner(port);
  return owner ? ` by ${owner.command} (pid ${owner.pid})` : '';
}

/** The error code of listening on the port, or undefined when it is free. */
async function probePort(port: number): Promise<string | undefined> {
  // The wildcard catches programs bound to any address; 127.0.0.1 catches a loopback-only
  // listener on systems where the wildcard bind would not conflict with it.
  let wildcard = await tryListen(port, '::');
  if (wildcard === 'EAFNOSUPPORT' || wildcard === 'EADDRNOTAVAIL')
    wildcard = await tryListen(port, '0.0.0.0');
  if (wildcard) return wildcard;
  return tryListen(port, '127.0.0.1');
}

function tryListen(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'EADDRINUSE'));
    server.listen({ port, host, ipv6Only: false, exclusive: true }, () => {
      server.close(() => resolve(undefined));
    });
  });
}
