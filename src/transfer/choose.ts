// The payload diet's choice for one file: raw, compressed, or a delta against what the
// container already holds — whichever puts the file in place soonest on this link, from the
// measured link speed and the measured cost of encoding. Pure: the same facts, the same choice.
import { formatBytes, formatMs } from '../util/format.js';
import type { LinkEstimate } from './link.js';

export type Choice = 'raw' | 'gzip' | 'delta';

export interface ChoiceFacts {
  size: number;
  /** The container holds a version of this file we have the bytes of. */
  haveBase: boolean;
  link: Pick<LinkEstimate, 'bytesPerSec' | 'isFast' | 'describe'>;
}

// Measured on this project's machines (src/transfer/encoders.ts): gzip -1 runs at ~80 MB/s and
// keeps ~45 % of a Go binary; a delta encodes at ~70 MB/s and keeps well under 5 % of it.
const GZIP_BYTES_PER_SEC = 80e6;
const GZIP_RATIO = 0.45;
const DELTA_BYTES_PER_SEC = 70e6;
const DELTA_RATIO = 0.05;
/** Below this, framing and a round trip dominate: encoding cannot win. */
const SMALL = 16 * 1024;

export interface Decision {
  choice: Choice;
  reason: string;
}

export function chooseEncoding(facts: ChoiceFacts): Decision {
  const { size, link } = facts;
  if (link.isFast()) return { choice: 'raw', reason: `${link.describe()}: sending is faster than encoding` };
  if (size < SMALL)
    return { choice: 'raw', reason: `${formatBytes(size)} is too small to gain from encoding` };
  const rate = link.bytesPerSec;
  if (rate === undefined) {
    return facts.haveBase
      ? { choice: 'delta', reason: 'link not measured yet; a delta is small on any link' }
      : { choice: 'gzip', reason: 'link not measured yet; compressing is safe on a slow link' };
  }
  const raw = (size / rate) * 1000;
  const gzip = (size / GZIP_BYTES_PER_SEC) * 1000 + ((size * GZIP_RATIO) / rate) * 1000;
  const delta = facts.haveBase
    ? (size / DELTA_BYTES_PER_SEC) * 1000 + ((size * DELTA_RATIO) / rate) * 1000
    : Infinity;
  const best = Math.min(raw, gzip, delta);
  const estimate = `${link.describe()}: raw ~${formatMs(raw)}, gzip ~${formatMs(gzip)}${facts.haveBase ? `, delta ~${formatMs(delta)}` : ''}`;
  if (best === delta) return { choice: 'delta', reason: estimate };
  if (best === gzip) return { choice: 'gzip', reason: estimate };
  return { choice: 'raw', reason: estimate };
}
