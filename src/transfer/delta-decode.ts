/**
 * PSD1 decoder in TypeScript: the reference for agent/internal/delta (the
 * one that runs in containers) and the other half of the round-trip tests.
 * It holds everything in memory; the Go one streams.
 */

import { inflateRawSync } from 'node:zlib';
import { sha256Hex } from './delta-encode.js';
import {
  ByteReader,
  DeltaError,
  HEADER_SIZE,
  MAGIC,
  OP_ADD,
  OP_COPY,
  OP_DIFF,
  OP_END,
  OP_SEEK,
  readU64,
} from './delta-format.js';

export interface DeltaHeader {
  targetLength: number;
  baseLength: number;
  baseSha256: string;
  targetSha256: string;
}

export function readDeltaHeader(delta: Uint8Array): DeltaHeader {
  if (delta.length < HEADER_SIZE || new TextDecoder().decode(delta.subarray(0, 4)) !== MAGIC) {
    throw new DeltaError('not a PSD1 delta');
  }
  return {
    targetLength: readU64(delta, 4),
    baseLength: readU64(delta, 12),
    baseSha256: Buffer.from(delta.subarray(20, 52)).toString('hex'),
    targetSha256: Buffer.from(delta.subarray(52, 84)).toString('hex'),
  };
}

/** Applies a delta to its base; throws DeltaError unless the result is exactly the target. */
export function decodeDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  const h = readDeltaHeader(delta);
  if (base.length !== h.baseLength || sha256Hex(base) !== h.baseSha256) throw new DeltaError('base mismatch');
  const body = delta.subarray(HEADER_SIZE);
  let ops: Uint8Array;
  try {
    // info: how much input the stream used; zlib ignores what follows it.
    const { buffer, engine } = inflateRawSync(body, { info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    if (engine.bytesWritten !== body.length) throw new DeltaError('data after the op stream');
    ops = buffer;
  } catch (err) {
    if (err instanceof DeltaError) throw err;
    throw new DeltaError('op stream: ' + (err as Error).message);
  }
  const out = new Uint8Array(h.targetLength);
  const r = new ByteReader(ops);
  let at = 0;
  let cursor = 0;
  const room = (n: number) => {
    if (n > out.length - at) throw new DeltaError('ops write past the target length');
  };
  const inBase = (n: number) => {
    if (n > base.length - cursor) throw new DeltaError('ops read past the end of the base');
  };
  for (;;) {
    const op = r.byte();
    if (op === OP_END) break;
    if (op === OP_SEEK) {
      cursor += r.varint();
      if (cursor < 0 || cursor > base.length) throw new DeltaError('seek outside the base');
      continue;
    }
    if (op !== OP_ADD && op !== OP_COPY && op !== OP_DIFF) throw new DeltaError('unknown op ' + op);
    const n = r.uvarint();
    room(n);
    if (op === OP_ADD) {
      out.set(r.bytes(n), at);
    } else if (op === OP_COPY) {
      inBase(n);
      out.set(base.subarray(cursor, cursor + n), at);
      cursor += n;
    } else {
      inBase(n);
      out.set(base.subarray(cursor, cursor + n), at);
      for (let i = 0; i < n; ) {
        const zeros = r.uvarint();
        const k = r.uvarint();
        if (zeros + k === 0 || zeros + k > n - i) throw new DeltaError('bad DIFF run');
        i += zeros;
        const fix = r.bytes(k);
        for (let j = 0; j < k; j++, i++) out[at + i] = (out[at + i]! + fix[j]!) & 0xff;
      }
      cursor += n;
    }
    at += n;
  }
  if (r.pos !== ops.length) throw new DeltaError('data after END');
  if (at !== out.length) throw new DeltaError('ops end before the target length');
  if (sha256Hex(out) !== h.targetSha256) throw new DeltaError('target sha256 mismatch');
  return out;
}
