// D1: the dashboard's idle cost. `pitstop up` (dashboard on, as by default) runs a small local
// project; one client holds the dashboard's event stream open, as an open page does (it loads
// the history once, then follows `GET /api/events`). Nothing changes meanwhile, so whatever the
// pitstop process spends is the cost of serving an idle dashboard (and of watching a few files).

import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { PitstopEvent } from '../../src/events.js';
import { now } from '../lib/edit.js';
import { assertPitstopBuilt, PitstopSession, type StopReport } from '../lib/pitstop.js';
import { freePort } from '../lib/ports.js';
import { sampleUsage } from '../lib/procfs.js';
import { onCleanup } from '../lib/procs.js';
import { entryFrom, type GoalCheck, type ResultEntry } from '../lib/results.js';
import type { Scenario } from '../lib/scenario.js';
import { round } from '../lib/stats.js';
import { copyFixture, removeDir } from '../lib/tmp.js';

const CPU_GOAL_PCT = 1;
/** Start-up work (module loading, the first requests, JIT) settles before the sample. */
const SETTLE_MS = 2000;

const pitstopYaml = (port: number) => `name: bench-d1
services:
  web:
    dir: .
    run: node server.js
    env: { PORT: "${port}" }
    ports: [${port}]
    ready: { http: http://127.0.0.1:${port}/healthz }
    live_update:
      - sync: { from: src, to: /app/src }
      - restart: process
`;

type DashboardEvent = Extract<PitstopEvent, { type: 'dashboard' }>;

/** An open event stream: counts what arrives, and whether the server closed it. */
interface StreamClient {
  bytes: number;
  snapshot: Promise<void>;
  closed: boolean;
  close(): void;
}

/** GET with the Host header the dashboard answers to (its URL's own host). */
function get(url: URL, accept: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { host: url.host, accept }, agent: false }, resolve);
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url.pathname}: no answer in 10 s`)));
  });
}

async function loadPage(base: string): Promise<StreamClient> {
  // What the page does once on load, before following the stream.
  const history = await get(new URL('api/history?limit=1000', base), 'application/json');
  history.resume();
  if (history.statusCode !== 200) throw new Error(`GET /api/history answered ${history.statusCode}`);

  const res = await get(new URL('api/events', base), 'text/event-stream');
  if (res.statusCode !== 200) throw new Error(`GET /api/events answered ${res.statusCode}`);
  res.setTimeout(0);
  // Accumulated only until the opening snapshot is complete; after that only counted.
  let text: string | undefined = '';
  let sawSnapshot: () => void = () => {};
  const client: StreamClient = {
    bytes: 0,
    closed: false,
    snapshot: new Promise<void>((resolve, reject) => {
      sawSnapshot = resolve;
      setTimeout(() => reject(new Error('no snapshot on the event stream within 10 s')), 10_000).unref();
    }),
    close: () => res.destroy(),
  };
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    client.bytes += Buffer.byteLength(chunk);
    if (text !== undefined) {
      text += chunk;
      if (/event: snapshot\ndata: .*\n\n/.test(text)) {
        sawSnapshot();
        text = undefined;
      }
    }
  });
  res.on('close', () => {
    client.closed = true;
  });
  res.on('error', () => undefined);
  return client;
}

export const d1: Scenario = {
  id: 'D1',
  title: 'dashboard idle: pitstop up with one event-stream client connected',
  async run(ctx) {
    const sampleMs = ctx.quick ? 10_000 : 20_000;
    let dir: string | undefined;
    let session: PitstopSession | undefined;
    let client: StreamClient | undefined;
    let stopped: StopReport | undefined;
    const teardown = async () => {
      client?.close();
      client = undefined;
      if (session) stopped = await session.stop();
      session = undefined;
      if (dir) removeDir(dir);
      dir = undefined;
    };
    const removeCleanup = onCleanup(teardown);
    const extra: Record<string, unknown> = {};
    let error: string | undefined;
    try {
      assertPitstopBuilt();
      dir = copyFixture('node-version', 'd1');
      writeFileSync(path.join(dir, 'pitstop.yaml'), pitstopYaml(await freePort()));
      const started = now();
      session = PitstopSession.start(dir, ctx.env);
      const dashboard = await session.waitFor((e): e is DashboardEvent => e.type === 'dashboard', 60_000);
      await session.waitReady(60_000);
      extra.ready_ms = round(now() - started);
      extra.dashboard_url = dashboard.url;

      client = await loadPage(dashboard.url);
      await client.snapshot;
      extra.sse_clients = 1;
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      ctx.log(
        `  dashboard at ${dashboard.url}, one client on /api/events; sampling for ${sampleMs / 1000} s`,
      );
      const before = client.bytes;
      Object.assign(extra, await sampleUsage(session.pid, sampleMs));
      // A stream that ended during the sample measured nothing: a page would have reconnected.
      if (client.closed) throw new Error('the dashboard closed the event stream during the sample');
      extra.sse_bytes_during_sample = client.bytes - before;
    } catch (err) {
      error = (err as Error).message;
      ctx.log(`  failed: ${error}`);
    } finally {
      await teardown();
      removeCleanup();
    }
    if (stopped) {
      extra.clean_exit = stopped.clean && stopped.stragglers.length === 0;
      for (const l of stopped.stragglers)
        ctx.log(`  pitstop left pid ${l.pid} running (${l.command}); killed`);
    }
    if (error) extra.error = error;

    const entry: ResultEntry = entryFrom('D1', 'pitstop', null, null, extra);
    entry.runs = typeof extra.cpu_pct === 'number' ? 1 : 0;
    const cpu = typeof extra.cpu_pct === 'number' ? extra.cpu_pct : null;
    const goals: GoalCheck[] = [
      {
        scenario: 'D1',
        goal: `< ${CPU_GOAL_PCT} % of a core with the dashboard's stream open`,
        measured:
          cpu == null
            ? 'not measured'
            : `${cpu} % over ${extra.seconds} s (busiest second ${extra.cpu_pct_max_interval} %; with children ${extra.tree_cpu_pct} %)`,
        met: cpu == null ? null : cpu < CPU_GOAL_PCT,
      },
    ];
    return { results: [entry], goals };
  },
};
