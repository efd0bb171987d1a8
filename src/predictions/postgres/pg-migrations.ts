/**
 * The PostgreSQL schema of the prediction log: the same tables and meaning as the SQLite one (migrations 1–3
 * there), as PostgreSQL types, tracked in a one-row `cardwatch_schema` table. Several processes may start
 * at once against one database: an advisory lock held for the migration transaction makes them take turns,
 * and each re-reads the version under the lock.
 *
 * Append new migrations at the end; never edit a released one.
 */
import type { PoolClient } from 'pg';
import { CardwatchError, describeError } from '../../util/errors.js';
import { FEATURES_BLOB_BYTES } from '../features.js';

export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'predictions and feedback tables, stream transaction ids unique',
    // Times are BIGINT ms since the epoch (as in SQLite), features the same 112-byte float32 LE BYTEA, so one
    // row decodes the same from either database.
    sql: `
      CREATE TABLE predictions (
        prediction_id  TEXT             NOT NULL PRIMARY KEY,
        created_at     BIGINT           NOT NULL,
        transaction_id TEXT,
        model_version  TEXT             NOT NULL,
        engine         TEXT             NOT NULL CHECK (engine IN ('float32', 'int8')),
        score          DOUBLE PRECISION NOT NULL,
        threshold      DOUBLE PRECISION NOT NULL,
        is_fraud       BOOLEAN          NOT NULL,
        latency_ms     DOUBLE PRECISION NOT NULL,
        features       BYTEA            NOT NULL CHECK (octet_length(features) = ${FEATURES_BLOB_BYTES}),
        amount         DOUBLE PRECISION,
        time           DOUBLE PRECISION,
        top_features   TEXT,
        source         TEXT             NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'stream'))
      );
      CREATE INDEX predictions_by_time ON predictions (created_at, prediction_id);
      CREATE UNIQUE INDEX predictions_stream_transaction ON predictions (transaction_id)
        WHERE source = 'stream';
      CREATE TABLE feedback (
        prediction_id TEXT     NOT NULL PRIMARY KEY REFERENCES predictions (prediction_id) ON DELETE CASCADE,
        label         SMALLINT NOT NULL CHECK (label IN (0, 1)),
        labelled_at   BIGINT   NOT NULL
      );
      CREATE INDEX feedback_by_time ON feedback (labelled_at, prediction_id);
    `,
  },
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Any constant: the key of the advisory lock that serialises migrations of cardwatch databases. */
const MIGRATION_LOCK = 7_461_836_201;

export async function pgSchemaVersion(client: PoolClient): Promise<number> {
  const exists = await client.query<{ present: boolean }>(
    "SELECT to_regclass('cardwatch_schema') IS NOT NULL AS present",
  );
  if (exists.rows[0]?.present !== true) return 0;
  const result = await client.query<{ version: number }>('SELECT version FROM cardwatch_schema');
  return result.rows[0]?.version ?? 0;
}

/** Brings the database up to the last migration; refuses one newer than this code. */
export async function migratePostgres(
  client: PoolClient,
  label: string,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<{ from: number; to: number }> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS cardwatch_schema (id INT PRIMARY KEY CHECK (id = 1), version INT NOT NULL)',
    );
    await client.query(
      'INSERT INTO cardwatch_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING',
    );
    const from = await pgSchemaVersion(client);
    if (from > migrations.length) {
      throw new CardwatchError(
        'LOG_UNAVAILABLE',
        `${label} has schema version ${from}, newer than this cardwatch understands (${migrations.length}); upgrade cardwatch`,
      );
    }
    for (const migration of migrations.slice(from)) {
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new CardwatchError(
          'LOG_UNAVAILABLE',
          `${label}: migration ${migration.version} (${migration.name}) failed: ${describeError(error)}`,
          { cause: error },
        );
      }
      await client.query('UPDATE cardwatch_schema SET version = $1', [migration.version]);
    }
    await client.query('COMMIT');
    return { from, to: migrations.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
