/**
 * Golden deltas shared with the Go decoder: agent/internal/delta/testdata
 * holds a base and a delta made by this encoder, which the Go tests (delta
 * and the stdin "patch" op) apply without needing Node. Here the TS decoder
 * applies the same bytes, so both decoders are held to one encoding.
 *
 * PITSTOP_WRITE_GOLDEN=1 npx vitest run src/transfer/delta-golden.test.ts
 * rewrites them (only needed if the format changes).
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeDelta, readDeltaHeader } from './delta-decode.js';
import { encodeDelta, sha256Hex } from './delta-encode.js';

const dir = fileURLToPath(new URL('../../agent/internal/delta/testdata/', import.meta.url));

/** A small stand-in for a binary: 4-byte "addresses" among pseudo-random bytes. */
function golden(): { base: Uint8Array; target: Uint8Array } {
  let x = 12345;
  const base = new Uint8Array(48 << 10).map(() => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x >>> 24;
  });
  const view = new DataView(base.buffer);
  for (let i = 0; i < base.length; i += 16) view.setUint32(i, 0x400000 + (i * 3) / 2, true);
  // Insert 200 new bytes at 20000 and move every address past it; drop a
  // block near the end; append a copy of the start.
  const inserted = new Uint8Array(200).map((_, i) => (i * 7) & 0xff);
  const moved = new Uint8Array(
    Buffer.concat([base.subarray(0, 20000), inserted, base.subarray(20000, 40000)]),
  );
  const mv = new DataView(moved.buffer);
  for (let i = 20200; i + 4 <= moved.length; i += 16) {
    const at = i - 200;
    if (at % 16 === 0) mv.setUint32(i, mv.getUint32(i, true) + 200, true);
  }
  const target = new Uint8Array(Buffer.concat([moved, base.subarray(42000), base.subarray(0, 3000)]));
  return { base, target };
}

describe('golden deltas for the Go decoder', () => {
  it.runIf(process.env.PITSTOP_WRITE_GOLDEN === '1')('writes them', () => {
    const { base, target } = golden();
    const { delta, stats } = encodeDelta(base, target);
    expect(stats.copies && stats.diffs && stats.adds).toBeGreaterThan(0);
    writeFileSync(dir + 'relocated.base', base);
    writeFileSync(dir + 'relocated.psd1', delta);
  });

  it('decodes the committed golden delta to the target it names', () => {
    const base = readFileSync(dir + 'relocated.base');
    const delta = readFileSync(dir + 'relocated.psd1');
    const out = decodeDelta(base, delta);
    expect(sha256Hex(out)).toBe(readDeltaHeader(delta).targetSha256);
    expect(Buffer.compare(out, golden().target)).toBe(0);
  });
});
