import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PitstopError } from '../errors.js';
import { findPortOwner } from './port-owner.js';
import { checkPortsFree } from './ports.js';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function occupy(host: string, port = 0): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function freePort(): Promise<number> {
  const port = await occupy('127.0.0.1');
  await new Promise((resolve) => servers.pop()?.close(resolve));
  return port;
}

async function refusal(ports: number[]): Promise<PitstopError> {
  const err = await checkPortsFree(ports).then(
    () => {
      throw new Error('expected the ports to be reported busy');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PitstopError);
  return err as PitstopError;
}

const linux = process.platform === 'linux';

describe('checkPortsFree', () => {
  it('accepts free ports', async () => {
    await expect(checkPortsFree([await freePort(), await freePort()])).resolves.toBeUndefined();
    await expect(checkPortsFree([])).resolves.toBeUndefined();
  });

  it('names a port taken on the loopback address, and its owner', async () => {
    const port = await occupy('127.0.0.1');
    const err = await refusal([port]);
    expect(err.message).toMatch(new RegExp(`^port ${port} is already in use`));
    if (linux) expect(err.message).toContain(`(pid ${process.pid})`);
    expect(err.hint).toContain('pitstop.yaml');
  });

  it('names a port taken on all addresses', async () => {
    const port = await occupy('0.0.0.0');
    expect((await refusal([port])).message).toContain(`port ${port} is already in use`);
  });

  it('lists every busy port', async () => {
    const a = await occupy('127.0.0.1');
    const b = await occupy('0.0.0.0');
    const free = await freePort();
    const err = await refusal([a, free, b]);
    expect(err.message).toMatch(/^ports already in use: /);
    expect(err.message).toContain(String(a));
    expect(err.message).toContain(String(b));
    expect(err.message).not.toContain(String(free));
  });
});

describe.runIf(linux)('findPortOwner', () => {
  it('finds the listening process, and nothing for a free port', async () => {
    const port = await occupy('127.0.0.1');
    expect(findPortOwner(port)?.pid).toBe(process.pid);
    expect(findPortOwner(await freePort())).toBeUndefined();
  });
});
