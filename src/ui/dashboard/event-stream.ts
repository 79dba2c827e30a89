// `GET /api/events`: the event bus as Server-Sent Events, to any number of pages.
// Each stream opens with a snapshot taken in the same tick as the subscription, so a page never
// misses or doubles an event between "load the state" and "follow the changes". Events are
// serialised once for all clients and written once per tick (a burst of log lines is one write).
// A client that cannot keep up is dropped rather than buffered without bound: its EventSource
// reconnects and starts again from a fresh snapshot.
import type { ServerResponse } from 'node:http';
import type { EventBus } from '../../events.js';
import type { StreamEventName } from './api.js';

const HEARTBEAT_MS = 15_000;
/** Unsent bytes a client may fall behind by before it is dropped. */
const MAX_BACKLOG = 8 * 1024 * 1024;
/** How soon after an update the advice is looked at again (the history store records it first). */
const ADVICE_DELAY_MS = 250;

export interface EventStreamSource {
  events: EventBus;
  /** The opening message of a stream. */
  snapshot(): unknown;
  /** The advisor's current suggestions, pushed to pages when they change after an update. */
  advice(): unknown;
}

export class EventStreams {
  readonly #clients = new Set<ServerResponse>();
  readonly #off: () => void;
  #pending = '';
  #flushScheduled = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #adviceTimer: NodeJS.Timeout | undefined;
  #lastAdvice = '';

  constructor(private readonly source: EventStreamSource) {
    this.#lastAdvice = JSON.stringify(source.advice());
    this.#off = source.events.on((event) => {
      // Nobody watching: nothing is serialised, nothing is kept.
      if (this.#clients.size === 0) return;
      this.#queue(`data: ${JSON.stringify(event)}\n\n`);
      if (event.type === 'update-finished') this.#scheduleAdvice();
    });
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  open(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Events queued before this client arrived belong to the others: its snapshot already has them.
    this.#flush();
    res.write(`retry: 1000\n${message('snapshot', this.source.snapshot())}`);
    this.#clients.add(res);
    res.on('close', () => {
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.#stopHeartbeat();
    });
    this.#heartbeat ??= setInterval(() => this.#queue(': heartbeat\n\n'), HEARTBEAT_MS).unref();
  }

  #queue(chunk: string): void {
    this.#pending += chunk;
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    const chunk = this.#pending;
    this.#pending = '';
    if (chunk === '') return;
    for (const res of this.#clients) {
      if (res.writableLength > MAX_BACKLOG) {
        this.#clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(chunk);
    }
  }

  #scheduleAdvice(): void {
    if (this.#adviceTimer) return;
    this.#adviceTimer = setTimeout(() => {
      this.#adviceTimer = undefined;
      const advice = JSON.stringify(this.source.advice());
      if (advice === this.#lastAdvice) return;
      this.#lastAdvice = advice;
      this.#queue(`event: advice\ndata: ${advice}\n\n`);
    }, ADVICE_DELAY_MS).unref();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  close(): void {
    this.#off();
    this.#stopHeartbeat();
    clearTimeout(this.#adviceTimer);
    this.#flush();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}

function message(name: StreamEventName, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
