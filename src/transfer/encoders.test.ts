import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeDelta } from './delta-decode.js';
import { prepareBase, sha256Hex } from './delta-encode.js';
import { encode } from './encoders.js';

describe('encode', () => {
  const base = new TextEncoder().encode('package main\n\nconst version = "v0"\n'.repeat(2000));
  const target = new TextEncoder().encode(
    'package main\n\nconst version = "v0"\n'.repeat(1000) +
      'added\n' +
      'package main\n\nconst version = "v0"\n'.repeat(1000),
  );

  it('passes raw bytes through as a raw write', () => {
    const r = encode('raw', target);
    expect(r.payload).toBe(target);
    expect(r).toMatchObject({ kind: 'raw', frame: { op: 'write', encoding: 'raw' } });
  });

  it('gzips at level 1 and 6 for a gzip write', () => {
    const fast = encode('gzip1', target);
    const small = encode('gzip6', target);
    for (const r of [fast, small]) {
      expect(r.frame).toEqual({ op: 'write', encoding: 'gzip' });
      expect(Buffer.compare(gunzipSync(r.payload), target)).toBe(0);
      expect(r.encodeMs).toBeGreaterThanOrEqual(0);
    }
    expect(small.payload.length).toBeLessThanOrEqual(fast.payload.length);
  });

  it('makes a delta for a patch frame against a base or a prepared base', () => {
    for (const b of [base, prepareBase(base)]) {
      const r = encode('delta', target, b);
      expect(r.frame).toEqual({ op: 'patch', baseSha256: sha256Hex(base) });
      expect(Buffer.compare(decodeDelta(base, r.payload), target)).toBe(0);
      expect(r.payload.length).toBeLessThan(encode('gzip6', target).payload.length);
    }
    expect(() => encode('delta', target)).toThrow(/needs the base/);
  });
});
