import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UpdateRecord } from '../model/update.js';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from './migrations.js';
import { openHistory } from './sqlite-store.js';
import { closeAfter, Database, imageUpdate, open, rows, T0, tempDir } from './store-testing.js';
import { makeRecord, plan } from './testing.js';

describe('SqliteHistoryStore', () => {
  it('keeps records with their span tree, plan and error, newest first', () => {
    const { store } = open(tempDir());
    const a = imageUpdate(T0);
    const b = makeRecord(
      'api',
      T0 + 5000,
      [{ name: 'build', ms: 300, outcome: 'failed', detail: 'compile' }],
      {
        outcome: 'failed',
        editToLiveMs: undefined,
        error: { step: 'build', message: 'exit 1', logTail: ['main.go:3: syntax error'] },
      },
    );
    store.record(a);
    store.record(b);
    const got = store.updates();
    expect(got.map((r) => r.startedAt)).toEqual([b.startedAt, a.startedAt]);
    const { id: _a, ...restA } = a;
    expect(got[1]).toMatchObject(restA);
    expect(got[1]!.spans[2]!.children).toHaveLength(2);
    // The log tail is output: not kept.
    expect(got[0]!.error).toEqual({ step: 'build', message: 'exit 1' });
    expect(got[0]!.editToLiveMs).toBeUndefined();
    expect(new Set(got.map((r) => r.id)).size).toBe(2);
  });

  it('writes on a later turn of the event loop, not in record()', async () => {
    const dir = tempDir();
    const { store } = open(dir);
    store.record(imageUpdate(T0));
    const file = path.join(dir, 'history.db');
    expect(rows(file, 'SELECT id FROM updates')).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(rows(file, 'SELECT id FROM updates')).toHaveLength(1);
    expect(rows(file, 'SELECT * FROM spans')).toHaveLength(7);
    expect(rows(file, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('survives a restart and filters by service, time and count', () => {
    const dir = tempDir();
    const first = open(dir).store;
    for (let i = 0; i < 6; i++)
      first.record(makeRecord(i % 2 ? 'web' : 'api', T0 + i * 1000, [{ name: 'sync', ms: 5 }]));
    first.close();
    const { store } = open(dir);
    expect(store.services()).toEqual(['api', 'web']);
    expect(store.updates({ service: 'web' }).map((r) => r.startedAt)).toEqual([
      T0 + 5000,
      T0 + 3000,
      T0 + 1000,
    ]);
    expect(store.updates({ since: T0 + 2000, until: T0 + 4000 }).map((r) => r.startedAt)).toEqual([
      T0 + 3000,
      T0 + 2000,
    ]);
    expect(store.updates({ limit: 2 })).toHaveLength(2);
    // Another project's history in the same file stays apart.
    const other = openHistory({ stateDir: dir, project: 'other', onProblem: () => {}, now: () => T0 });
    closeAfter(other);
    expect(other.updates()).toEqual([]);
  });

  it('lets another process read while this one writes (WAL)', () => {
    const dir = tempDir();
    const writer = open(dir).store;
    const reader = open(dir).store;
    writer.record(imageUpdate(T0));
    writer.flush();
    expect(reader.updates()).toHaveLength(1);
    writer.record(imageUpdate(T0 + 1));
    writer.flush();
    expect(reader.updates()).toHaveLength(2);
  });

  it('prunes to the newest N and to the maximum age, with their spans', () => {
    const dir = tempDir();
    const first = open(dir).store;
    for (let i = 0; i < 30; i++) first.record(makeRecord('api', T0 + i * 60_000, [{ name: 'sync', ms: 5 }]));
    first.close();
    // Retention is applied by the first write of a store (and every few hundred writes after),
    // so a store that only reads never deletes anything.
    const reader = open(dir, { maxUpdates: 10, now: () => T0 + 29 * 60_000 });
    expect(reader.store.updates()).toHaveLength(30);
    reader.store.close();
    const second = open(dir, { maxUpdates: 10, now: () => T0 + 29 * 60_000 });
    second.store.record(makeRecord('api', T0 + 29 * 60_000 + 1, [{ name: 'sync', ms: 5 }]));
    expect(second.store.updates().map((r) => r.startedAt)).toEqual([
      T0 + 29 * 60_000 + 1,
      ...Array.from({ length: 9 }, (_, i) => T0 + (29 - i) * 60_000),
    ]);
    second.store.close();
    const third = open(dir, { maxAgeMs: 5 * 60_000, now: () => T0 + 29 * 60_000 });
    third.store.record(makeRecord('api', T0 + 29 * 60_000 + 2, [{ name: 'sync', ms: 5 }]));
    // 24, 25, 26, 27, 28, 29, 29+1, 29+2 minutes: nothing older than five minutes.
    expect(third.store.updates()).toHaveLength(8);
    third.store.close();
    expect(rows(path.join(dir, 'history.db'), 'SELECT DISTINCT update_id FROM spans')).toHaveLength(8);
  });

  it('prunes while running, in the write after every few hundred records', () => {
    const { store } = open(tempDir(), { maxUpdates: 100, maxAgeMs: 0 });
    store.record(makeRecord('api', T0 - 1, [{ name: 'sync', ms: 1 }]));
    store.flush();
    for (let i = 0; i < 499; i++) store.record(makeRecord('api', T0 + i, [{ name: 'sync', ms: 1 }]));
    store.flush();
    expect(store.updates()).toHaveLength(500);
    store.record(makeRecord('api', T0 + 499, [{ name: 'sync', ms: 1 }]));
    store.flush();
    const left = store.updates();
    expect(left).toHaveLength(100);
    expect(left[0]!.startedAt).toBe(T0 + 499);
  });

  it('upgrades a database written by the first schema and keeps its rows', () => {
    const dir = tempDir();
    const file = path.join(dir, 'history.db');
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 1));
    old
      .prepare(
        `INSERT INTO updates (project, service, kind, outcome, started_at, finished_at, edit_to_live_ms,
          file_count, files, plan_full, plan_reason) VALUES ('shop', 'api', 'live', 'ok', ?, ?, 42, 1, '["a.go"]', 1, 'no live_update rules')`,
      )
      .run(T0, T0 + 42);
    old.prepare(`INSERT INTO spans VALUES (1, 0, NULL, 'build', ?, 40, 'ok', NULL, 'compile')`).run(T0);
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.close();

    const { store, problems } = open(dir);
    expect(problems).toEqual([]);
    expect(rows(file, 'PRAGMA user_version')).toEqual([{ user_version: SCHEMA_VERSION }]);
    const [record] = store.updates();
    expect(record).toMatchObject({
      service: 'api',
      editToLiveMs: 42,
      files: ['a.go'],
      plan: { full: true, reason: 'no live_update rules', syncs: [] },
      spans: [{ name: 'build', durationMs: 40, detail: 'compile' }],
    });
    // New rows keep the whole plan.
    const synced = makeRecord('api', T0 + 1, [{ name: 'sync', ms: 3 }], {
      plan: plan({ syncs: [{ from: '/p/bin/api', to: '/app/api', kind: 'change', output: 'compile' }] }),
    });
    store.record(synced);
    expect(store.updates()[0]!.plan!.syncs[0]!.output).toBe('compile');
  });

  it('ignores records after close', () => {
    const dir = tempDir();
    const { store } = open(dir);
    store.close();
    store.record(imageUpdate(T0) as UpdateRecord);
    const again = open(dir).store;
    expect(again.updates()).toEqual([]);
  });
});
