// The dashboard server against a real event bus and log store: who may talk to it (Host,
// token, Origin), what it answers, and how the event stream reaches several pages at once.
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  DashboardState,
  HistoryResponse,
  LogsResponse,
  StreamSnapshot,
} from '../../src/ui/dashboard/api.js';
import { type Dashboard, startDashboard } from '../../src/ui/dashboard/server.js';
import { makeDeps, sampleRecord, sampleSuggestion, type TestDeps } from './support/deps.js';
import { openSse, rawRequest } from './support/sse.js';

let deps: TestDeps;
let dashboard: Dashboard;
let port: number;
let token: string;

beforeEach(async () => {
  deps = makeDeps(['api', 'web']);
  dashboard = await startDashboard(deps, { port: 0 });
  port = Number(new URL(dashboard.url).port);
  const page = await (await fetch(dashboard.url)).text();
  token = /<meta name="pitstop-token" content="([^"]+)">/.exec(page)?.[1] ?? '';
});

afterEach(async () => {
  await dashboard.close();
  await deps.dispose();
});

const at = (path: string) => new URL(path, dashboard.url).toString();
const json = async <T>(path: string) => (await (await fetch(at(path))).json()) as T;

describe('who may talk to the dashboard', () => {
  it('listens on the IPv4 loopback only', async () => {
    expect(dashboard.url).toBe(`http://127.0.0.1:${port}/`);
    const viaV6 = await rawRequest(`http://[::1]:${port}/`).catch((err: NodeJS.ErrnoException) => err.code);
    expect(viaV6).toBe('ECONNREFUSED');
  });

  it('answers only to its own Host (DNS rebinding)', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await rawRequest(at('/api/state'), { headers: { host } })).status).toBe(200);
    }
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      '127.0.0.1',
      `localhost:${port + 1}`,
      `[::1]:${port}`,
    ]) {
      for (const path of ['/', '/api/state', '/api/events', '/api/logs', '/page/main.js']) {
        const res = await rawRequest(at(path), { headers: { host } });
        expect(res.status, `${host} ${path}`).toBe(403);
        expect(res.body).not.toContain(token);
      }
    }
    // Even a request that would be allowed otherwise is refused with a foreign Host.
    const post = await rawRequest(at('/api/trigger/api'), {
      method: 'POST',
      headers: { host: `evil.example:${port}`, 'x-pitstop-token': token },
    });
    expect(post.status).toBe(403);
    expect(deps.triggered).toEqual([]);
  });

  it('refuses a POST without the token, with a wrong one, or from another origin', async () => {
    const post = (headers: Record<string, string>) =>
      rawRequest(at('/api/trigger/api'), { method: 'POST', headers });
    expect(token).toMatch(/^[\w-]{32}$/);
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-pitstop-token': 'guess' })).status).toBe(403);
    expect((await post({ 'x-pitstop-token': `${token.slice(1)}x` })).status).toBe(403);
    expect((await post({ 'x-pitstop-token': token, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ 'x-pitstop-token': token, origin: `http://127.0.0.1:${port + 1}` })).status).toBe(
      403,
    );
    expect((await post({ 'x-pitstop-token': token, origin: 'null' })).status).toBe(403);
    expect((await post({ 'x-pitstop-token': token, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(deps.triggered).toEqual([]);
  });

  it('runs a trigger with the token from its own origin (or with no Origin, as curl sends)', async () => {
    const res = await fetch(at('/api/trigger/web'), {
      method: 'POST',
      headers: { 'x-pitstop-token': token, origin: `http://127.0.0.1:${port}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { record: { service: string } }).record.service).toBe('web');
    const viaLocalhost = await rawRequest(at('/api/trigger/api'), {
      method: 'POST',
      headers: { host: `localhost:${port}`, origin: `http://localhost:${port}`, 'x-pitstop-token': token },
    });
    expect(viaLocalhost.status).toBe(200);
    const noOrigin = await rawRequest(at('/api/trigger/api'), {
      method: 'POST',
      headers: { 'x-pitstop-token': token },
    });
    expect(noOrigin.status).toBe(200);
    expect(deps.triggered).toEqual(['web', 'api', 'api']);
  });

  it('answers an unknown service or method clearly', async () => {
    const headers = { 'x-pitstop-token': token };
    expect((await rawRequest(at('/api/trigger/nope'), { method: 'POST', headers })).status).toBe(404);
    expect((await rawRequest(at('/api/state'), { method: 'DELETE', headers })).status).toBe(405);
    expect((await fetch(at('/api/logs?service=nope'))).status).toBe(404);
    expect(deps.triggered).toEqual([]);
  });

  it('reports a failing trigger as an error, not a crash', async () => {
    deps.trigger = async () => {
      throw new Error('build failed');
    };
    const res = await rawRequest(at('/api/trigger/api'), {
      method: 'POST',
      headers: { 'x-pitstop-token': token },
    });
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ error: 'build failed' });
  });
});

describe('the page and its assets', () => {
  it('serves the page with a strict policy and the token, and its modules and libraries', async () => {
    const res = await fetch(dashboard.url);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const page = await res.text();
    expect(page).toContain('<title>pitstop · shop</title>');
    for (const path of [
      '/page/main.js',
      '/page/store.js',
      '/vendor/preact.js',
      '/vendor/htm-preact.js',
      '/vendor/uplot.js',
    ]) {
      const asset = await fetch(at(path));
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('content-type'), path).toContain('javascript');
      expect(await asset.text(), path).toMatch(/export|import/);
    }
    // Types are gone from the page's modules, imports stay bare for the import map.
    const main = await (await fetch(at('/page/store.js'))).text();
    expect(main).not.toMatch(/:\s*Store\b|interface /);
    expect((await fetch(at('/styles.css'))).headers.get('content-type')).toContain('text/css');
  });

  it('serves nothing outside its own files', async () => {
    for (const path of [
      '/page/../server.js',
      '/page/%2e%2e/server.js',
      '/page/main.ts',
      '/vendor/x.js',
      '/package.json',
      '/src/ui/dashboard/server.ts',
    ]) {
      expect((await rawRequest(at(path))).status, path).toBe(404);
    }
  });
});

describe('the JSON API', () => {
  it('gives the state: services with status, recent updates and advice', async () => {
    deps.events.emit({ type: 'service-state', service: 'api', state: 'ready', detail: 'pid 42' });
    const record = sampleRecord('api', 1);
    deps.events.emit({ type: 'update-finished', record });
    deps.suggestions.push(sampleSuggestion);
    const state = await json<DashboardState>('/api/state');
    expect(state.project.name).toBe('shop');
    expect(state.services.map((s) => [s.name, s.state])).toEqual([
      ['api', 'ready'],
      ['web', 'pending'],
    ]);
    expect(state.services[0]).toMatchObject({ detail: 'pid 42', endpoints: ['http://127.0.0.1:18080/'] });
    expect(state.services[0]?.lastUpdate?.id).toBe(1);
    expect(state.updates.map((u) => u.id)).toEqual([1]);
    expect(state.advice).toEqual([sampleSuggestion]);
    expect(JSON.stringify(state)).not.toContain('PATH');
  });

  it('keeps the last 200 updates', async () => {
    for (let i = 0; i < 230; i++) {
      const record = sampleRecord('web', i, { startedAt: 1e12 + i * 1_000 });
      deps.events.emit({ type: 'update-finished', record });
    }
    const { updates } = await json<DashboardState>('/api/state');
    expect(updates).toHaveLength(200);
    expect(updates[0]?.id).toBe(30);
    expect(updates.at(-1)?.id).toBe(229);
  });

  it('gives the last log lines of one service or all', async () => {
    for (let i = 0; i < 5; i++) {
      deps.events.emit({ type: 'log', service: 'api', stream: 'stdout', line: `api ${i}` });
      deps.events.emit({ type: 'log', service: 'web', stream: 'stderr', line: `web ${i}` });
    }
    const api = await json<LogsResponse>('/api/logs?service=api&limit=2');
    expect(api.lines.map((l) => l.line)).toEqual(['api 3', 'api 4']);
    const all = await json<LogsResponse>('/api/logs?limit=3');
    expect(all.lines.map((l) => l.line)).toEqual(['web 3', 'api 4', 'web 4']);
    expect((await json<LogsResponse>('/api/logs?limit=-5')).lines).toHaveLength(10);
  });

  it('gives the edit-to-live series from the history store, oldest first', async () => {
    deps.historyStore.record(sampleRecord('api', 1, { startedAt: 1_000, editToLiveMs: 300 }));
    deps.historyStore.record(sampleRecord('web', 1, { startedAt: 2_000, editToLiveMs: 200 }));
    deps.historyStore.record(sampleRecord('api', 2, { startedAt: 3_000, failed: true }));
    deps.historyStore.record(sampleRecord('api', 3, { startedAt: 4_000, editToLiveMs: 250 }));
    const api = await json<HistoryResponse>('/api/history?service=api');
    expect(api.source).toBe('history');
    expect(api.points.map((p) => [p.at, p.editToLiveMs])).toEqual([
      [1_000, 300],
      [4_000, 250],
    ]);
    expect((await json<HistoryResponse>('/api/history?limit=2')).points.map((p) => p.service)).toEqual([
      'api',
    ]);
  });

  it('falls back to this session’s updates when there is no history store', async () => {
    const bare = makeDeps(['api'], { history: false });
    const other = await startDashboard(bare);
    try {
      bare.events.emit({ type: 'update-finished', record: sampleRecord('api', 7, { editToLiveMs: 123 }) });
      const res = (await (await fetch(new URL('/api/history', other.url))).json()) as HistoryResponse;
      expect(res).toMatchObject({
        source: 'session',
        points: [{ service: 'api', id: 7, editToLiveMs: 123 }],
      });
    } finally {
      await other.close();
      await bare.dispose();
    }
  });
});

describe('the event stream', () => {
  it('opens with a snapshot, then delivers every event to every page', async () => {
    deps.events.emit({ type: 'log', service: 'api', stream: 'stdout', line: 'before' });
    const a = await openSse(at('/api/events'));
    const b = await openSse(at('/api/events'));
    try {
      for (const client of [a, b]) {
        const first = await client.next(() => true);
        expect(first.event).toBe('snapshot');
        const snapshot = JSON.parse(first.data) as StreamSnapshot;
        expect(snapshot.services.map((s) => s.name)).toEqual(['api', 'web']);
        expect(snapshot.logs.map((l) => l.line)).toEqual(['before']);
      }
      const record = sampleRecord('api', 5);
      deps.events.emit({ type: 'service-state', service: 'web', state: 'updating' });
      deps.events.emit({ type: 'log', service: 'web', stream: 'stdout', line: 'after' });
      deps.events.emit({ type: 'update-finished', record });
      for (const client of [a, b]) {
        const last = await client.next((m) => m.data.includes('update-finished'));
        expect(JSON.parse(last.data)).toMatchObject({ type: 'update-finished', record: { id: 5 } });
        const types = client.messages
          .filter((m) => m.event === 'message')
          .map((m) => JSON.parse(m.data).type);
        expect(types).toEqual(['service-state', 'log', 'update-finished']);
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it('pushes the advice when an update changed it', async () => {
    const client = await openSse(at('/api/events'));
    try {
      await client.next((m) => m.event === 'snapshot');
      deps.suggestions.push(sampleSuggestion);
      deps.events.emit({ type: 'update-finished', record: sampleRecord('api', 1) });
      const advice = await client.next((m) => m.event === 'advice');
      expect(JSON.parse(advice.data)).toEqual([sampleSuggestion]);
    } finally {
      client.close();
    }
  });

  it('drops a page that stops reading instead of buffering without bound', async () => {
    const stalled = await new Promise<http.IncomingMessage>((resolve) =>
      http.get(at('/api/events'), resolve),
    );
    stalled.pause();
    const line = 'x'.repeat(2_000);
    // 40 MB in bursts of 2 MB, one burst per tick (as a chatty service would produce them).
    for (let burst = 0; burst < 20; burst++) {
      for (let i = 0; i < 1_000; i++)
        deps.events.emit({ type: 'log', service: 'api', stream: 'stdout', line });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const closed = await new Promise<boolean>((resolve) => {
      stalled.socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 5_000);
      stalled.resume();
      stalled.on('data', () => {});
    });
    expect(closed).toBe(true);
  });

  it('ends open streams when the dashboard closes', async () => {
    const client = await new Promise<http.IncomingMessage>((resolve) => http.get(at('/api/events'), resolve));
    const ended = new Promise<void>((resolve) => client.socket.on('close', () => resolve()));
    client.resume();
    await dashboard.close();
    await ended;
    await expect(fetch(dashboard.url)).rejects.toThrow();
  });
});
