/**
 * The delta encoder's matcher: bsdiff's scan (Colin Percival, "Naive
 * differences of executable code") over a hash index instead of a suffix
 * array.
 *
 * After a small source change a compiled binary is mostly the old one
 * shifted, with every address that crosses the change rewritten: exact
 * matches are short, but an *approximate* match at one offset runs for
 * megabytes. So the scan keeps the current offset until another one matches
 * clearly better (more than 8 bytes over the same span), and each region is
 * stored as "base at this offset, plus byte-wise corrections" (mostly zero)
 * followed by whatever new bytes no offset covers.
 */

import { type BaseIndex, isAnchor, lookup, SEED, seedHash } from './delta-index.js';

/**
 * One region of the target: `approx` bytes approximately equal to the base
 * at `basePos`, then `fresh` new bytes. Regions are consecutive in the target.
 */
export interface Region {
  basePos: number;
  approx: number;
  fresh: number;
}

/** How much better a new offset must match before the scan switches to it (bsdiff's 8). */
const SWITCH_MARGIN = 8;
/**
 * Where nothing matches (new code, compressed debug sections) the scan moves
 * 1 byte per try, then 2 after 128 tries, 3 after 256…, as LZ4 does: a
 * match is still found (a few bytes late; it is extended backwards). On an
 * unstripped binary (2 MB of new compressed DWARF) the scan took 260 ms
 * CPU without this, 100 ms with, for a delta 0.2 % larger.
 */
const SKIP_SHIFT = 7;
/** Extensions stop once their score is this far below the best seen. */
const GIVE_UP = 256;
/**
 * A new match is extended backwards at most max(4 × its length, BACK_MIN):
 * without a bound, repetitive data (a short match found every few bytes,
 * each extended back over the same stretch) takes quadratic time: 40 s for
 * 200 KB of a 3-byte pattern, seen before the index kept first occurrences.
 */
const BACK_MIN = 256;

function matchLength(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  const max = Math.min(a.length - ai, b.length - bi);
  let n = 0;
  while (n < max && a[ai + n] === b[bi + n]) n++;
  return n;
}

/**
 * How far the base at b matches the target from t, up to `end`: the length
 * that maximises matches − mismatches (at least half the bytes match), as
 * bsdiff. Counted back from the end, and given up once the score is
 * GIVE_UP below the best seen: a long approximate region costs a pass over
 * its tail, not over all of it.
 */
function forwardExtent(base: Uint8Array, b: number, target: Uint8Array, t: number, end: number): number {
  const max = Math.min(end - t, base.length - b);
  // The score of length i is the score of length max plus tail(i), the
  // mismatches − matches in [i, max): the best length has the highest tail
  // (the shortest one on a tie, as bsdiff).
  let tail = 0;
  let high = 0;
  let best = max;
  for (let i = max - 1; i >= 0 && tail >= high - GIVE_UP; i--) {
    tail += base[b + i] === target[t + i] ? -1 : 1;
    if (tail >= high) {
      high = tail;
      best = i;
    }
  }
  return best;
}

/** The same for the region that ends at t in the target and at b in the base, at most `max` long. */
function backwardExtent(base: Uint8Array, b: number, target: Uint8Array, t: number, max: number): number {
  let score = 0;
  let high = 0;
  let best = 0;
  for (let i = 1; i <= max && i <= b && score >= high - GIVE_UP; i++) {
    score += base[b - i] === target[t - i] ? 1 : -1;
    if (score > high) {
      high = score;
      best = i;
    }
  }
  return best;
}

export function findRegions(index: BaseIndex, target: Uint8Array): Region[] {
  const base = index.base;
  const n = target.length;
  const m = base.length;
  const regions: Region[] = [];
  // bsdiff's names: [lastscan, scan) is the current region; lastpos is where
  // it starts in the base; lastoffset = base position − target position.
  let scan = 0;
  let len = 0;
  let pos = 0;
  let lastscan = 0;
  let lastpos = 0;
  let lastoffset = 0;

  while (scan < n) {
    let oldscore = 0; // bytes in [scan, scsc) that match at lastoffset; scsc >= scan
    scan += len;
    let scsc = scan;
    let misses = 0;
    for (; scan < n; ) {
      len = 0;
      // Still matching at the current offset for a whole seed: take it
      // without a lookup (bsdiff would search here too and only switch for
      // a much longer match elsewhere, which in binaries is rare; the lookup
      // is a cache miss).
      const here = scan + lastoffset;
      if (here >= 0 && here < m) {
        const l = matchLength(base, here, target, scan);
        if (l >= SEED) {
          pos = here;
          len = l;
        }
      }
      if (len === 0 && scan + SEED <= n) {
        const h = seedHash(target, scan);
        if (isAnchor(h)) {
          const p = lookup(index, h);
          if (p >= 0) {
            pos = p;
            len = matchLength(base, p, target, scan);
          }
        }
      }
      if (pos === here && len > 0 && scsc < scan + len) {
        // An exact run at the old offset: no need to compare it again.
        oldscore += scan + len - scsc;
        scsc = scan + len;
      }
      for (; scsc < scan + len; scsc++) {
        if (scsc + lastoffset < m && base[scsc + lastoffset] === target[scsc]) oldscore++;
      }
      if ((len === oldscore && len !== 0) || len > oldscore + SWITCH_MARGIN) break;
      const step = 1 + (misses++ >> SKIP_SHIFT);
      for (const end = Math.min(n, scan + step); scan < end; scan++) {
        if (scan < scsc && scan + lastoffset < m && base[scan + lastoffset] === target[scan]) oldscore--;
      }
      // bsdiff lets scsc fall behind scan and oldscore go negative until
      // the next match catches up; with lookups that often find nothing,
      // a negative score would pass the switch test with no match at all.
      if (scsc < scan) scsc = scan;
    }
    if (len === oldscore && scan !== n) continue; // same offset, keep going

    // Close the region [lastscan, scan): extend the old offset forwards as
    // far as it matches at least half the bytes, and the new match
    // backwards likewise; what neither covers is new bytes.
    let lenf = forwardExtent(base, lastpos, target, lastscan, scan);
    const back = Math.min(scan - lastscan, Math.max(4 * len, BACK_MIN));
    let lenb = scan < n ? backwardExtent(base, pos, target, scan, back) : 0;
    if (lastscan + lenf > scan - lenb) {
      // The two extensions overlap: split where the forward one stops paying.
      const overlap = lastscan + lenf - (scan - lenb);
      let s = 0;
      let best = 0;
      let split = 0;
      for (let i = 0; i < overlap; i++) {
        if (target[lastscan + lenf - overlap + i] === base[lastpos + lenf - overlap + i]) s++;
        if (target[scan - lenb + i] === base[pos - lenb + i]) s--;
        if (s > best) {
          best = s;
          split = i + 1;
        }
      }
      lenf += split - overlap;
      lenb -= split;
    }
    regions.push({ basePos: lastpos, approx: lenf, fresh: scan - lenb - (lastscan + lenf) });
    lastscan = scan - lenb;
    lastpos = pos - lenb;
    lastoffset = pos - scan;
  }
  return regions;
}
