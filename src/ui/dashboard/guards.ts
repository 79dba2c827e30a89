// The dashboard can restart services, so it must only ever be driven by its own page:
// - a Host check defeats DNS rebinding (evil.example resolving to 127.0.0.1 would otherwise be
//   same-origin with us and could read and POST freely);
// - mutations need a token that only our page knows (it is embedded in the HTML, which other
//   origins cannot read) sent in a custom header (which a cross-site form cannot set, and a
//   cross-site fetch cannot send without a CORS preflight we never answer), and any Origin the
//   browser sends must be our own.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_HEADER = 'x-pitstop-token';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The Host values we answer to: the loopback address or `localhost`, with our port. */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** The request's Host if it is one of ours, else undefined (the request must be refused). */
export function checkHost(req: IncomingMessage, hosts: Set<string>): string | undefined {
  const host = req.headers.host;
  return host !== undefined && hosts.has(host) ? host : undefined;
}

/** Why a mutating request is refused, or undefined when it may go ahead. */
export function checkMutation(req: IncomingMessage, host: string, token: string): string | undefined {
  const origin = req.headers.origin;
  // Our own page's fetch always sends Origin on POST; a missing one (curl) is judged by the token.
  if (origin !== undefined && origin !== `http://${host}`) return `cross-origin request from ${origin}`;
  if (req.headers['sec-fetch-site'] === 'cross-site') return 'cross-site request';
  const sent = req.headers[TOKEN_HEADER];
  if (typeof sent !== 'string' || !sameSecret(sent, token)) return `missing or wrong ${TOKEN_HEADER} header`;
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
