// Shared by the Compose end-to-end tests: a project folder with only Compose files in it (no
// pitstop.yaml), unique Compose project names, and what a save does, seen from the container.
import { randomBytes } from 'node:crypto';
import type { PitstopSession } from '../../bench/lib/pitstop.js';
import type { UpdateRecord } from '../../src/model/update.js';
import { execIn } from '../support/docker-cli.js';
import { finished } from '../support/session.js';

/** A Compose project name (lower case, as Compose normalizes it) no other run uses. */
export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

/** Saves (runs `save`) and resolves with the next update record of `service`. */
export async function saved(
  session: PitstopSession,
  service: string,
  save: () => void,
  timeoutMs = 60_000,
): Promise<UpdateRecord> {
  const since = session.events.length;
  save();
  return (await session.waitFor(finished(service), timeoutMs, since)).record;
}

/** A file's text in the container, or undefined when it is not there. */
export function catIn(id: string, file: string): string | undefined {
  const r = execIn(id, 'busybox', 'cat', file);
  return r.code === 0 ? r.stdout : undefined;
}

/** The container's environment as a map (docker inspect). */
export function envOf(env: string[] | null | undefined): Record<string, string> {
  return Object.fromEntries(
    (env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** A busybox image serving `folder` over HTTP on 8080 (the shape most test services take). */
export const httpd = (folder: string, before = '') =>
  `FROM busybox:1.36\n${before}CMD ["busybox", "httpd", "-f", "-p", "8080", "-h", "${folder}"]\n`;
