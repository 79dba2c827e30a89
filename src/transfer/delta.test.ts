import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeDelta, readDeltaHeader } from './delta-decode.js';
import { encodeDelta, prepareBase, sha256Hex } from './delta-encode.js';
import {
  ByteWriter,
  DeltaError,
  HEADER_SIZE,
  OP_ADD,
  OP_COPY,
  OP_DIFF,
  OP_END,
  OP_SEEK,
} from './delta-format.js';

/** Deterministic bytes, so a failure reproduces. */
function prng(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

function roundTrip(base: Uint8Array, target: Uint8Array): Uint8Array {
  const { delta, baseSha256, targetSha256 } = encodeDelta(base, target);
  expect(baseSha256).toBe(sha256Hex(base));
  expect(targetSha256).toBe(sha256Hex(target));
  const out = decodeDelta(base, delta);
  expect(Buffer.compare(out, target)).toBe(0);
  return delta;
}

/** A stand-in for code: 4-byte "addresses" every 16 bytes, all past `at` moved by `shift`. */
function relocated(base: Uint8Array, at: number, inserted: Uint8Array): Uint8Array {
  const target = concat(base.subarray(0, at), inserted, base.subarray(at));
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  for (let i = 0; i + 4 <= target.length; i += 16) {
    if (i >= at && i < at + inserted.length) continue;
    const v = view.getUint32(i, true);
    if (v % base.length > at) view.setUint32(i, v + inserted.length, true);
  }
  return target;
}

describe('PSD1 delta round trips', () => {
  const bytes = prng(42);

  it('handles empty and tiny inputs', () => {
    const small = bytes(5);
    for (const [base, target] of [
      [new Uint8Array(0), new Uint8Array(0)],
      [new Uint8Array(0), small],
      [small, new Uint8Array(0)],
      [small, small],
      [small, bytes(7)],
      [bytes(9), bytes(9)],
    ] as const) {
      roundTrip(base, target);
    }
  });

  it('encodes identical files in a few hundred bytes', () => {
    const base = bytes(1 << 20);
    const delta = roundTrip(base, base);
    expect(delta.length).toBeLessThan(HEADER_SIZE + 64);
  });

  it('encodes against an empty base as deflated new bytes', () => {
    const target = concat(bytes(10_000), new Uint8Array(50_000).fill(7));
    const delta = roundTrip(new Uint8Array(0), target);
    expect(delta.length).toBeLessThan(deflateRawSync(target).length + HEADER_SIZE + 32);
  });

  it('falls back gracefully on completely different files: never much over raw', () => {
    const base = bytes(300_000);
    const target = bytes(300_000);
    const delta = roundTrip(base, target);
    expect(delta.length).toBeLessThan(target.length * 1.001 + 200);
    // Different but compressible: about gzip's size, not raw's.
    const text = new TextEncoder().encode('pitstop ships files. '.repeat(20_000));
    expect(roundTrip(base, text).length).toBeLessThan(gzipSync(text).length + 200);
  });

  it('finds moved, inserted and deleted blocks', () => {
    const blocks = Array.from({ length: 40 }, () => bytes(5000));
    const base = concat(...blocks);
    // Reorder, drop two, insert new data, duplicate one, and flip some bytes.
    const moved = [
      ...blocks.slice(20),
      bytes(3000),
      ...blocks.slice(2, 10),
      blocks[5]!,
      ...blocks.slice(12, 20),
    ];
    const target = concat(...moved);
    for (let i = 1000; i < target.length; i += 7919) target[i]! ^= 0x55;
    const delta = roundTrip(base, target);
    expect(delta.length).toBeLessThan(3000 + 2000);
  });

  it('stores a shifted, relocated "binary" as small corrections', () => {
    const base = bytes(400_000);
    const target = relocated(base, 123_457, bytes(300));
    const delta = roundTrip(base, target);
    // ~25,000 rewritten addresses past the insertion: zstd --patch-from and
    // xdelta store most of them as new bytes; corrections compress to a few KB.
    expect(delta.length).toBeLessThan(12_000);
  });

  it('survives repetitive data (long runs, short periods)', () => {
    const zeros = new Uint8Array(200_000);
    const periodic = new Uint8Array(200_000).map((_, i) => i % 3);
    roundTrip(zeros, concat(zeros.subarray(0, 1000), bytes(10), zeros));
    roundTrip(periodic, concat(periodic.subarray(5), bytes(100), periodic.subarray(0, 1000)));
    roundTrip(concat(zeros, periodic), concat(periodic, zeros));
  });

  it('round-trips random edits at random sizes', () => {
    const rand = prng(7);
    for (let round = 0; round < 30; round++) {
      const r = rand(8);
      const size = (r[0]! | (r[1]! << 8)) * 4;
      let target = bytes(size);
      const base = target.slice();
      for (let e = 0; e < r[2]! % 8; e++) {
        const at = ((r[3]! << 8) | r[4]!) % (target.length + 1);
        const n = (r[5]! * 37 + e) % 500;
        if ((r[6]! + e) % 2) target = concat(target.subarray(0, at), bytes(n), target.subarray(at));
        else target = concat(target.subarray(0, at), target.subarray(Math.min(target.length, at + n)));
      }
      roundTrip(base, target);
    }
  });

  it('reuses a prepared base', () => {
    const base = bytes(100_000);
    const prepared = prepareBase(base);
    const target = concat(base.subarray(0, 50_000), bytes(20), base.subarray(50_000));
    expect(encodeDelta(prepared, target).delta).toEqual(encodeDelta(base, target).delta);
  });
});

describe('PSD1 decoder refuses', () => {
  const base = prng(3)(10_000);

  /** A delta with hand-written ops; the header says target `length`, sha256 of `claimed`. */
  function handMade(
    write: (w: ByteWriter) => void,
    claimed: Uint8Array,
    tail = new Uint8Array(0),
  ): Uint8Array {
    const w = new ByteWriter();
    write(w);
    const real = encodeDelta(base, claimed).delta;
    return concat(real.subarray(0, HEADER_SIZE), deflateRawSync(w.result()), tail);
  }
  const fails = (delta: Uint8Array, message: string, onto = base) =>
    expect(() => decodeDelta(onto, delta)).toThrowError(new DeltaError(message));

  it('a wrong base, magic or header', () => {
    const delta = encodeDelta(base, base.subarray(100)).delta;
    fails(delta, 'base mismatch', base.subarray(1));
    const other = base.slice();
    other[0]! ^= 1;
    fails(delta, 'base mismatch', other);
    fails(concat(new TextEncoder().encode('PSD2'), delta.subarray(4)), 'not a PSD1 delta');
    fails(delta.subarray(0, 50), 'not a PSD1 delta');
    expect(readDeltaHeader(delta)).toMatchObject({ targetLength: 9900, baseLength: 10_000 });
  });

  it('ops that leave the base or the target', () => {
    const t = base.subarray(0, 100);
    fails(
      handMade((w) => {
        w.byte(OP_COPY);
        w.uvarint(101);
      }, t),
      'ops write past the target length',
    );
    fails(
      handMade((w) => {
        w.byte(OP_SEEK);
        w.varint(-1);
      }, t),
      'seek outside the base',
    );
    fails(
      handMade((w) => {
        w.byte(OP_SEEK);
        w.varint(9950);
        w.byte(OP_COPY);
        w.uvarint(60);
      }, t),
      'ops read past the end of the base',
    );
    fails(
      handMade((w) => {
        w.byte(OP_COPY);
        w.uvarint(99);
        w.byte(OP_END);
      }, t),
      'ops end before the target length',
    );
    fails(
      handMade((w) => w.byte(9), t),
      'unknown op 9',
    );
  });

  it('bad DIFF runs', () => {
    const t = base.subarray(0, 100);
    fails(
      handMade((w) => {
        w.byte(OP_DIFF);
        w.uvarint(100);
        w.uvarint(0);
        w.uvarint(0);
      }, t),
      'bad DIFF run',
    );
    fails(
      handMade((w) => {
        w.byte(OP_DIFF);
        w.uvarint(100);
        w.uvarint(99);
        w.uvarint(2);
      }, t),
      'bad DIFF run',
    );
  });

  it('a stream cut short, data after END or after the stream, a wrong result', () => {
    const t = base.subarray(0, 100);
    fails(
      handMade((w) => {
        w.byte(OP_ADD);
        w.uvarint(100);
      }, t),
      'op stream cut short',
    );
    fails(
      handMade((w) => {
        w.byte(OP_COPY);
        w.uvarint(100);
      }, t),
      'op stream cut short',
    );
    fails(
      handMade((w) => {
        w.byte(OP_COPY);
        w.uvarint(100);
        w.byte(OP_END);
        w.byte(0);
      }, t),
      'data after END',
    );
    fails(
      handMade(
        (w) => {
          w.byte(OP_COPY);
          w.uvarint(100);
          w.byte(OP_END);
        },
        t,
        new Uint8Array([1]),
      ),
      'data after the op stream',
    );
    fails(
      handMade((w) => {
        w.byte(OP_ADD);
        w.uvarint(100);
        w.bytes(new Uint8Array(100));
        w.byte(OP_END);
      }, t),
      'target sha256 mismatch',
    );
    const good = handMade((w) => {
      w.byte(OP_COPY);
      w.uvarint(100);
      w.byte(OP_END);
    }, t);
    expect(decodeDelta(base, good)).toEqual(t);
    expect(() => decodeDelta(base, good.subarray(0, good.length - 2))).toThrowError(/^op stream: /);
  });
});
