import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PitstopError } from '../../../errors.js';
import { type DockerEndpoint, resolveDockerEndpoint } from './docker-host.js';

let config: string;

beforeEach(() => {
  config = mkdtempSync(join(tmpdir(), 'pitstop-docker-config-'));
});

afterEach(() => {
  rmSync(config, { recursive: true, force: true });
});

/** Resolves with only the given variables (and an empty config dir), never the real environment. */
function resolve(env: Record<string, string> = {}): DockerEndpoint {
  return resolveDockerEndpoint({ HOME: config, DOCKER_CONFIG: config, ...env });
}

function addContext(name: string, host: string, extra: { skipTls?: boolean; tlsFiles?: boolean } = {}): void {
  const id = createHash('sha256').update(name).digest('hex');
  const meta = join(config, 'contexts', 'meta', id);
  mkdirSync(meta, { recursive: true });
  const endpoint = { Host: host, SkipTLSVerify: extra.skipTls ?? false };
  writeFileSync(
    join(meta, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: endpoint } }),
  );
  if (extra.tlsFiles) {
    const tls = join(config, 'contexts', 'tls', id, 'docker');
    mkdirSync(tls, { recursive: true });
    for (const file of ['ca.pem', 'cert.pem', 'key.pem'])
      writeFileSync(join(tls, file), `${file} of ${name}`);
  }
}

function thrown(fn: () => unknown): PitstopError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PitstopError);
    return err as PitstopError;
  }
  throw new Error('expected an error');
}

describe('DOCKER_HOST', () => {
  it('defaults to the local socket', () => {
    const endpoint = resolve();
    expect(endpoint).toMatchObject({ kind: 'unix', socketPath: '/var/run/docker.sock', source: 'default' });
    expect(endpoint.describe()).toBe('unix:///var/run/docker.sock');
  });

  it('reads unix, tcp, http and bare host:port addresses', () => {
    expect(resolve({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toMatchObject({
      kind: 'unix',
      socketPath: '/run/user/1000/docker.sock',
      source: 'DOCKER_HOST',
    });
    const tcp = resolve({ DOCKER_HOST: 'tcp://10.0.0.2:2375' });
    expect(tcp).toMatchObject({ kind: 'tcp', host: '10.0.0.2', port: 2375, tls: undefined });
    expect(tcp.describe()).toBe('tcp://10.0.0.2:2375');
    expect(resolve({ DOCKER_HOST: 'tcp://box' })).toMatchObject({ host: 'box', port: 2375 });
    expect(resolve({ DOCKER_HOST: 'tcp://:2380' })).toMatchObject({ host: '127.0.0.1', port: 2380 });
    expect(resolve({ DOCKER_HOST: 'http://box:8080' })).toMatchObject({
      kind: 'tcp',
      host: 'box',
      port: 8080,
    });
    expect(resolve({ DOCKER_HOST: 'box:2375' })).toMatchObject({ kind: 'tcp', host: 'box', port: 2375 });
    expect(resolve({ DOCKER_HOST: 'tcp://[::1]:2375' }).describe()).toBe('tcp://[::1]:2375');
  });

  it('reads ssh addresses with and without user and port', () => {
    const full = resolve({ DOCKER_HOST: 'ssh://dev@box:2222' });
    expect(full).toMatchObject({ kind: 'ssh', host: 'box', user: 'dev', port: 2222 });
    expect(full.describe()).toBe('ssh://dev@box:2222');
    const bare = resolve({ DOCKER_HOST: 'ssh://box' });
    expect(bare).toMatchObject({ kind: 'ssh', host: 'box', user: undefined, port: undefined });
    expect(bare.describe()).toBe('ssh://box');
  });

  it('turns on TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
    const certs = join(config, 'certs');
    mkdirSync(certs);
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, file), file);
    const verified = resolve({ DOCKER_HOST: 'tcp://box', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs });
    expect(verified).toMatchObject({ kind: 'tcp', port: 2376, tls: { verify: true } });
    const tls = verified.kind === 'tcp' ? verified.tls : undefined;
    expect(tls?.ca?.toString()).toBe('ca.pem');
    expect(tls?.key?.toString()).toBe('key.pem');
    const unverified = resolve({ DOCKER_HOST: 'tcp://box:2376', DOCKER_CERT_PATH: certs });
    expect(unverified).toMatchObject({ tls: { verify: false } });
    // Without DOCKER_CERT_PATH the certificates come from the config dir, like the CLI.
    writeFileSync(join(config, 'ca.pem'), 'config ca');
    const fromConfig = resolve({ DOCKER_HOST: 'tcp://box', DOCKER_TLS_VERIFY: '1' });
    expect(fromConfig.kind === 'tcp' && fromConfig.tls?.ca?.toString()).toBe('config ca');
    expect(resolve({ DOCKER_HOST: 'https://box:443' })).toMatchObject({ port: 443, tls: { verify: true } });
  });

  it('rejects other schemes with the value, the supported schemes and exit code 2', () => {
    const err = thrown(() => resolve({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }));
    expect(err.message).toContain('npipe:////./pipe/docker_engine');
    expect(err.message).toContain('DOCKER_HOST');
    expect(err.hint).toContain('unix://');
    expect(err.hint).toContain('ssh://');
    expect(err.exitCode).toBe(2);
    expect(thrown(() => resolve({ DOCKER_HOST: 'fd://' })).exitCode).toBe(2);
    expect(thrown(() => resolve({ DOCKER_HOST: 'ssh://box/some/path' })).message).toContain('path');
    expect(thrown(() => resolve({ DOCKER_HOST: 'tcp://box:notaport' })).exitCode).toBe(2);
  });
});

describe('docker contexts', () => {
  it('uses DOCKER_CONTEXT, found by the sha256 of its name', () => {
    addContext('box', 'ssh://dev@box:2222');
    const endpoint = resolve({ DOCKER_CONTEXT: 'box' });
    expect(endpoint).toMatchObject({
      kind: 'ssh',
      host: 'box',
      user: 'dev',
      port: 2222,
      source: 'context "box"',
    });
    expect(endpoint.describe()).toBe('ssh://dev@box:2222');
  });

  it('uses currentContext from config.json, and DOCKER_CONTEXT over it', () => {
    addContext('remote', 'tcp://10.0.0.2:2375');
    addContext('other', 'unix:///tmp/other.sock');
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'remote' }));
    expect(resolve()).toMatchObject({ kind: 'tcp', host: '10.0.0.2', port: 2375 });
    expect(resolve({ DOCKER_CONTEXT: 'other' })).toMatchObject({
      kind: 'unix',
      socketPath: '/tmp/other.sock',
    });
    expect(resolve({ DOCKER_CONTEXT: 'default' })).toMatchObject({
      kind: 'unix',
      socketPath: '/var/run/docker.sock',
    });
  });

  it('lets DOCKER_HOST win over any context, as the CLI does', () => {
    addContext('box', 'ssh://box');
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'box' }));
    expect(resolve({ DOCKER_HOST: 'tcp://h:1', DOCKER_CONTEXT: 'box' })).toMatchObject({
      kind: 'tcp',
      host: 'h',
    });
  });

  it('reads TLS files and SkipTLSVerify of a context', () => {
    addContext('secure', 'tcp://10.0.0.2:2376', { tlsFiles: true });
    expect(resolve({ DOCKER_CONTEXT: 'secure' })).toMatchObject({ tls: { verify: true } });
    const secure = resolve({ DOCKER_CONTEXT: 'secure' });
    expect(secure.kind === 'tcp' && secure.tls?.cert?.toString()).toBe('cert.pem of secure');
    addContext('lax', 'tcp://10.0.0.2:2376', { skipTls: true });
    expect(resolve({ DOCKER_CONTEXT: 'lax' })).toMatchObject({ tls: { verify: false } });
  });

  it('names a missing context and how to list them', () => {
    const err = thrown(() => resolve({ DOCKER_CONTEXT: 'nope' }));
    expect(err.message).toContain('"nope"');
    expect(err.hint).toContain('docker context ls');
    expect(err.exitCode).toBe(2);
  });

  it('reports a bad scheme inside a context with the context as source', () => {
    addContext('pipe', 'npipe:////./pipe/docker_engine');
    const err = thrown(() => resolve({ DOCKER_CONTEXT: 'pipe' }));
    expect(err.message).toContain('context "pipe"');
    expect(err.exitCode).toBe(2);
  });
});
