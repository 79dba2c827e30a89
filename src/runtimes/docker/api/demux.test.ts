import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demuxFrames, type OutputLine, outputLines } from './demux.js';
import { jsonLines } from './json-lines.js';

function frame(stream: number, text: string | Buffer): Buffer {
  const payload = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** The same bytes cut into pieces of `size`, so frames and headers straddle chunk boundaries. */
function chunked(data: Buffer, size: number): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return Readable.from(pieces, { objectMode: false });
}

async function lines(
  source: Readable,
  options: { tty: boolean; timestamps?: boolean },
): Promise<OutputLine[]> {
  const out: OutputLine[] = [];
  for await (const line of outputLines(source, options)) out.push(line);
  return out;
}

describe('outputLines', () => {
  const euro = Buffer.from('price: €5\n');
  const data = Buffer.concat([
    frame(1, 'hello\nwor'),
    frame(2, 'oops\n'),
    frame(1, 'ld\r\n'),
    frame(1, euro.subarray(0, 8)),
    frame(1, euro.subarray(8)),
    frame(2, 'no newline at the end'),
  ]);
  const expected: OutputLine[] = [
    { stream: 'stdout', text: 'hello' },
    { stream: 'stderr', text: 'oops' },
    { stream: 'stdout', text: 'world' },
    { stream: 'stdout', text: 'price: €5' },
    { stream: 'stderr', text: 'no newline at the end' },
  ];

  it.each([1, 3, 7, 8, 9, 4096])('splits frames into lines per stream (chunks of %i bytes)', async (size) => {
    expect(await lines(chunked(data, size), { tty: false })).toEqual(expected);
  });

  it('reads a TTY stream as raw stdout', async () => {
    expect(await lines(chunked(Buffer.from('a\nb\n'), 1), { tty: true })).toEqual([
      { stream: 'stdout', text: 'a' },
      { stream: 'stdout', text: 'b' },
    ]);
  });

  it('moves timestamps into time', async () => {
    const source = chunked(frame(1, '2026-01-02T03:04:05.123456789Z started\n'), 5);
    expect(await lines(source, { tty: false, timestamps: true })).toEqual([
      { stream: 'stdout', text: 'started', time: '2026-01-02T03:04:05.123456789Z' },
    ]);
  });

  it('throws the daemon message of a system-error frame', async () => {
    const source = chunked(Buffer.concat([frame(1, 'x\n'), frame(3, 'exec failed: no such file')]), 4);
    await expect(lines(source, { tty: false })).rejects.toThrow(/no such file/);
  });

  it('throws when the stream ends inside a frame', async () => {
    const source = chunked(frame(1, 'cut short\n').subarray(0, 12), 4);
    await expect(lines(source, { tty: false })).rejects.toThrow(/inside a frame/);
  });
});

describe('demuxFrames', () => {
  it('yields frames with their stream, stdin counted as stdout', async () => {
    const frames = [];
    for await (const f of demuxFrames(chunked(Buffer.concat([frame(0, 'in'), frame(2, 'err')]), 2))) {
      frames.push({ stream: f.stream, text: f.data.toString() });
    }
    expect(frames).toEqual([
      { stream: 'stdout', text: 'in' },
      { stream: 'stderr', text: 'err' },
    ]);
  });
});

describe('jsonLines', () => {
  it('parses one document per line across chunk boundaries', async () => {
    const text = '{"stream":"Step 1/2"}\r\n\n{"aux":{"ID":"sha256:ab"}}\n{"error":"x"}';
    const docs = [];
    for await (const doc of jsonLines(chunked(Buffer.from(text), 5))) docs.push(doc);
    expect(docs).toEqual([{ stream: 'Step 1/2' }, { aux: { ID: 'sha256:ab' } }, { error: 'x' }]);
  });

  it('names a line that is not JSON', async () => {
    const iterate = async () => {
      for await (const _ of jsonLines(chunked(Buffer.from('{"a":1}\nnot json\n'), 64))) {
        // Consume.
      }
    };
    await expect(iterate()).rejects.toThrow(/not JSON: not json/);
  });
});
