// Projects and small helpers shared by the remote end-to-end tests (diet.test.ts, faults.test.ts):
// the Go service of bench/fixtures/go-version shipped as a host-built binary into a FROM scratch
// image, and a busybox httpd whose data files are synced; both run against whichever engine the
// session's environment points at (the remote one over the 20 Mbit/s link, or this machine's).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PitstopSession } from '../../bench/lib/pitstop.js';
import type { PitstopEvent } from '../../src/events.js';
import type { Span, UpdateRecord } from '../../src/model/update.js';
import { makeProject, repoRoot } from '../support/project.js';
import { is, type Of } from '../support/session.js';

const FIXTURE = path.join(repoRoot, 'bench', 'fixtures', 'go-version');

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

export const spanOf = (record: UpdateRecord, name: Span['name']) => record.spans.find((s) => s.name === name);

/**
 * The Go service: compiled on the host (`go build`, CGO off, debug information left in as a user
 * who changed nothing would have it), its binary the whole image (FROM scratch), shipped to /svc
 * on each compile and the process restarted. Answers /version with `const version`.
 */
export function goProject(name: string, port: number, buildCmd = 'go build -o bin/svc .'): string {
  return makeProject({
    'pitstop.yaml': `name: ${name}
runtime: docker
services:
  svc:
    build:
      - name: compile
        cmd: ${JSON.stringify(buildCmd)}
        inputs: ["**/*.go", go.mod]
        outputs: [bin]
        env: { CGO_ENABLED: "0" }
    env: { PORT: "${port}" }
    docker: { env: { HOST: 0.0.0.0 } }
    ports: [${port}]
    ready: { http: "http://127.0.0.1:${port}/version", timeout: 60s }
    live_update:
      - sync: { from: bin/svc, to: /svc }
      - restart: process
`,
    'main.go': fs.readFileSync(path.join(FIXTURE, 'main.go'), 'utf8'),
    'go.mod': fs.readFileSync(path.join(FIXTURE, 'go.mod'), 'utf8'),
    Dockerfile: 'FROM scratch\nCOPY bin/svc /svc\nCMD ["/svc"]\n',
    '.dockerignore': '*\n!bin/svc\n',
  });
}

/** A one-line change of the Go service: its version constant. */
export function setGoVersion(dir: string, version: string): void {
  const file = path.join(dir, 'main.go');
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(/const version = "[^"]*"/, `const version = "${version}"`);
  if (next === text) throw new Error(`main.go already has version ${version}`);
  fs.writeFileSync(file, next);
}

/**
 * A busybox httpd serving /www (in the image), with files synced into /data (not in the image):
 * the shape of a service whose synced payload is data rather than a binary. Extra lines (two
 * spaces of indentation: service level) go at the end of the service.
 */
export function httpdProject(
  name: string,
  port: number,
  options: { extra?: string[]; registry?: boolean; files?: Record<string, string> } = {},
): string {
  const registry = options.registry ? 'registry: { push: "127.0.0.1:5001", pull: "10.200.0.1:5001" }\n' : '';
  return makeProject({
    'pitstop.yaml': `name: ${name}
runtime: docker
${registry}services:
  web:
    ports: ["${port}:8080"]
    ready: { http: "http://127.0.0.1:${port}/index.html", timeout: 60s }
${(options.extra ?? []).map((l) => `    ${l}`).join('\n')}
`,
    Dockerfile: HTTPD,
    '.dockerignore': '*\n!www\n',
    'www/index.html': 'v1\n',
    ...options.files,
  });
}

export const HTTPD = `FROM busybox:1.36
COPY www /www
CMD ["busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]
`;

/**
 * Puts `content` at `rel` in one step (written beside the project, then renamed in), so the watcher
 * never sees a half-written file and the sync reads it whole.
 */
export function writeWhole(dir: string, rel: string, content: Buffer | string): void {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(dir), `.${path.basename(dir)}-${randomBytes(4).toString('hex')}.part`);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/** `pitstop up --json --no-ui` in `dir` with the environment given (DOCKER_HOST ...). */
export function startSession(dir: string, env: NodeJS.ProcessEnv): PitstopSession {
  return PitstopSession.start(dir, env, ['up', '--json', '--no-ui']);
}

/** Waits for the first start of every service to be over; throws with its error if it failed. */
export async function started(
  session: PitstopSession,
  service: string,
  timeoutMs: number,
): Promise<UpdateRecord> {
  const record = (
    await session.waitFor(
      is('update-finished', (e) => e.record.service === service && e.record.kind === 'start'),
      timeoutMs,
    )
  ).record;
  if (record.outcome !== 'ok') {
    throw new Error(`the start of ${service} failed: ${JSON.stringify(record.error)}\n${session.stderr}`);
  }
  await session.waitReady(timeoutMs);
  return record;
}

/**
 * Runs `save` and resolves with the next finished live update of `service` (from the events after
 * this call), so a late record of an earlier update is never taken for this one's.
 */
export async function afterSave(
  session: PitstopSession,
  service: string,
  save: () => void,
  timeoutMs = 60_000,
): Promise<UpdateRecord> {
  const since = session.events.length;
  save();
  return (
    await session.waitFor(
      is('update-finished', (e) => e.record.service === service && e.record.kind === 'live'),
      timeoutMs,
      since,
    )
  ).record;
}

/** Events of one type (and matching `test`) the session printed so far. */
export function eventsOf<T extends PitstopEvent['type']>(
  session: PitstopSession,
  type: T,
  test: (e: Of<T>) => boolean = () => true,
): Of<T>[] {
  return session.events.filter(is(type, test));
}

/** The HTTP body at `url` over a fresh connection, or undefined when nothing answers. */
export async function fetchText(url: string, timeoutMs = 5_000): Promise<string | undefined> {
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { connection: 'close' },
    });
    return res.ok ? await res.text() : `HTTP ${res.status}`;
  } catch {
    return undefined;
  }
}
