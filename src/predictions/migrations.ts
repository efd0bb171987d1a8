/**
 * The schema of the prediction log, as an ordered list of migrations tracked by `PRAGMA user_version` (an
 * integer in the database header: no bookkeeping table to keep consistent, and it is transactional, so a
 * migration and its version bump commit together or not at all).
 *
 * Append new migrations at the end; never edit a released one, since databases in the field have run it.
 */
import type { Database } from 'better-sqlite3';
import { CardwatchError, describeError } from '../util/errors.js';
import { FEATURES_BLOB_BYTES } from './features.js';

export interface Migration {
  /** 1, 2, 3 …: the `user_version` after this migration. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'predictions table',
    // WITHOUT ROWID keyed by the (time-ordered) prediction id: rows live in the primary-key B-tree itself,
    // so an insert touches two B-trees (table, time index) instead of three (rowid table, id index, time index).
    sql: `
      CREATE TABLE predictions (
        prediction_id  TEXT    NOT NULL PRIMARY KEY,
        created_at     INTEGER NOT NULL,  -- ms since the Unix epoch, UTC
        transaction_id TEXT,
        model_version  TEXT    NOT NULL,
        engine         TEXT    NOT NULL CHECK (engine IN ('float32', 'int8')),
        score          REAL    NOT NULL,
        threshold      REAL    NOT NULL,
        is_fraud       INTEGER NOT NULL CHECK (is_fraud IN (0, 1)),
        latency_ms     REAL    NOT NULL,
        features       BLOB    NOT NULL CHECK (length(features) = ${FEATURES_BLOB_BYTES}),  -- V1..V28 float32 LE
        amount         REAL,
        time           REAL,
        top_features   TEXT               -- JSON [{"name": "V14", "contribution": 3.2}, …]
      ) WITHOUT ROWID;
      -- Every read is by time range; the id makes the order total, for keyset paging.
      CREATE INDEX predictions_by_time ON predictions (created_at, prediction_id);
    `,
  },
  {
    version: 2,
    name: 'feedback table',
    // A table apart rather than columns on predictions: the big table stays append-only (no updates of old
    // pages), and a label can be overwritten without touching the prediction.
    sql: `
      CREATE TABLE feedback (
        prediction_id TEXT    NOT NULL PRIMARY KEY
                              REFERENCES predictions (prediction_id) ON DELETE CASCADE,
        label         INTEGER NOT NULL CHECK (label IN (0, 1)),
        labelled_at   INTEGER NOT NULL  -- ms since the Unix epoch, UTC
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'stream decisions keyed by transaction id',
    // `cardwatch stream` delivers at least once: a redelivered transaction must not get a second row. A partial
    // unique index makes the stream's transaction ids unique without constraining the API, whose clients may
    // score the same transaction id twice on purpose.
    sql: `
      ALTER TABLE predictions ADD COLUMN source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'stream'));
      CREATE UNIQUE INDEX predictions_stream_transaction ON predictions (transaction_id) WHERE source = 'stream';
    `,
  },
];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
}

/** The database's `user_version`. */
export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database up to the last migration. Idempotent: an up-to-date database is left alone. Each step
 * runs in its own IMMEDIATE transaction and re-reads the version inside it, so two processes opening the
 * same file at once cannot both apply a step. A database newer than this code is refused, not downgraded.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  label = 'the prediction log',
): MigrationResult {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
    }
  });
  const latest = migrations.length;
  const from = schemaVersion(db);
  if (from > latest) {
    throw new CardwatchError(
      'LOG_UNAVAILABLE',
      `${label} has schema version ${from}, newer than this cardwatch understands (${latest}); upgrade cardwatch`,
    );
  }
  const step = db.transaction((): boolean => {
    const current = schemaVersion(db);
    const next = migrations[current];
    if (next === undefined) return false;
    try {
      db.exec(next.sql);
    } catch (error) {
      throw new CardwatchError(
        'LOG_UNAVAILABLE',
        `${label}: migration ${next.version} (${next.name}) failed: ${describeError(error)}`,
        { cause: error },
      );
    }
    // Pragmas take no bound parameters; the version is an integer we produced.
    db.pragma(`user_version = ${next.version}`);
    return true;
  });
  while (step.immediate()) {
    // One migration per transaction, until none is left.
  }
  return { from, to: schemaVersion(db) };
}
