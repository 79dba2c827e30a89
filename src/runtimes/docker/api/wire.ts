// How requests and answers travel: query strings, bodies, error bodies, deadlines. Kept apart
// from the client so the client reads as the exchange itself.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { PitstopError } from '../../../errors.js';
import { DockerApiError } from './api-error.js';

export type QueryValue = string | number | boolean | null | undefined | readonly string[];
export type Query = Record<string, QueryValue>;

/** Reads and parses a JSON response body (for answers that come after a wait, like `wait`). */
export async function readJson<T>(res: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

/** Reads a response to its end, so that its connection goes back to the pool before the next call. */
export function drain(res: IncomingMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    res.once('end', resolve);
    res.once('error', reject);
    res.resume();
  });
}

export function encodeBody(
  body: object | Buffer | Readable | undefined,
  headers: OutgoingHttpHeaders,
): Buffer | Readable | undefined {
  if (body === undefined || body instanceof Readable) return body;
  if (Buffer.isBuffer(body)) {
    headers['content-length'] = body.length;
    return body;
  }
  const json = Buffer.from(JSON.stringify(body));
  headers['content-type'] = 'application/json';
  headers['content-length'] = json.length;
  return json;
}

export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const values = typeof value === 'object' ? value : [value];
    for (const v of values) {
      const text = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
    }
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

export function parseBody(res: IncomingMessage, body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const type = res.headers['content-type'] ?? '';
  const text = body.toString('utf8');
  return type.includes('json') ? JSON.parse(text) : text;
}

export function apiError(res: IncomingMessage, body: Buffer, method: string, path: string): DockerApiError {
  let message = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(message) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return new DockerApiError(res.statusCode!, message || res.statusMessage || 'no message', method, path);
}

export function timeoutError(method: string, path: string, ms: number): PitstopError {
  return new PitstopError(`Docker API ${method} ${path} did not answer within ${ms} ms`, {
    hint: 'the daemon may be overloaded or stuck; check it with `docker info`',
  });
}

/** `1.41` vs `1.40` as numbers, not strings (`1.9` < `1.10`). */
export function minVersion(a: string, b: string): string {
  const parse = (v: string) => v.split('.').map((n) => Number(n) || 0);
  const [a1 = 0, a2 = 0] = parse(a);
  const [b1 = 0, b2 = 0] = parse(b);
  return a1 < b1 || (a1 === b1 && a2 <= b2) ? a : b;
}

export interface Deadline {
  readonly ms: number | undefined;
  /** (Re)points the timeout at whatever must be cut off when it fires. */
  arm(onTimeout: () => void): void;
  clear(): void;
}

export function deadline(ms: number | undefined): Deadline {
  let action: (() => void) | undefined;
  const timer = ms === undefined ? undefined : setTimeout(() => action?.(), ms);
  return {
    ms,
    arm: (fn) => {
      action = fn;
    },
    clear: () => clearTimeout(timer),
  };
}
