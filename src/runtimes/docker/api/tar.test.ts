// The archives are checked with GNU tar, an independent reader, not with our own code.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packBuffer, packFiles } from './tar.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitstop-tar-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function extract(archive: Buffer): string {
  const out = join(dir, `out-${randomBytes(3).toString('hex')}`);
  mkdirSync(out);
  const result = spawnSync('tar', ['-x', '-p', '-C', out], { input: archive });
  expect(result.stderr.toString()).toBe('');
  expect(result.status).toBe(0);
  return out;
}

function list(archive: Buffer): string[] {
  const result = spawnSync('tar', ['-t'], { input: archive });
  expect(result.status).toBe(0);
  return result.stdout.toString().trim().split('\n');
}

describe('packFiles', () => {
  it('keeps content, mode and mtime of host files, directories and symlinks', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(src, 'run.sh'), 0o755);
    const mtime = new Date('2024-03-01T12:00:00Z');
    utimesSync(join(src, 'run.sh'), mtime, mtime);
    symlinkSync('run.sh', join(src, 'link'));

    const archive = await collect(
      packFiles([
        { path: 'app', type: 'directory', mode: 0o750 },
        { path: '/app/run.sh', source: join(src, 'run.sh') },
        { path: './app/link', source: join(src, 'link') },
        { path: 'app/config.json', content: '{"a":1}', mode: 0o600 },
        { path: 'app/other', type: 'symlink', linkname: '/etc/hosts' },
      ]),
    );
    expect(archive.length % 512).toBe(0);
    expect(list(archive)).toEqual(['app/', 'app/run.sh', 'app/link', 'app/config.json', 'app/other']);

    const out = extract(archive);
    expect(statSync(join(out, 'app')).mode & 0o777).toBe(0o750);
    expect(readFileSync(join(out, 'app/run.sh'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(statSync(join(out, 'app/run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'app/run.sh')).mtime.toISOString()).toBe(mtime.toISOString());
    expect(lstatSync(join(out, 'app/link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'app/link'))).toBe('run.sh');
    expect(readlinkSync(join(out, 'app/other'))).toBe('/etc/hosts');
    expect(statSync(join(out, 'app/config.json')).mode & 0o777).toBe(0o600);
  });

  it('streams a large file in pieces and keeps every byte', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    writeFileSync(join(dir, 'big.bin'), big);
    const stream = packFiles([{ path: 'big.bin', source: join(dir, 'big.bin') }]);
    let chunks = 0;
    let largest = 0;
    const parts: Buffer[] = [];
    for await (const chunk of stream) {
      chunks++;
      largest = Math.max(largest, (chunk as Buffer).length);
      parts.push(chunk as Buffer);
    }
    expect(chunks).toBeGreaterThan(4);
    expect(largest).toBeLessThan(1024 * 1024);
    const out = extract(Buffer.concat(parts));
    expect(readFileSync(join(out, 'big.bin')).equals(big)).toBe(true);
  });

  it('writes PAX records for names and link targets longer than 100 bytes', async () => {
    const deep = `${'deep-folder-name/'.repeat(8)}a-file-with-a-long-name-é.txt`;
    const target = `/${'x'.repeat(120)}`;
    const archive = await collect(
      packFiles([
        { path: deep, content: 'deep' },
        { path: 'l', type: 'symlink', linkname: target },
      ]),
    );
    expect(list(archive)).toEqual([deep, 'l']);
    const out = extract(archive);
    expect(readFileSync(join(out, deep), 'utf8')).toBe('deep');
    expect(readlinkSync(join(out, 'l'))).toBe(target);
  });

  it('fails the stream when a source file is missing', async () => {
    await expect(collect(packFiles([{ path: 'x', source: join(dir, 'missing') }]))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

describe('packBuffer', () => {
  it('gives the same bytes as packFiles for in-memory entries', async () => {
    const mtime = new Date('2025-01-01T00:00:00Z');
    const entries = [
      { path: 'a.txt', content: 'a', mtime },
      { path: 'b/', type: 'directory' as const, mtime },
      { path: 'b/c.bin', content: randomBytes(1000), mode: 0o755, mtime },
    ];
    const buffer = packBuffer(entries);
    expect(buffer.equals(await collect(packFiles(entries)))).toBe(true);
    const out = extract(buffer);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('a');
    expect(statSync(join(out, 'b/c.bin')).mode & 0o777).toBe(0o755);
  });

  it('refuses entries that would have to be read from disk', () => {
    expect(() => packBuffer([{ path: 'x', source: '/etc/hosts' }])).toThrow(/packFiles/);
  });
});
