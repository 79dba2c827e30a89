// The history database's schema, as a list of migrations. The schema version is SQLite's own
// `PRAGMA user_version`: migration i (1-based) moves a database from version i-1 to i. Each runs
// in one transaction with its version bump, so a crash mid-upgrade leaves the old version intact.
// Never edit a released migration: add the next one.
import type { Database } from 'better-sqlite3';

export type Migration = (db: Database) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 1: updates and their spans. A span's children are rows too (parent = the parent's ordinal),
  // so BuildKit steps inside an image build can be queried like any other step.
  (db) => {
    db.exec(`
      CREATE TABLE updates (
        id INTEGER PRIMARY KEY,
        project TEXT NOT NULL,
        service TEXT NOT NULL,
        kind TEXT NOT NULL,
        outcome TEXT,
        started_at REAL NOT NULL,
        finished_at REAL,
        edit_to_live_ms REAL,
        file_count INTEGER NOT NULL,
        files TEXT NOT NULL,
        plan_full INTEGER,
        plan_reason TEXT,
        error_step TEXT,
        error_message TEXT
      );
      CREATE INDEX updates_by_service ON updates (project, service, started_at);
      CREATE INDEX updates_by_time ON updates (project, started_at);
      CREATE TABLE spans (
        update_id INTEGER NOT NULL REFERENCES updates (id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        parent INTEGER,
        name TEXT NOT NULL,
        started_at REAL NOT NULL,
        duration_ms REAL NOT NULL,
        outcome TEXT NOT NULL,
        bytes INTEGER,
        detail TEXT,
        PRIMARY KEY (update_id, ordinal)
      ) WITHOUT ROWID;
    `);
  },
  // 2: the whole plan, not just its reason: the advisor tells a shipped build output (a binary)
  // from a synced source file by the plan's sync operations.
  (db) => {
    db.exec('ALTER TABLE updates ADD COLUMN plan_json TEXT');
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings `db` up to `migrations.length` and returns the version it found. Throws when the
 * database is newer than this pitstop (a later version wrote it): an older program must not
 * guess at a schema it does not know.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const from = schemaVersion(db);
  if (from > migrations.length) throw new NewerSchemaError(from, migrations.length);
  // The version is read again under the write lock: another pitstop (a `report` next to `up`)
  // may be upgrading the same file at this moment.
  for (;;) {
    const applied = db
      .transaction(() => {
        const version = schemaVersion(db);
        if (version > migrations.length) throw new NewerSchemaError(version, migrations.length);
        if (version === migrations.length) return false;
        migrations[version]!(db);
        db.pragma(`user_version = ${version + 1}`);
        return true;
      })
      .immediate();
    if (!applied) return from;
  }
}

export class NewerSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`history.db has schema version ${found}; this pitstop knows up to ${known}`);
    this.name = 'NewerSchemaError';
  }
}
