import { describe, expect, it } from 'vitest';
import type { ChangeBatch } from '../model/update.js';
import { type Clock, Coalescer, type TimedChange } from './coalescer.js';

/** A clock that only moves when told to, firing due timers in order. */
class FakeClock implements Clock {
  #now = 1_000;
  /** Set to stand in for Node reading pending I/O before a due batch is cut. */
  afterIo?: (fn: () => void) => void;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #nextId = 1;

  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  get pendingTimers(): number {
    return this.#timers.size;
  }
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].fn();
    }
    this.#now = end;
  }
}

function setup(options: { settleMs?: number; burstSettleMs?: number; maxBatchMs?: number } = {}) {
  const clock = new FakeClock();
  const batches: ChangeBatch[] = [];
  const coalescer = new Coalescer({
    settleMs: options.settleMs ?? 10,
    burstSettleMs: options.burstSettleMs,
    maxBatchMs: options.maxBatchMs ?? 1_000,
    clock,
    onBatch: (batch) => batches.push(batch),
  });
  const change = (path: string, kind: TimedChange['kind'] = 'change'): TimedChange => ({
    path,
    kind,
    seenAt: clock.now(),
  });
  return { clock, batches, coalescer, change };
}

describe('Coalescer', () => {
  it('cuts a single change once the tree has been quiet for settleMs', () => {
    const { clock, batches, coalescer, change } = setup();
    coalescer.add([change('/p/a.ts')]);
    clock.advance(9);
    expect(batches).toEqual([]);
    clock.advance(1);
    expect(batches).toEqual([
      { changes: [{ path: '/p/a.ts', kind: 'change' }], firstSeenAt: 1_000, cutAt: 1_010 },
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('collapses quick repeated changes to one file into one path', () => {
    const { clock, batches, coalescer, change } = setup();
    for (let i = 0; i < 5; i++) {
      coalescer.add([change('/p/a.ts')]);
      clock.advance(5);
    }
    expect(batches).toEqual([]);
    clock.advance(5);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.changes).toEqual([{ path: '/p/a.ts', kind: 'change' }]);
    expect(batches[0]?.firstSeenAt).toBe(1_000);
    expect(batches[0]?.cutAt).toBe(1_030);
  });

  it('waits burstSettleMs once more than two paths are pending', () => {
    const { clock, batches, coalescer, change } = setup({ burstSettleMs: 50 });
    coalescer.add([change('/p/a'), change('/p/b')]);
    clock.advance(5);
    coalescer.add([change('/p/c')]);
    clock.advance(20);
    expect(batches).toEqual([]); // settleMs passed, but a burst is in progress
    clock.advance(29);
    expect(batches).toEqual([]);
    clock.advance(1);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.changes.map((c) => c.path)).toEqual(['/p/a', '/p/b', '/p/c']);
    expect(batches[0]?.cutAt).toBe(1_055);
  });

  it('keeps two paths on the short settle (an atomic save)', () => {
    const { clock, batches, coalescer, change } = setup();
    coalescer.add([change('/p/a.ts~'), change('/p/a.ts')]);
    clock.advance(10);
    expect(batches).toHaveLength(1);
  });

  it('cuts at maxBatchMs under continuous writes, then starts a new batch', () => {
    const { clock, batches, coalescer, change } = setup({ maxBatchMs: 100, burstSettleMs: 50 });
    for (let t = 0; t < 250; t += 5) {
      coalescer.add([change(`/p/f${t}`)]);
      clock.advance(5);
    }
    expect(batches.map((b) => b.cutAt - b.firstSeenAt)).toEqual([100, 100]);
    expect(batches[0]?.changes).toHaveLength(20);
    clock.advance(50);
    expect(batches).toHaveLength(3);
    expect(batches.flatMap((b) => b.changes)).toHaveLength(50);
  });

  it('lets the quiet that ends a long burst grow with its length', () => {
    const { clock, batches, coalescer, change } = setup({ burstSettleMs: 50, maxBatchMs: 60_000 });
    // Three files at once, then one every 40 ms: a slow writer.
    coalescer.add([change('/p/x'), change('/p/y'), change('/p/z')]);
    for (let t = 0; t < 400; t += 40) {
      coalescer.add([change(`/p/f${t}`)]);
      clock.advance(40);
    }
    // 360 ms into the burst the quiet needed is 90 ms: an 80 ms pause does not cut it.
    clock.advance(40);
    expect(batches).toEqual([]);
    coalescer.add([change('/p/last')]); // 440 ms in: 110 ms of quiet ends it
    clock.advance(109);
    expect(batches).toEqual([]);
    clock.advance(2);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.changes).toHaveLength(14);
  });

  it('caps the quiet a burst needs at four times burstSettleMs', () => {
    const { clock, batches, coalescer, change } = setup({ burstSettleMs: 50, maxBatchMs: 60_000 });
    coalescer.add([change('/p/x'), change('/p/y'), change('/p/z')]);
    for (let t = 0; t < 5_000; t += 40) {
      coalescer.add([change(`/p/f${t}`)]);
      clock.advance(40);
    }
    clock.advance(159);
    expect(batches).toEqual([]);
    clock.advance(2);
    expect(batches).toHaveLength(1);
  });

  it('reads pending I/O before cutting a due batch, and keeps collecting what it brings', () => {
    const { clock, batches, coalescer, change } = setup();
    const afterIo: (() => void)[] = [];
    clock.afterIo = (fn) => afterIo.push(fn);
    coalescer.add([change('/p/a')]);
    clock.advance(10);
    expect(batches).toEqual([]);
    expect(afterIo).toHaveLength(1);
    // The I/O read delivers one more event: the quiet period starts over.
    coalescer.add([change('/p/b')]);
    afterIo.shift()?.();
    expect(batches).toEqual([]);
    clock.advance(10);
    afterIo.shift()?.();
    expect(batches).toHaveLength(1);
    expect(batches[0]?.changes.map((c) => c.path)).toEqual(['/p/a', '/p/b']);
  });

  it('cuts at maxBatchMs even when every I/O read brings more events', () => {
    const { clock, batches, coalescer, change } = setup({ maxBatchMs: 30 });
    clock.afterIo = (fn) => {
      coalescer.add([change(`/p/late${clock.now()}`)]);
      fn();
    };
    for (let t = 0; t < 40; t += 2) {
      coalescer.add([change(`/p/f${t}`)]);
      clock.advance(2);
    }
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(batches[0]!.cutAt - batches[0]!.firstSeenAt).toBeLessThanOrEqual(30);
  });

  it('collapses delete-then-recreate to a change, in first-seen order', () => {
    const { clock, batches, coalescer, change } = setup();
    coalescer.add([change('/p/a', 'delete'), change('/p/b')]);
    coalescer.add([change('/p/a', 'change')]);
    clock.advance(10);
    expect(batches[0]?.changes).toEqual([
      { path: '/p/a', kind: 'change' },
      { path: '/p/b', kind: 'change' },
    ]);
  });

  it('turns a change inside a folder deleted later in the batch into a delete', () => {
    const { clock, batches, coalescer, change } = setup();
    coalescer.add([change('/p/dir/x'), change('/p/dir/y')]);
    coalescer.add([change('/p/dir', 'delete')]);
    coalescer.add([change('/p/dir/y')]); // re-created after the delete: stays a change
    clock.advance(100);
    expect(batches[0]?.changes).toEqual([
      { path: '/p/dir/x', kind: 'delete' },
      { path: '/p/dir/y', kind: 'change' },
      { path: '/p/dir', kind: 'delete' },
    ]);
  });

  it('uses the earliest seenAt of the batch as firstSeenAt', () => {
    const { clock, batches, coalescer } = setup();
    coalescer.add([
      { path: '/p/a', kind: 'change', seenAt: 995 },
      { path: '/p/b', kind: 'change', seenAt: 990 },
    ]);
    clock.advance(10);
    expect(batches[0]?.firstSeenAt).toBe(990);
  });

  it('flush cuts now and dispose drops what is pending', () => {
    const { clock, batches, coalescer, change } = setup();
    coalescer.add([change('/p/a')]);
    coalescer.flush();
    expect(batches).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
    coalescer.flush();
    expect(batches).toHaveLength(1);
    coalescer.add([change('/p/b')]);
    coalescer.dispose();
    clock.advance(100);
    coalescer.add([change('/p/c')]);
    clock.advance(100);
    expect(batches).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
