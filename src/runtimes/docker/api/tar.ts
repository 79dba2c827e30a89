// Tar archives for the archive and build endpoints, written here rather than with a library:
// the format is small (ustar headers plus PAX records for long names), and the live-update hot
// path wants one buffer for a small change, not a chain of streams.
import { createReadStream } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { Readable } from 'node:stream';

export interface TarEntry {
  /** Path inside the archive, relative (a leading `/` or `./` is dropped). */
  path: string;
  /** Host file to read (streamed, never loaded whole when large); its mode and mtime are kept. */
  source?: string;
  /** In-memory content instead of `source`. */
  content?: Buffer | string;
  /** Permission bits, e.g. 0o755. Default: the source's, or 0o644 (0o755 for directories). */
  mode?: number;
  /** Default: the source's mtime, or now. */
  mtime?: Date;
  /** Default: what `source` is, or `file`. */
  type?: 'file' | 'directory' | 'symlink';
  /** Target of a symlink (default: the source's own target). */
  linkname?: string;
  uid?: number;
  gid?: number;
}

const BLOCK = 512;
const END = Buffer.alloc(BLOCK * 2);
const MAX_OCTAL_SIZE = 0o77777777777;
/** Files up to this size are read in one go and sent as one chunk with their header. */
const SMALL_FILE = 256 * 1024;
const TYPE_FLAG = { file: '0', directory: '5', symlink: '2' } as const;

interface Header {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: 'file' | 'directory' | 'symlink';
  linkname: string;
}

/** A tar stream of the entries, in order; host files are read as the stream is consumed. */
export function packFiles(entries: readonly TarEntry[]): Readable {
  return Readable.from(generate(entries), { objectMode: false });
}

/** The whole archive as one buffer, for entries held in memory (no `source`). */
export function packBuffer(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (entry.source !== undefined) throw new Error(`packBuffer: ${entry.path} has a source; use packFiles`);
    const { header, body } = memoryEntry(entry);
    parts.push(encodeHeader(header), body, padding(body.length));
  }
  parts.push(END);
  return Buffer.concat(parts);
}

async function* generate(entries: readonly TarEntry[]): AsyncGenerator<Buffer, void, undefined> {
  for (const entry of entries) {
    if (entry.source === undefined) {
      const { header, body } = memoryEntry(entry);
      yield Buffer.concat([encodeHeader(header), body, padding(body.length)]);
    } else {
      yield* fileEntry(entry, entry.source);
    }
  }
  yield END;
}

function memoryEntry(entry: TarEntry): { header: Header; body: Buffer } {
  const type = entry.type ?? 'file';
  const body =
    type === 'file'
      ? Buffer.isBuffer(entry.content)
        ? entry.content
        : Buffer.from(entry.content ?? '')
      : Buffer.alloc(0);
  const header: Header = {
    name: entry.path,
    mode: entry.mode ?? (type === 'file' ? 0o644 : type === 'directory' ? 0o755 : 0o777),
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    size: body.length,
    mtime: seconds(entry.mtime ?? new Date()),
    type,
    linkname: entry.linkname ?? '',
  };
  return { header, body };
}

async function* fileEntry(entry: TarEntry, source: string): AsyncGenerator<Buffer, void, undefined> {
  const stat = await lstat(source);
  const type = entry.type ?? (stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'symlink' : 'file');
  const header: Header = {
    name: entry.path,
    mode: entry.mode ?? stat.mode & 0o7777,
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    size: type === 'file' ? stat.size : 0,
    mtime: seconds(entry.mtime ?? stat.mtime),
    type,
    linkname: type === 'symlink' ? (entry.linkname ?? (await readlink(source))) : '',
  };
  if (header.size <= SMALL_FILE) {
    const body = type === 'file' ? await readFile(source) : Buffer.alloc(0);
    checkSize(source, body.length, header.size);
    yield Buffer.concat([encodeHeader(header), body, padding(body.length)]);
    return;
  }
  yield encodeHeader(header);
  // The size is already in the header: send exactly that many bytes even if the file grows.
  let sent = 0;
  for await (const chunk of createReadStream(source, { end: header.size - 1, highWaterMark: 256 * 1024 })) {
    sent += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  checkSize(source, sent, header.size);
  yield padding(sent);
}

function checkSize(source: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new Error(`${source} changed size while being packed (${expected} → ${actual} bytes)`);
  }
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

function archiveName(path: string, type: Header['type']): string {
  const name = path.replace(/^(\.?\/)+/, '');
  if (!name) throw new Error(`tar entry path "${path}" is empty`);
  return type === 'directory' && !name.endsWith('/') ? `${name}/` : name;
}

/** The header block(s) of one entry: a PAX block first when ustar fields cannot hold a value. */
export function encodeHeader(header: Header): Buffer {
  const name = archiveName(header.name, header.type);
  const pax: Record<string, string> = {};
  if (Buffer.byteLength(name) > 100) pax.path = name;
  if (Buffer.byteLength(header.linkname) > 100) pax.linkpath = header.linkname;
  if (header.size > MAX_OCTAL_SIZE) pax.size = String(header.size);
  const block = ustar({ ...header, name: pax.path ? truncate(name, 100) : name });
  if (Object.keys(pax).length === 0) return block;
  const records = paxRecords(pax);
  const paxHeader = ustar({
    ...header,
    name: truncate(`PaxHeader/${name.replace(/\/$/, '').split('/').pop()}`, 100),
    size: records.length,
    type: 'file',
    linkname: '',
  });
  paxHeader[156] = 'x'.charCodeAt(0);
  checksum(paxHeader);
  return Buffer.concat([paxHeader, records, padding(records.length), block]);
}

function ustar(h: Header): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.name, 0, 100, 'utf8');
  octal(block, 100, 8, h.mode);
  octal(block, 108, 8, h.uid);
  octal(block, 116, 8, h.gid);
  octal(block, 124, 12, Math.min(h.size, MAX_OCTAL_SIZE));
  octal(block, 136, 12, h.mtime);
  block.write(TYPE_FLAG[h.type], 156, 1, 'ascii');
  block.write(h.linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  checksum(block);
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(value.toString(8).padStart(length - 1, '0'), offset, length - 1, 'ascii');
}

function checksum(block: Buffer): void {
  block.fill(' ', 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
}

function truncate(text: string, bytes: number): string {
  const buf = Buffer.from(text);
  return buf.length <= bytes
    ? text
    : buf
        .subarray(0, bytes)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
}

// Each record is "<length> <key>=<value>\n" where the length counts itself.
function paxRecords(fields: Record<string, string>): Buffer {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    const body = ` ${key}=${value}\n`;
    const bodyBytes = Buffer.byteLength(body);
    const digits = String(bodyBytes).length;
    let length = bodyBytes + digits;
    if (String(length).length > digits) length++;
    out += `${length}${body}`;
  }
  return Buffer.from(out);
}
