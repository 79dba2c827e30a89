/**
 * Payload encodings for shipping one file into a container over the agent's
 * stdin protocol (agent/README.md): what each costs to make, and which frame
 * carries it. Measured on a 5.8 MB stripped Go binary (CPU time, see
 * delta-binaries.test.ts): gzip level 1 67 ms, 2.66 MB; level 6 156 ms,
 * 2.47 MB (level 9: 470 ms for 0.4 % less); a delta after a one-line change
 * 29 KB in ~90 ms, ~50 ms against a base prepared ahead.
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
