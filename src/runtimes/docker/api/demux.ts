// Container output without a TTY comes as frames: an 8-byte header (stream id, 3 zero bytes,
// big-endian length) then the payload. With a TTY it is one raw stream. Both become lines here.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export type OutputStream = 'stdout' | 'stderr';

export interface OutputFrame {
  stream: OutputStream;
  data: Buffer;
}

export interface OutputLine {
  stream: OutputStream;
  text: string;
  /** RFC 3339 time the daemon recorded, when timestamps were asked for. */
  time?: string;
}

const HEADER = 8;

/** Splits a multiplexed stream into its frames; stdin frames count as stdout, like the CLI. */
export async function* demuxFrames(source: Readable): AsyncGenerator<OutputFrame, void, undefined> {
  let buffered: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of source) {
      buffered = buffered.length === 0 ? (chunk as Buffer) : Buffer.concat([buffered, chunk as Buffer]);
      let offset = 0;
      while (buffered.length - offset >= HEADER) {
        const size = buffered.readUInt32BE(offset + 4);
        if (buffered.length - offset - HEADER < size) break;
        const kind = buffered[offset]!;
        const data = buffered.subarray(offset + HEADER, offset + HEADER + size);
        offset += HEADER + size;
        // Stream 3 is the daemon's own error about the stream (e.g. an exec that could not start).
        if (kind === 3) throw new Error(`the Docker daemon reported: ${data.toString('utf8').trim()}`);
        yield { stream: kind === 2 ? 'stderr' : 'stdout', data };
      }
      buffered = buffered.subarray(offset);
    }
    if (buffered.length > 0) throw new Error('the container output stream ended inside a frame');
  } finally {
    if (!source.destroyed) source.destroy();
  }
}

async function* rawFrames(source: Readable): AsyncGenerator<OutputFrame, void, undefined> {
  try {
    for await (const chunk of source) yield { stream: 'stdout', data: chunk as Buffer };
  } finally {
    if (!source.destroyed) source.destroy();
  }
}

export interface OutputLineOptions {
  /** The container (or exec) runs with a TTY: the stream is raw, not multiplexed. */
  tty: boolean;
  /** Lines start with the daemon's timestamp (`timestamps=1`): move it into `time`. */
  timestamps?: boolean;
}

/** Yields complete lines per stream (a line split over frames is joined; the last one flushed). */
export async function* outputLines(
  source: Readable,
  options: OutputLineOptions,
): AsyncGenerator<OutputLine, void, undefined> {
  const partial: Record<OutputStream, { decoder: StringDecoder; text: string }> = {
    stdout: { decoder: new StringDecoder('utf8'), text: '' },
    stderr: { decoder: new StringDecoder('utf8'), text: '' },
  };
  const frames = options.tty ? rawFrames(source) : demuxFrames(source);
  for await (const frame of frames) {
    const state = partial[frame.stream];
    state.text += state.decoder.write(frame.data);
    let newline = state.text.indexOf('\n');
    while (newline >= 0) {
      yield toLine(frame.stream, state.text.slice(0, newline), options.timestamps);
      state.text = state.text.slice(newline + 1);
      newline = state.text.indexOf('\n');
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const rest = partial[stream].text + partial[stream].decoder.end();
    if (rest) yield toLine(stream, rest, options.timestamps);
  }
}

function toLine(stream: OutputStream, raw: string, timestamps: boolean | undefined): OutputLine {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (!timestamps) return { stream, text };
  const space = text.indexOf(' ');
  if (space < 0) return { stream, text: '', time: text };
  return { stream, text: text.slice(space + 1), time: text.slice(0, space) };
}
