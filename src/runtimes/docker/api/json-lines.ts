// The daemon streams progress (build, events, pull) as one JSON document per line.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Yields each JSON document of a newline-delimited stream as it arrives. Ends when the stream
 * ends; throws the stream's error; breaking out of the loop destroys the stream.
 */
export async function* jsonLines<T = unknown>(stream: Readable): AsyncGenerator<T, void, undefined> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  try {
    for await (const chunk of stream) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line) yield parseLine<T>(line);
        newline = pending.indexOf('\n');
      }
    }
    const rest = (pending + decoder.end()).trim();
    if (rest) yield parseLine<T>(rest);
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
}

function parseLine<T>(line: string): T {
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`the Docker daemon sent a line that is not JSON: ${line.slice(0, 200)}`);
  }
}
