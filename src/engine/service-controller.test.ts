import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Builder } from '../build/builder.js';
import { EventBus, type PitstopEvent } from '../events.js';
import { LogStore } from '../logs/log-store.js';
import { makeService } from '../model/testing.js';
import type { Instance, Runtime } from '../runtimes/runtime.js';
import { Limiter } from './limiter.js';
import { ServiceController } from './service-controller.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A runtime whose instances do nothing but count their starts. */
function countingRuntime(): Runtime & { starts: number } {
  const runtime = {
    name: 'local' as const,
    starts: 0,
    recover: async () => [],
    stopAll: async () => undefined,
    start: async (): Promise<Instance> => {
      runtime.starts++;
      return {
        id: `fake ${runtime.starts}`,
        sync: async () => ({}),
        exec: async () => ({}),
        restart: async () => ({}),
        stop: async () => undefined,
      };
    },
  };
  return runtime;
}

function controller() {
  const dir = mkdtempSync(path.join(tmpdir(), 'pitstop-ctl-'));
  dirs.push(dir);
  const bus = new EventBus();
  const events: PitstopEvent[] = [];
  bus.on((e) => events.push(e));
  const runtime = countingRuntime();
  let id = 0;
  const ctl = new ServiceController({
    service: makeService('web', dir),
    runtime,
    // No build steps in this service: the builder is never asked.
    builder: undefined as unknown as Builder,
    limiter: new Limiter(1),
    events: bus,
    logs: new LogStore(path.join(dir, '.pitstop'), ['web']),
    nextUpdateId: () => ++id,
    runCheck: async () => 0,
    onRestarted: () => undefined,
    failFast: false,
    redact: (text) => text,
  });
  return { ctl, events, runtime, dir };
}

describe('ServiceController', () => {
  it('still takes changes after being woken with nothing to do', async () => {
    const { ctl, events, runtime, dir } = controller();
    await ctl.requestStart();
    expect(runtime.starts).toBe(1);
    // A wake-up that finds no work (a crash timer after the service came back, an empty route)
    // must not leave the queue looking busy.
    ctl.enqueue([], Date.now(), Date.now());
    await new Promise((resolve) => setTimeout(resolve, 10));
    ctl.enqueue([{ path: path.join(dir, 'index.html'), kind: 'change' }], Date.now(), Date.now());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      events.filter((e) => e.type === 'update-started').map((e) => e.type === 'update-started' && e.kind),
    ).toEqual(['start', 'live']);
    await ctl.stop();
  });
});
