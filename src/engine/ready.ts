// Readiness: has the new version started answering? Polled tightly at first because every
// millisecond here is edit-to-live time, then more gently so a slow service costs nothing.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { PitstopError } from '../errors.js';
import type { Command, Readiness } from '../model/project.js';
import { formatMs } from '../util/format.js';

export interface ReadyContext {
  /** Lines the instance printed since it (re)started; the log probe scans them. */
  lines(): readonly string[];
  /** Called for each new line; returns an unsubscribe function. */
  onLine(listener: (line: string) => void): () => void;
  /** Runs a readiness command on the host; resolves to its exit code. */
  runCheck(cmd: Command, signal: AbortSignal): Promise<number | null>;
  /** Runs a readiness command where the service runs; rejects when it fails. */
  exec(cmd: Command): Promise<void>;
  /** Aborted when the instance exits or pitstop stops. */
  signal: AbortSignal;
  /** Where a probe really goes (a container's own address, or a remote engine's host). */
  probeTarget?(host: string, port: number): { host: string; port: number } | undefined;
}

function pollInterval(elapsedMs: number): number {
  if (elapsedMs < 200) return 2;
  if (elapsedMs < 1_000) return 5;
  if (elapsedMs < 10_000) return 50;
  return 250;
}

export async function waitReady(service: string, ready: Readiness, ctx: ReadyContext): Promise<void> {
  const check = ready.check;
  if (check.kind === 'none') return;
  if (check.kind === 'log') return waitForLog(service, check.pattern, ready.timeoutMs, ctx);

  const started = performance.now();
  let lastProblem = 'no answer yet';
  for (;;) {
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    const problem = await probeOnce(check, ctx);
    if (problem === undefined) return;
    lastProblem = problem;
    const elapsed = performance.now() - started;
    if (elapsed >= ready.timeoutMs) {
      throw new PitstopError(
        `${service} did not become ready within ${formatMs(ready.timeoutMs)}: ${describeCheck(check)} → ${lastProblem}`,
        { hint: 'check the service log above, or raise ready.timeout if it is just slow to start' },
      );
    }
    const interval =
      check.kind === 'exec' ? Math.max(check.intervalMs, pollInterval(elapsed)) : pollInterval(elapsed);
    await sleep(Math.min(interval, ready.timeoutMs - elapsed), ctx.signal);
  }
}

function probeOnce(check: Exclude<Readiness['check'], { kind: 'none' | 'log' }>, ctx: ReadyContext) {
  switch (check.kind) {
    case 'http':
      return probeHttp(retarget(check.url, ctx));
    case 'tcp': {
      const target = ctx.probeTarget?.(check.host, check.port) ?? check;
      return probeTcp(target.host, target.port);
    }
    case 'cmd':
      return ctx
        .runCheck(check.cmd, ctx.signal)
        .then((code) => (code === 0 ? undefined : `exited with code ${code}`))
        .catch((err: Error) => err.message);
    case 'exec':
      return ctx.exec(check.cmd).then(
        () => undefined,
        (err: Error) => err.message,
      );
  }
}

export function describeCheck(check: Readiness['check']): string {
  switch (check.kind) {
    case 'http':
      return `GET ${check.url}`;
    case 'tcp':
      return `TCP ${check.host}:${check.port}`;
    case 'log':
      return `log line /${check.pattern}/`;
    case 'cmd':
      return `command ${'shell' in check.cmd ? check.cmd.shell : check.cmd.argv.join(' ')}`;
    case 'exec':
      return `health check ${'shell' in check.cmd ? check.cmd.shell : check.cmd.argv.join(' ')} in the container`;
    case 'none':
      return 'started';
  }
}

/** Resolves to undefined when the URL answers with a status below 400, else to what went wrong. */
function probeHttp(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.get(url, { agent: false, timeout: 2_000, rejectUnauthorized: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status < 400 ? undefined : `HTTP ${status}`);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2s')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(describeNetError(err)));
  });
}

function probeTcp(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2_000, () => socket.destroy(new Error('no answer within 2s')));
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(describeNetError(err)));
  });
}

/** The URL with its host and port replaced where the runtime says the service really is. */
function retarget(url: string, ctx: ReadyContext): string {
  if (!ctx.probeTarget) return url;
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const target = ctx.probeTarget(parsed.hostname.replace(/^\[|\]$/g, ''), port);
  if (!target) return url;
  parsed.hostname = target.host.includes(':') ? `[${target.host}]` : target.host;
  parsed.port = String(target.port);
  return parsed.toString();
}

function describeNetError(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'ECONNRESET') return 'connection reset';
  return err.message;
}

function waitForLog(service: string, pattern: string, timeoutMs: number, ctx: ReadyContext): Promise<void> {
  const regex = new RegExp(pattern);
  if (ctx.lines().some((line) => regex.test(line))) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const finish = (err?: Error) => {
      clearTimeout(timer);
      unsubscribe();
      ctx.signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const unsubscribe = ctx.onLine((line) => {
      if (regex.test(line)) finish();
    });
    const onAbort = () => finish(abortError(ctx.signal));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () =>
        finish(
          new PitstopError(
            `${service} did not become ready within ${formatMs(timeoutMs)}: no log line matched /${pattern}/`,
            {
              hint: 'check the pattern against the service log above, or raise ready.timeout',
            },
          ),
        ),
      timeoutMs,
    );
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('stopped while waiting for readiness');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
