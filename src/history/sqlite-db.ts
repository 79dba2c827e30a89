// The history database itself: opening (WAL, migrations), prepared statements, batched
// inserts, queries and pruning. Every method may throw; src/history/sqlite-store.ts decides
// what an error means (corrupt, locked, full) and keeps pitstop running whatever happens.
import { createRequire } from 'node:module';
import type Sqlite from 'better-sqlite3';
import type { UpdateRecord } from '../model/update.js';
import { migrate } from './migrations.js';
import { buildSpans, flattenSpans, type SpanRow, toRecord, type UpdateRow, updateValues } from './rows.js';
import type { UpdateQuery } from './types.js';

type Statement = Sqlite.Statement<unknown[]>;

// Loaded on first use, through require: a missing or broken native module then surfaces as an
// error the store can fall back from, instead of failing the import of everything that uses it.
let driver: typeof Sqlite | undefined;
function loadDriver(): typeof Sqlite {
  driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof Sqlite;
  return driver;
}

const INSERT_UPDATE = `INSERT INTO updates (project, service, kind, outcome, started_at, finished_at,
  edit_to_live_ms, file_count, files, plan_full, plan_reason, plan_json, error_step, error_message)
  VALUES (${Array(14).fill('?').join(', ')})`;

const INSERT_SPAN = `INSERT INTO spans (update_id, ordinal, parent, name, started_at, duration_ms,
  outcome, bytes, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export class HistoryDb {
  readonly #db: Sqlite.Database;
  readonly #insertUpdate: Statement;
  readonly #insertSpan: Statement;
  readonly #spansOf: Statement;
  readonly #statements = new Map<string, Statement>();

  /**
   * Opens (creating when missing) and upgrades the database at `file`. Opening may wait
   * `openTimeoutMs` for another process's lock (it is not on any update's path); afterwards a
   * write waits at most `busyTimeoutMs`, because better-sqlite3 waits synchronously and the
   * event loop must not stall while an update runs.
   */
  constructor(file: string, busyTimeoutMs = 250, openTimeoutMs = 2_000) {
    const Database = loadDriver();
    const db = new Database(file, { timeout: openTimeoutMs });
    try {
      // Readers (a `pitstop report` next to `up`) never block the writer and the other way
      // round; NORMAL sync in WAL mode loses at most the last commits on power loss, never
      // consistency — fine for timings, and it keeps fsync off every insert.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
      db.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
      this.#insertUpdate = db.prepare(INSERT_UPDATE);
      this.#insertSpan = db.prepare(INSERT_SPAN);
      this.#spansOf = db.prepare(
        'SELECT * FROM spans WHERE update_id IN (SELECT value FROM json_each(?)) ORDER BY update_id, ordinal',
      );
    } catch (err) {
      db.close();
      throw err;
    }
    this.#db = db;
  }

  /** Writes `records` in one transaction: all of them or none. */
  insert(project: string, records: readonly UpdateRecord[]): void {
    this.#db
      .transaction(() => {
        for (const record of records) {
          const { lastInsertRowid } = this.#insertUpdate.run(...updateValues(project, record));
          for (const s of flattenSpans(record.spans)) {
            this.#insertSpan.run(
              lastInsertRowid,
              s.ordinal,
              s.parent,
              s.name,
              s.started_at,
              s.duration_ms,
              s.outcome,
              s.bytes,
              s.detail,
            );
          }
        }
      })
      .immediate();
  }

  query(project: string, q: UpdateQuery = {}): UpdateRecord[] {
    const where = ['project = ?'];
    const args: unknown[] = [project];
    if (q.service !== undefined) {
      where.push('service = ?');
      args.push(q.service);
    }
    if (q.since !== undefined) {
      where.push('started_at >= ?');
      args.push(q.since);
    }
    if (q.until !== undefined) {
      where.push('started_at < ?');
      args.push(q.until);
    }
    let sql = `SELECT * FROM updates WHERE ${where.join(' AND ')} ORDER BY started_at DESC, id DESC`;
    if (q.limit !== undefined) {
      sql += ' LIMIT ?';
      args.push(Math.max(0, Math.floor(q.limit)));
    }
    const rows = this.#statement(sql).all(...args) as UpdateRow[];
    if (rows.length === 0) return [];
    const spanRows = this.#spansOf.all(JSON.stringify(rows.map((r) => r.id))) as SpanRow[];
    const byUpdate = new Map<number, SpanRow[]>();
    for (const row of spanRows) {
      const list = byUpdate.get(row.update_id) ?? [];
      byUpdate.set(row.update_id, list);
      list.push(row);
    }
    return rows.map((row) => toRecord(row, buildSpans(byUpdate.get(row.id) ?? [])));
  }

  services(project: string): string[] {
    const rows = this.#statement(
      'SELECT DISTINCT service FROM updates WHERE project = ? ORDER BY service',
    ).all(project) as { service: string }[];
    return rows.map((r) => r.service);
  }

  /**
   * Keeps the newest `maxUpdates` of `project` and nothing started before `cutoff`; returns how
   * many updates went (their spans go with them, by the foreign key's cascade).
   */
  prune(project: string, maxUpdates: number, cutoff?: number): number {
    return this.#db
      .transaction(() => {
        let removed = 0;
        if (cutoff !== undefined) {
          removed += this.#statement('DELETE FROM updates WHERE project = ? AND started_at < ?').run(
            project,
            cutoff,
          ).changes;
        }
        const edge = this.#statement(
          'SELECT started_at, id FROM updates WHERE project = ? ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET ?',
        ).get(project, maxUpdates) as { started_at: number; id: number } | undefined;
        if (edge) {
          removed += this.#statement(
            'DELETE FROM updates WHERE project = ? AND (started_at < ? OR (started_at = ? AND id <= ?))',
          ).run(project, edge.started_at, edge.started_at, edge.id).changes;
        }
        return removed;
      })
      .immediate();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #statement(sql: string): Statement {
    const cached = this.#statements.get(sql);
    if (cached) return cached;
    const statement = this.#db.prepare(sql);
    this.#statements.set(sql, statement);
    return statement;
  }
}
