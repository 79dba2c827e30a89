// The store when things go wrong: a file that is no database, damaged pages, a lock that is
// never released, a folder that cannot hold a database, a newer schema, a throwing reporter.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from './migrations.js';
import { SqliteHistoryStore } from './sqlite-store.js';
import { closeAfter, Database, imageUpdate, open, rows, T0, tempDir } from './store-testing.js';

describe('SqliteHistoryStore when the database is unusable', () => {
  it('leaves a database of a newer pitstop alone and keeps history in memory', () => {
    const dir = tempDir();
    const file = path.join(dir, 'history.db');
    const newer = new Database(file);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    const { store, problems } = open(dir);
    expect(store.location).toBe('memory');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/schema version/);
    store.record(imageUpdate(T0));
    expect(store.updates()).toHaveLength(1);
    expect(fs.readdirSync(dir)).toEqual(['history.db']);
  });

  it('moves a file that is not a database aside, once, and starts a fresh one', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'history.db'), 'this is not a database '.repeat(400));
    const { store, problems } = open(dir, { now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/moved it to .*history\.db\.corrupt-2026-01-02T03-04-05-000Z/);
    expect(fs.existsSync(path.join(dir, 'history.db.corrupt-2026-01-02T03-04-05-000Z'))).toBe(true);
    expect(store.location).toBe(path.join(dir, 'history.db'));
    store.record(imageUpdate(Date.UTC(2026, 0, 2, 3, 4, 0)));
    expect(store.updates()).toHaveLength(1);
  });

  it('recovers from pages damaged after the database was opened', () => {
    const dir = tempDir();
    const file = path.join(dir, 'history.db');
    const first = open(dir).store;
    for (let i = 0; i < 200; i++) first.record(imageUpdate(T0 + i * 10_000));
    first.close();
    // Keep the header and schema page; scribble over the table pages.
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, 8192);
    fs.writeFileSync(file, bytes);
    const { store, problems } = open(dir);
    expect(() => store.updates()).not.toThrow();
    store.record(imageUpdate(T0));
    expect(store.updates()).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/unusable .*moved it to/);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('history.db.corrupt-'))).toBe(true);
  });

  it('retries a write that finds the database locked for a moment, and loses nothing', async () => {
    const dir = tempDir();
    const { store, problems } = open(dir, { busyTimeoutMs: 20 });
    store.record(imageUpdate(T0));
    store.flush();
    const holder = new Database(path.join(dir, 'history.db'));
    holder.exec('BEGIN EXCLUSIVE');
    store.record(imageUpdate(T0 + 1));
    store.flush();
    holder.exec('COMMIT');
    holder.close();
    // Not written yet: the store waits a moment before it tries again.
    expect(rows(path.join(dir, 'history.db'), 'SELECT id FROM updates')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(rows(path.join(dir, 'history.db'), 'SELECT id FROM updates')).toHaveLength(2);
    expect(store.updates().map((r) => r.startedAt)).toEqual([T0 + 1, T0]);
    expect(problems).toEqual([]);
  });

  it('moves a database locked by another process aside', () => {
    const dir = tempDir();
    const file = path.join(dir, 'history.db');
    const holder = new Database(file);
    holder.pragma('journal_mode = DELETE');
    holder.exec('CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)');
    try {
      const { store, problems } = open(dir, { busyTimeoutMs: 50 });
      expect(problems[0]).toMatch(/locked/);
      store.record(imageUpdate(T0));
      expect(store.updates()).toHaveLength(1);
    } finally {
      holder.close();
    }
  });

  it('falls back to memory when no database can be created, and never throws', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'not-a-folder'), '');
    const { store, problems } = open(path.join(dir, 'not-a-folder', 'state'));
    expect(store.location).toBe('memory');
    expect(problems).toHaveLength(1);
    for (let i = 0; i < 3; i++) store.record(imageUpdate(T0 + i));
    store.flush();
    expect(store.updates({ limit: 2 }).map((r) => r.startedAt)).toEqual([T0 + 2, T0 + 1]);
    expect(store.services()).toEqual(['api']);
  });

  it('leaves alone what SQLite cannot open at all (here a folder), keeping history in memory', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'history.db'));
    const { store, problems } = open(dir);
    expect(store.location).toBe('memory');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/cannot open .*keeping it in memory/);
    expect(fs.readdirSync(dir)).toEqual(['history.db']);
  });

  it('survives a reporter that throws', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'history.db'), 'garbage'.repeat(1000));
    const store = new SqliteHistoryStore({
      stateDir: dir,
      project: 'shop',
      onProblem: () => {
        throw new Error('boom');
      },
    });
    closeAfter(store);
    store.record(imageUpdate(Date.now()));
    expect(store.updates()).toHaveLength(1);
  });
});
