// Ships one file into a container through the supervisor's stdin protocol, on the payload diet:
// raw on a local engine; over a slow link a delta against the version the container holds
// (known by content hash, verified by the supervisor), else compressed. Every shipment says
// what was chosen, the bytes before and after, and why.
import { gzipSync } from 'node:zlib';
import { formatBytes } from '../util/format.js';
import type { BlobStore } from './blob-store.js';
import { type Choice, chooseEncoding } from './choose.js';
import { encodeDelta, type PreparedBase, prepareBase, sha256Hex } from './delta-encode.js';
import type { LinkEstimate } from './link.js';

export interface FrameSender {
  send(
    header: Record<string, unknown>,
    payload?: Buffer,
    onSent?: (bytes: number) => void,
  ): Promise<Record<string, string>>;
}

export interface Shipment {
  /** The file's content hash, when it was computed anyway (a delta's target). */
  sha256?: string;
  /** Bytes that went over the link. */
  wireBytes: number;
  /** The file's own size. */
  rawBytes: number;
  choice: Choice;
  reason: string;
}

/** Long enough for the restart and readiness that follow a sync to be over. */
const INDEX_AFTER_MS = 1_000;

interface Held {
  sha256: string;
  /** Indexed for the next delta, off the edit-to-live path, once the link turned out slow. */
  base: PreparedBase | Uint8Array;
}

export class FileShipper {
  /** What each container path holds, as far as pitstop sent it. */
  readonly #held = new Map<string, Held>();

  constructor(
    private readonly link: LinkEstimate,
    /** Files as they went into images: a base for the first delta after a start. */
    private readonly blobs?: BlobStore,
  ) {}

  forget(path: string): void {
    this.#held.delete(path);
  }

  async ship(
    sender: FrameSender,
    target: { path: string; mode: number; root?: string },
    content: Buffer,
    onSent?: (bytes: number) => void,
  ): Promise<Shipment> {
    const held = this.#held.get(target.path) ?? (await this.#fromImage(sender, target.path));
    const decision = chooseEncoding({ size: content.length, haveBase: held !== undefined, link: this.link });
    const fields = { path: target.path, mode: target.mode, ...(target.root ? { root: target.root } : {}) };
    // The link is timed from the moment the bytes start to go, not while they are being encoded.
    let started = 0;
    const timedSend = (header: Record<string, unknown>, payload: Buffer) => {
      started = performance.now();
      return sender.send(header, payload, onSent);
    };
    let shipment: Shipment | undefined;

    if (decision.choice === 'delta' && held) {
      const d = encodeDelta(held.base, content);
      // A change that rewrote most of the file: compressing the whole is smaller.
      if (d.delta.length < content.length * 0.3) {
        const header = { op: 'patch', ...fields, base_sha256: held.sha256, sha256: d.targetSha256 };
        try {
          await timedSend(header, Buffer.from(d.delta.buffer, d.delta.byteOffset, d.delta.length));
          shipment = {
            wireBytes: d.delta.length,
            rawBytes: content.length,
            choice: 'delta',
            reason: decision.reason,
          };
        } catch (err) {
          // The container does not hold that base (replaced, edited inside): send the whole file.
          decision.reason += `; the delta was refused (${(err as Error).message}), so the whole file went`;
        }
      }
    }
    if (!shipment) {
      const slow = !this.link.isFast();
      const gzip = decision.choice !== 'raw' && slow;
      const payload = gzip ? gzipSync(content, { level: 1 }) : content;
      // Over a real network the connection can drop mid-payload; the hash lets the supervisor
      // reject what a resynchronised stream completed with padding, instead of installing it.
      const sha256 = slow ? sha256Hex(content) : undefined;
      const header = {
        op: 'write',
        ...fields,
        ...(gzip ? { encoding: 'gzip' } : {}),
        ...(sha256 ? { sha256 } : {}),
      };
      await timedSend(header, payload);
      shipment = {
        wireBytes: payload.length,
        rawBytes: content.length,
        choice: gzip ? 'gzip' : 'raw',
        reason: decision.reason,
        sha256,
      };
    }
    this.link.observeTransfer(shipment.wireBytes, performance.now() - started);
    if (!this.link.isFast()) this.#remember(target.path, content, shipment.sha256);
    return shipment;
  }

  /**
   * Learns, ahead of the first save, what the container holds at `path` (a file from its image)
   * and indexes it, so that first save's delta costs no more than later ones.
   */
  async prime(sender: FrameSender, path: string): Promise<void> {
    if (this.#held.has(path)) return;
    const held = await this.#fromImage(sender, path);
    if (!held || this.#held.has(path)) return;
    held.base = prepareBase(held.base as Buffer);
    this.#held.set(path, held);
  }

  /** What the container holds at `path`, if it came from an image whose files we kept. */
  async #fromImage(sender: FrameSender, path: string): Promise<Held | undefined> {
    if (!this.blobs || this.link.isFast()) return undefined;
    const answer = await sender.send({ op: 'hash', paths: [path] }).catch(() => undefined);
    const sha256 = answer?.sha256;
    const base = sha256 ? this.blobs.get(sha256) : undefined;
    return sha256 && base ? { sha256, base } : undefined;
  }

  #remember(path: string, content: Buffer, sha256 = sha256Hex(content)): void {
    const held: Held = { sha256, base: content };
    this.#held.set(path, held);
    // Index it once the update is over (indexing blocks for tens of ms: right away it would sit
    // in this update's restart), so the next save's delta costs less.
    setTimeout(() => {
      if (this.#held.get(path) === held) held.base = prepareBase(content);
    }, INDEX_AFTER_MS).unref();
  }
}

export function describeShipment(s: Shipment): string {
  if (s.choice === 'raw') return `${formatBytes(s.rawBytes)} raw (${s.reason})`;
  const saved = Math.round((1 - s.wireBytes / s.rawBytes) * 100);
  return `${s.choice} ${formatBytes(s.wireBytes)} of ${formatBytes(s.rawBytes)}, ${saved}% saved (${s.reason})`;
}
