// Polls a URL every few milliseconds until its body holds the expected string. One kept-alive
// connection carries the polls: opening a connection per poll (hundreds a second) loads a
// 2-core machine enough to slow the very compile being measured. A restarted server closes
// that connection, and the next poll opens one to the new process.
import http from 'node:http';
import { now } from './edit.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

export interface PollOptions {
  /** Gap between the starts of two requests. */
  intervalMs?: number;
  /** One request may take this long before it counts as a miss. */
  requestTimeoutMs?: number;
  /** Give up after this long. */
  timeoutMs?: number;
}

type Attempt = { matched: true; at: number } | { matched: false; status: string };

function attempt(url: string, expected: string, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Attempt) => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    const req = http.get(url, { agent, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        // The moment the new version is readable is the moment it is live.
        if (body.includes(expected)) done({ matched: true, at: now() });
      });
      res.on('end', () => done({ matched: false, status: `${res.statusCode}: ${body.trim().slice(0, 80)}` }));
      res.on('error', (err) => done({ matched: false, status: err.message }));
    });
    req.on('timeout', () => {
      req.destroy(new Error('request timed out'));
    });
    req.on('error', (err) =>
      done({ matched: false, status: (err as NodeJS.ErrnoException).code ?? err.message }),
    );
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests `url` every `intervalMs` (start to start) until `step` says stop: the polling load. */
async function pollEvery(
  url: string,
  expected: string,
  intervalMs: number,
  requestTimeoutMs: number,
  step: (result: Attempt) => boolean,
): Promise<void> {
  for (;;) {
    const started = now();
    if (step(await attempt(url, expected, requestTimeoutMs))) return;
    const wait = intervalMs - (now() - started);
    if (wait > 0) await sleep(wait);
  }
}

/** Resolves with the epoch time of the first answer whose body contains `expected`. */
export async function pollUntil(url: string, expected: string, opts: PollOptions = {}): Promise<number> {
  const deadline = now() + (opts.timeoutMs ?? 60_000);
  let last = 'no answer';
  let at = 0;
  await pollEvery(url, expected, opts.intervalMs ?? 2, opts.requestTimeoutMs ?? 250, (result) => {
    if (result.matched) {
      at = result.at;
      return true;
    }
    last = result.status;
    if (now() > deadline) {
      throw new Error(
        `${url} did not answer "${expected}" within ${opts.timeoutMs ?? 60_000} ms (last: ${last})`,
      );
    }
    return false;
  });
  return at;
}

/**
 * Polls `url` the way pollUntil does, for as long as `work` runs: the load every measured loop
 * puts on the machine while it waits for the new version, put on a reference step too.
 */
export async function pollDuring<T>(url: string, work: Promise<T>, intervalMs = 2): Promise<T> {
  let running = true;
  const polls = pollEvery(url, '\0never', intervalMs, 250, () => !running);
  try {
    return await work;
  } finally {
    running = false;
    await polls;
  }
}
