/**
 * Payload encodings for shipping one file into a container over the agent's
 * stdin protocol (agent/README.md): what each costs to make, and which frame
 * carries it. Measured on a 5.8 MB stripped Go binary (see
 * delta-binaries.test.ts): gzip level 1 takes about a third of level 6's time
 * for ~8 % more bytes; a delta after a one-line change is ~1 % of gzip.
 */

import { gzipSync } from 'node:zlib';
import { encodeDelta, type PreparedBase } from './delta-encode.js';

export type EncodingKind = 'raw' | 'gzip1' | 'gzip6' | 'delta';

export interface Encoded {
  kind: EncodingKind;
  /** The frame's payload bytes. */
  payload: Uint8Array;
  encodeMs: number;
  /**
   * How to send it: a `write` frame with this `encoding`, or a `patch` frame
   * with `base_sha256` (the agent answers `failed: base mismatch...` when the
   * container's file is not that base: then send the whole file).
   */
  frame: { op: 'write'; encoding: 'raw' | 'gzip' } | { op: 'patch'; baseSha256: string };
}

/**
 * Encodes target as `kind`. 'delta' needs the base: the exact bytes the
 * container holds (or prepareBase() of them, made ahead of time).
 */
export function encode(kind: EncodingKind, target: Uint8Array, base?: Uint8Array | PreparedBase): Encoded {
  const start = performance.now();
  switch (kind) {
    case 'raw':
      return { kind, payload: target, encodeMs: 0, frame: { op: 'write', encoding: 'raw' } };
    case 'gzip1':
    case 'gzip6': {
      const level = kind === 'gzip1' ? 1 : 6;
      const payload = gzipSync(target, { level });
      return { kind, payload, encodeMs: performance.now() - start, frame: { op: 'write', encoding: 'gzip' } };
    }
    case 'delta': {
      if (!base) throw new Error('delta encoding needs the base the container holds');
      const d = encodeDelta(base, target);
      return {
        kind,
        payload: d.delta,
        encodeMs: performance.now() - start,
        frame: { op: 'patch', baseSha256: d.baseSha256 },
      };
    }
  }
}
