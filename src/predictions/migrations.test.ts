import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRecord, tempDir } from './__fixtures__/records.js';
import { encodeFeatures } from './features.js';
import { MIGRATIONS, SCHEMA_VERSION, migrate, schemaVersion, type Migration } from './migrations.js';
import { openPredictionLog } from './prediction-log.js';
import { openPredictionReader } from './reader.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

function tables(db: Database.Database): string[] {
  return db
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all();
}

describe('migrate', () => {
  it('builds an empty database up to the last version, and a second run changes nothing', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toEqual({ from: 0, to: SCHEMA_VERSION });
    expect(tables(db)).toEqual(['feedback', 'predictions']);
    expect(migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    db.close();
  });

  it('opening a version-1 log (no feedback table) migrates it and keeps its rows', async () => {
    const path = join(dir, 'old.sqlite');
    const old = new Database(path);
    migrate(old, MIGRATIONS.slice(0, 1));
    expect(schemaVersion(old)).toBe(1);
    const record = makeRecord(3);
    old
      .prepare(
        `INSERT INTO predictions (prediction_id, created_at, model_version, engine, score, threshold, is_fraud,
           latency_ms, features) VALUES (?, ?, 'ae-old', 'float32', 0.5, 1, 0, 1.5, ?)`,
      )
      .run(record.predictionId, record.createdAt, encodeFeatures(Float32Array.from(record.features)));
    old.close();

    // The read-only reader refuses the old schema with what to do...
    expect(() => openPredictionReader(path)).toThrow(/schema version 1.*start the scoring service once/);
    // ...and the service migrates it on open.
    const log = openPredictionLog({ path });
    expect(log.get(record.predictionId)).toMatchObject({ modelVersion: 'ae-old', label: null });
    await log.recordFeedback(record.predictionId, 1, 123);
    expect(log.get(record.predictionId)).toMatchObject({ label: 1, labelledAt: 123 });
    await log.close();
    const check = new Database(path, { readonly: true });
    expect(schemaVersion(check)).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('refuses a database newer than the code', () => {
    const path = join(dir, 'new.sqlite');
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openPredictionLog({ path })).toThrow(
      new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this cardwatch`),
    );
  });

  it('a failing migration rolls back with its version bump, and names itself', () => {
    const db = new Database(':memory:');
    const broken: Migration[] = [
      MIGRATIONS[0],
      { version: 2, name: 'half done', sql: 'CREATE TABLE half (x); SELECT * FROM missing_table;' },
    ];
    expect(() => migrate(db, broken)).toThrow(/migration 2 \(half done\) failed: no such table/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['predictions']);
    db.close();
  });

  it('refuses a migration list with a gap', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ ...MIGRATIONS[0], version: 2 }])).toThrow('expected 1');
    db.close();
  });
});
