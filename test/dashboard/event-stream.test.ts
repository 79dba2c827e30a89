// The event stream's timers: a heartbeat every 15 s while a page is connected, and no timer at
// all once none is (the dashboard costs nothing when nobody looks).
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { EventBus } from '../../src/events.js';
import { EventStreams } from '../../src/ui/dashboard/event-stream.js';

class Response extends EventEmitter {
  written = '';
  writableLength = 0;
  writeHead() {
    return this;
  }
  write(chunk: string) {
    this.written += chunk;
    return true;
  }
  end() {
    this.emit('close');
  }
  destroy() {
    this.emit('close');
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

it('sends a heartbeat every 15 s while a page is connected, and stops when it leaves', async () => {
  const bus = new EventBus();
  const streams = new EventStreams({ events: bus, snapshot: () => ({ hello: 1 }), advice: () => [] });
  expect(vi.getTimerCount()).toBe(0);

  const res = new Response();
  streams.open(res as unknown as ServerResponse);
  expect(res.written).toBe('retry: 1000\nevent: snapshot\ndata: {"hello":1}\n\n');
  expect(vi.getTimerCount()).toBe(1);

  vi.advanceTimersByTime(14_999);
  await tick();
  expect(res.written).not.toContain('heartbeat');
  vi.advanceTimersByTime(1);
  await tick();
  expect(res.written.endsWith(': heartbeat\n\n')).toBe(true);

  bus.emit({ type: 'warning', message: 'careful' });
  await tick();
  expect(res.written).toContain('"message":"careful"');

  res.emit('close');
  expect(streams.clientCount).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
  streams.close();
});

it('serialises nothing while no page is connected', () => {
  const bus = new EventBus();
  const streams = new EventStreams({ events: bus, snapshot: () => ({}), advice: () => [] });
  const spy = vi.spyOn(JSON, 'stringify');
  for (let i = 0; i < 100; i++) bus.emit({ type: 'log', service: 'api', stream: 'stdout', line: `${i}` });
  expect(spy).not.toHaveBeenCalled();
  expect(vi.getTimerCount()).toBe(0);
  spy.mockRestore();
  streams.close();
});
