import { describe, expect, it } from 'vitest';
import type { Instance } from '../runtimes/runtime.js';
import { StagedStart } from './staged-start.js';

function fakeInstance(held: boolean): Instance & { stopped: number; released: number } {
  const instance = {
    id: 'fake',
    stopped: 0,
    released: 0,
    sync: async () => ({}),
    exec: async () => ({}),
    restart: async () => ({}),
    release: async () => {
      instance.released++;
      return held;
    },
    stop: async () => {
      instance.stopped++;
    },
  };
  return instance;
}

describe('StagedStart', () => {
  it('hands over the instance with its process released, telling how far ahead it started', async () => {
    const instance = fakeInstance(true);
    const staged = new StagedStart(async () => instance);
    const taken = await staged.release();
    expect(taken?.instance).toBe(instance);
    expect(taken?.aheadMs).toBeGreaterThanOrEqual(0);
    expect(instance).toMatchObject({ released: 1, stopped: 0 });
    expect(staged.holding).toBe(false);
  });

  it('does not say "ahead" for an instance that held nothing (an adopted container)', async () => {
    const taken = await new StagedStart(async () => fakeInstance(false)).release();
    expect(taken).toBeDefined();
    expect(taken?.aheadMs).toBeUndefined();
  });

  it('stops an instance lost while held, and hands over nothing', async () => {
    const instance = fakeInstance(true);
    const staged = new StagedStart(async () => instance);
    expect(staged.holding).toBe(true);
    staged.lose();
    expect(await staged.release()).toBeUndefined();
    expect(instance).toMatchObject({ released: 0, stopped: 1 });
  });

  it('a start ahead that failed leaves the real start to do it', async () => {
    const staged = new StagedStart(async () => {
      throw new Error('no image yet');
    });
    await expect(staged.settled()).resolves.toBeUndefined();
    expect(await staged.release()).toBeUndefined();
  });

  it('discard stops what was started ahead', async () => {
    const instance = fakeInstance(true);
    await new StagedStart(async () => instance).discard();
    expect(instance).toMatchObject({ released: 0, stopped: 1 });
  });
});
