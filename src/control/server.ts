// The running `pitstop up` answers `status` and `trigger` from other terminals over a unix
// socket in the state dir: reachable only by the user who owns the project folder.
import fs from 'node:fs';
import http from 'node:http';
import type { ServiceStatus } from '../engine/session.js';
import { isPitstopError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { UpdateRecord } from '../model/update.js';

export interface ControlHandlers {
  status(): { project: string; pid: number; startedAt: number; services: ServiceStatus[] };
  trigger(service: string): Promise<UpdateRecord>;
  events: EventBus;
}

export interface ControlServer {
  close(): Promise<void>;
}

export async function startControlServer(socket: string, handlers: ControlHandlers): Promise<ControlServer> {
  fs.rmSync(socket, { force: true });
  const streams = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://pitstop');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/status') return json(200, handlers.status());
    const trigger = /^\/trigger\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && trigger) {
      handlers.trigger(decodeURIComponent(trigger[1] ?? '')).then(
        (record) => json(200, { record }),
        (err: Error) =>
          json(isPitstopError(err) ? 400 : 500, {
            error: err.message,
            hint: isPitstopError(err) ? err.hint : undefined,
            exitCode: isPitstopError(err) ? err.exitCode : 1,
          }),
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      streams.add(res);
      const off = handlers.events.on((event) => res.write(`${JSON.stringify(event)}\n`));
      res.on('close', () => {
        off();
        streams.delete(res);
      });
      return;
    }
    json(404, { error: `no such endpoint: ${req.method} ${url.pathname}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  fs.chmodSync(socket, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => {
          fs.rmSync(socket, { force: true });
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
