// The dashboard's HTTP server: loopback only, Host-checked, token-guarded mutations; the page,
// its assets, a JSON API over the deps and the event bus as Server-Sent Events. It does nothing
// on its own while idle: every byte it sends is a response or an event (and a heartbeat a client
// is connected).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPitstopError } from '../../errors.js';
import type { LogsResponse, TriggerResponse } from './api.js';
import { Assets } from './assets.js';
import type { DashboardDeps } from './deps.js';
import { EventStreams } from './event-stream.js';
import { allowedHosts, checkHost, checkMutation, newToken } from './guards.js';
import { buildState, historyPoints, RecentUpdates } from './state.js';

export interface DashboardOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface Dashboard {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  close(): Promise<void>;
}

/** Lines of log sent with a stream's opening snapshot. */
const SNAPSHOT_LOG_LINES = 5_000;

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export async function startDashboard(
  deps: DashboardDeps,
  options: DashboardOptions = {},
): Promise<Dashboard> {
  const token = newToken();
  const assets = new Assets(deps.project.name, token);
  const recent = new RecentUpdates(deps);
  const state = () => buildState(deps, recent);
  const streams = new EventStreams({
    events: deps.events,
    snapshot: () => ({ ...state(), logs: deps.logs(undefined, SNAPSHOT_LOG_LINES) }),
    advice: () => deps.advice(),
  });
  const serviceNames = new Set(deps.services.map((s) => s.name));
  let hosts = new Set<string>();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: (err as Error).message });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = checkHost(req, hosts);
    if (!host) return send(res, 403, { error: 'forbidden host' });
    const url = new URL(req.url ?? '/', `http://${host}`);
    const route = url.pathname;

    if (req.method === 'POST') {
      const refused = checkMutation(req, host, token);
      if (refused) return send(res, 403, { error: refused });
      const trigger = /^\/api\/trigger\/([^/]+)$/.exec(route);
      if (!trigger) return send(res, 404, { error: `no such endpoint: POST ${route}` });
      const service = safeDecode(trigger[1] ?? '');
      if (!service || !serviceNames.has(service)) return send(res, 404, { error: `no service ${service}` });
      return triggerService(res, service);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, { error: `${req.method} not allowed` }, { allow: 'GET, HEAD, POST' });
    }

    const service = url.searchParams.get('service') || undefined;
    if (service !== undefined && !serviceNames.has(service))
      return send(res, 404, { error: `no service ${service}` });
    const limit = (fallback: number, max: number) => clampInt(url.searchParams.get('limit'), fallback, max);
    switch (route) {
      case '/':
        res.writeHead(200, {
          ...COMMON_HEADERS,
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': assets.csp,
        });
        return void res.end(assets.html());
      case '/api/state':
        return send(res, 200, state());
      case '/api/events':
        return streams.open(res);
      case '/api/logs':
        return send(res, 200, { lines: deps.logs(service, limit(1_000, 50_000)) } satisfies LogsResponse);
      case '/api/history':
        return send(res, 200, historyPoints(deps, recent, service, limit(500, 5_000)));
    }
    const asset = await assets.get(route);
    if (!asset) return send(res, 404, { error: `not found: ${route}` });
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': asset.type, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
  }

  async function triggerService(res: http.ServerResponse, service: string): Promise<void> {
    let body: TriggerResponse;
    let status = 200;
    try {
      body = { record: await deps.trigger(service) };
    } catch (err) {
      status = isPitstopError(err) ? 409 : 500;
      body = { error: (err as Error).message, hint: isPitstopError(err) ? err.hint : undefined };
    }
    send(res, status, body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port);

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        streams.close();
        recent.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

function clampInt(text: string | null, fallback: number, max: number): number {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, max) : fallback;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
