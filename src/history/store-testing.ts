// Helpers for the store tests: throwaway state folders, stores that close themselves, raw SQL.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type Sqlite from 'better-sqlite3';
import { afterEach } from 'vitest';
import { openHistory } from './sqlite-store.js';
import { makeRecord, plan } from './testing.js';
import type { HistoryOptions } from './types.js';

export const Database = createRequire(import.meta.url)('better-sqlite3') as typeof Sqlite;
const dirs: string[] = [];
const stores: { close(): void }[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export const T0 = 1_700_000_000_000;

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitstop-history-'));
  dirs.push(dir);
  return dir;
}

/** A store closed after the test, with the problems it reported. */
export function open(stateDir: string, extra: Partial<HistoryOptions> = {}) {
  const problems: string[] = [];
  const store = openHistory({
    stateDir,
    project: 'shop',
    onProblem: (m) => problems.push(m),
    // The records below are from 2023: a clock of that time keeps the 30-day retention out of the way.
    now: () => T0 + 86_400_000,
    ...extra,
  });
  closeAfter(store);
  return { store, problems };
}

export function closeAfter(store: { close(): void }): void {
  stores.push(store);
}

/** A full rebuild of `api` with an image build and its BuildKit sub-steps. */
export const imageUpdate = (at: number) =>
  makeRecord(
    'api',
    at,
    [
      { name: 'detect', ms: 11.5, detail: '1 file(s)' },
      { name: 'plan', ms: 0.2, detail: 'main.go is not covered by any live_update rule or build input' },
      {
        name: 'image',
        ms: 2100,
        detail: 'pitstop/shop-api:abc',
        children: [
          { name: 'image', ms: 40, outcome: 'cached', detail: '[1/3] FROM node:20' },
          { name: 'image', ms: 1900, detail: '[2/3] RUN npm ci' },
        ],
      },
      { name: 'start', ms: 300, detail: 'c0ffee' },
      { name: 'ready', ms: 25 },
    ],
    {
      files: ['/p/api/main.go'],
      plan: plan({ full: true, reason: 'main.go is not covered by any live_update rule or build input' }),
    },
  );

/** Rows of a query on `file`, through a connection of its own. */
export const rows = (file: string, sql: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};
