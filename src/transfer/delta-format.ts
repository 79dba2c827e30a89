/**
 * PSD1, pitstop's binary delta format: the constants and byte helpers that
 * the encoder, the TS decoder (and, by hand, the Go decoder in
 * agent/internal/delta) share. The spec is in agent/README.md ("PSD1 deltas").
 *
 *   0   "PSD1"
 *   4   target length, uint64 LE
 *   12  base length, uint64 LE
 *   20  base sha256 (32 bytes)
 *   52  target sha256 (32 bytes)
 *   84  raw deflate stream (RFC 1951) of ops, to the end of the payload
 *
 * Ops (one tag byte, then varints: unsigned LEB128 as Go's binary.Uvarint,
 * signed ones zigzag as binary.Varint). A cursor into the base starts at 0.
 *
 *   END  0                  the target is complete; nothing may follow
 *   COPY 1 n                n bytes from the base at the cursor; cursor += n
 *   DIFF 2 n runs           n bytes: base at the cursor plus a correction
 *                           (mod 256); cursor += n. The corrections come as
 *                           runs covering n: uvarint zeros, uvarint k, then k
 *                           correction bytes, repeated.
 *   ADD  3 n bytes          n new bytes
 *   SEEK 4 d                cursor += d (signed)
 *
 * One stream, not bsdiff's three (control, diff, extra): the decoder then
 * streams the payload with no buffering, and it came out smaller anyway
 * (one-line change to a 5.8 MB stripped Go binary: 29.2 KB vs 31.8 KB).
 * DIFF stores zero runs rather than bsdiff's raw diff bytes (37.4 KB there):
 * after a small source change most bytes of a shifted binary match exactly
 * and the rest are scattered address bytes, and deflate pays ~2 bits per 258
 * zeros, which over megabytes is more than the whole delta.
 */

export const MAGIC = 'PSD1';
export const HEADER_SIZE = 84;

export const OP_END = 0;
export const OP_COPY = 1;
export const OP_DIFF = 2;
export const OP_ADD = 3;
export const OP_SEEK = 4;

/** A growable byte buffer: the op stream is built in memory, then deflated in one call. */
export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned LEB128; n < 2^53 (lengths and positions, never negative). */
  uvarint(n: number): void {
    this.reserve(10);
    while (n >= 0x80) {
      this.buf[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.len++] = n;
  }

  /** Zigzag, as Go's binary.PutVarint: small magnitudes of either sign stay short. */
  varint(n: number): void {
    this.uvarint(n < 0 ? -2 * n - 1 : 2 * n);
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** Reads what ByteWriter wrote; every read past the end throws. */
export class ByteReader {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new DeltaError('op stream cut short');
    return this.buf[this.pos++]!;
  }

  uvarint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
    // 8 groups of 7 bits already reach 2^56: more than any length we accept.
    throw new DeltaError('varint too long');
  }

  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new DeltaError('op stream cut short');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** A malformed or mismatched delta (as opposed to an I/O failure). */
export class DeltaError extends Error {
  override name = 'DeltaError';
}

export function writeU64(out: Uint8Array, at: number, n: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setBigUint64(at, BigInt(n), true);
}

export function readU64(src: Uint8Array, at: number): number {
  const n = new DataView(src.buffer, src.byteOffset, src.byteLength).getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new DeltaError('length out of range');
  return Number(n);
}
