import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { T0, makeRecord, tempDir } from './__fixtures__/records.js';
import {
  openPredictionLog,
  type SqlitePredictionLog,
  type PredictionLogEvent,
  type PredictionLogOptions,
} from './prediction-log.js';
import { openPredictionReader } from './reader.js';

let dir: string;
let cleanup: () => void;
const opened: SqlitePredictionLog[] = [];

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});

afterEach(async () => {
  for (const log of opened.splice(0)) await log.close().catch(() => undefined);
  cleanup();
});

function open(options: Partial<PredictionLogOptions> = {}): SqlitePredictionLog {
  const log = openPredictionLog({ path: join(dir, 'nested', 'predictions.sqlite'), ...options });
  opened.push(log);
  return log;
}

/** Waits until `condition` holds (polling), or fails after `ms`. */
async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CardwatchError ? error.code : `not a CardwatchError: ${String(error)}`;
  }
  return undefined;
}

describe('openPredictionLog', () => {
  it('creates the parent folder and a WAL-mode database', () => {
    open();
    const path = join(dir, 'nested', 'predictions.sqlite');
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses bad options with the option named', () => {
    expect(() => open({ maxBatch: 0 })).toThrow(/maxBatch/);
    expect(() => open({ flushIntervalMs: -1 })).toThrow(/flushIntervalMs/);
  });

  it('refuses a file that is not a database, as LOG_UNAVAILABLE', async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'predictions.sqlite'), 'this is not sqlite, just text '.repeat(200));
    expect(() => open()).toThrow(expect.objectContaining({ code: 'LOG_UNAVAILABLE' }));
  });
});

describe('append → flush → read back', () => {
  it('returns every field as appended', async () => {
    const log = open();
    const record = makeRecord(1, {
      isFraud: true,
      engine: 'int8',
      topFeatures: [
        { name: 'V14', contribution: 3.5 },
        { name: 'V4', contribution: 1.25 },
      ],
    });
    const features = Array.from(record.features);
    log.append(record);
    expect(log.queueDepth()).toBe(1);
    await log.flush();
    expect(log.queueDepth()).toBe(0);
    expect(log.get(record.predictionId)).toEqual({
      predictionId: record.predictionId,
      createdAt: record.createdAt,
      transactionId: 'tx-1',
      modelVersion: 'ae-test',
      engine: 'int8',
      score: 1.5,
      threshold: 2,
      isFraud: true,
      latencyMs: 0.25,
      features: Float32Array.from(features),
      amount: 11,
      time: 101,
      topFeatures: [
        { name: 'V14', contribution: 3.5 },
        { name: 'V4', contribution: 1.25 },
      ],
      label: null,
      labelledAt: null,
    });
  });

  it('copies features on append, stores missing amount/time/transaction id as null', async () => {
    const log = open();
    const features = new Float32Array(28).fill(1);
    const record = makeRecord(2, { features, amount: undefined, time: NaN, transactionId: undefined });
    log.append(record);
    features.fill(9); // the caller reuses its buffer
    await log.flush();
    const row = log.get(record.predictionId);
    expect(row?.features).toEqual(new Float32Array(28).fill(1));
    expect([row?.amount, row?.time, row?.transactionId]).toEqual([null, null, null]);
  });

  it('refuses malformed records synchronously, before queueing them', () => {
    const log = open();
    expect(() => log.append(makeRecord(1, { features: [1, 2, 3] }))).toThrow('features must hold 28 values');
    expect(() => log.append(makeRecord(1, { score: NaN }))).toThrow('score must be a finite number');
    expect(() => log.append(makeRecord(1, { predictionId: '' }))).toThrow('predictionId');
    expect(log.queueDepth()).toBe(0);
  });

  it('recent is newest first, window oldest first within [since, until), countSince counts', async () => {
    const log = open();
    for (let i = 0; i < 10; i++) log.append(makeRecord(i));
    await log.flush();
    expect(log.recent(3).map((row) => row.transactionId)).toEqual(['tx-9', 'tx-8', 'tx-7']);
    const window = log.window({ since: T0 + 2000, until: new Date(T0 + 5000), limit: 100 });
    expect(window.map((row) => row.transactionId)).toEqual(['tx-2', 'tx-3', 'tx-4']);
    expect(log.window({ limit: 2 }).map((row) => row.transactionId)).toEqual(['tx-0', 'tx-1']);
    expect(log.countSince(T0 + 7000)).toBe(3);
    expect(log.countSince(new Date(T0))).toBe(10);
    expect(codeOf(() => log.window({ limit: 0 }))).toBe('INVALID_INPUT');
    expect(codeOf(() => log.window({ since: T0 + 5, until: T0 }))).toBe('INVALID_INPUT');
  });

  it('the flusher writes without an explicit flush, within a few intervals', async () => {
    const log = open({ flushIntervalMs: 5 });
    log.append(makeRecord(1));
    await until(() => log.stats().written === 1, 1_000);
    expect(log.countSince(0)).toBe(1);
  });
});

describe('batching', () => {
  it('turns 5,000 appends into a handful of transactions', async () => {
    const log = open({ flushIntervalMs: 20, maxBatch: 1_000 });
    for (let i = 0; i < 5_000; i++) log.append(makeRecord(i));
    await until(() => log.queueDepth() === 0);
    const stats = log.stats();
    expect(stats.written).toBe(5_000);
    expect(stats.batches).toBe(5); // 5 × maxBatch, not 5,000 commits
    expect(stats.lastBatchSize).toBe(1_000);
    expect(stats.totalBatchMs).toBeGreaterThan(0);
    expect(log.countSince(0)).toBe(5_000);
  });

  it('appends spread over time are grouped by the flush interval', async () => {
    const log = open({ flushIntervalMs: 30 });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) log.append(makeRecord(round * 100 + i));
      await sleep(60);
    }
    await log.flush();
    expect(log.stats().written).toBe(300);
    expect(log.stats().batches).toBeLessThanOrEqual(6);
  });
});

describe('bounded queue', () => {
  it('refuses with LOG_BACKPRESSURE (503) when full, and hasCapacity says so first', async () => {
    const log = open({ maxQueue: 100, flushIntervalMs: 60_000 });
    expect(log.queueCapacity()).toBe(100);
    for (let i = 0; i < 99; i++) log.append(makeRecord(i));
    expect(log.hasCapacity(1)).toBe(true);
    expect(log.hasCapacity(2)).toBe(false);
    log.append(makeRecord(99));
    expect(log.hasCapacity()).toBe(false);
    let refusal: unknown;
    try {
      log.append(makeRecord(100));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(CardwatchError);
    expect(refusal).toMatchObject({ code: 'LOG_BACKPRESSURE', statusCode: 503 });
    expect(log.stats()).toMatchObject({ appended: 100, refused: 1, queueDepth: 100 });
    await log.flush();
    expect(log.hasCapacity(100)).toBe(true);
    expect(log.countSince(0)).toBe(100);
  });
});

describe('close', () => {
  it('writes everything queued, then refuses appends with LOG_CLOSED', async () => {
    const path = join(dir, 'nested', 'predictions.sqlite');
    const log = open({ flushIntervalMs: 60_000, maxBatch: 500 });
    for (let i = 0; i < 3_000; i++) log.append(makeRecord(i));
    await log.close();
    await log.close(); // idempotent
    expect(codeOf(() => log.append(makeRecord(3_001)))).toBe('LOG_CLOSED');
    expect(codeOf(() => log.countSince(0))).toBe('LOG_CLOSED');
    expect(log.healthy()).toBe(false);
    const reader = openPredictionReader(path);
    expect(reader.countSince(0)).toBe(3_000);
    reader.close();
  });
});

describe('write failures', () => {
  it('a locked database: keeps the records, reports, retries, recovers', async () => {
    const path = join(dir, 'nested', 'predictions.sqlite');
    const events: PredictionLogEvent[] = [];
    const log = open({
      flushIntervalMs: 1,
      busyTimeoutMs: 0,
      retryInitialMs: 10,
      retryMaxMs: 20,
      onError: (event) => events.push(event),
    });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE'); // holds the write lock, like another writer or an operator's shell
    for (let i = 0; i < 50; i++) log.append(makeRecord(i));
    await until(() => log.stats().failedBatches >= 2);
    expect(log.healthy()).toBe(false);
    expect(log.queueDepth()).toBe(50);
    expect(log.stats().written).toBe(0);
    expect(log.stats().lastError).toMatch(/locked|busy/i);
    expect(events[0]).toMatchObject({ kind: 'write-failed', batchSize: 50, consecutiveFailures: 1 });
    await expect(log.flush()).rejects.toMatchObject({ code: 'LOG_UNAVAILABLE' });

    other.exec('COMMIT');
    other.close();
    await until(() => log.queueDepth() === 0);
    expect(log.healthy()).toBe(true);
    expect(log.stats()).toMatchObject({ written: 50, consecutiveFailures: 0 });
    expect(log.window({ limit: 100 }).map((row) => row.transactionId)).toEqual(
      Array.from({ length: 50 }, (_, i) => `tx-${i}`),
    );
  });

  it('a missing table: fails, keeps order, recovers when it is back; a throwing onError is harmless', async () => {
    const path = join(dir, 'nested', 'predictions.sqlite');
    const log = open({
      flushIntervalMs: 1,
      retryInitialMs: 5,
      retryMaxMs: 10,
      onError: () => {
        throw new Error('logger is broken too');
      },
    });
    log.append(makeRecord(0));
    await log.flush();
    const other = new Database(path);
    other.exec('ALTER TABLE predictions RENAME TO predictions_away');
    for (let i = 1; i <= 20; i++) log.append(makeRecord(i));
    await until(() => log.stats().failedBatches >= 2);
    expect(log.stats().lastError).toMatch(/no such table/);
    expect(log.queueDepth()).toBe(20);
    other.exec('ALTER TABLE predictions_away RENAME TO predictions');
    other.close();
    await until(() => log.healthy() && log.queueDepth() === 0);
    expect(log.countSince(0)).toBe(21);
  });

  it('a record the database refuses (duplicate id) is reported, not retried forever', async () => {
    const events: PredictionLogEvent[] = [];
    const log = open({ onError: (event) => events.push(event) });
    const record = makeRecord(1);
    log.append(record);
    log.append({ ...record, transactionId: 'again' });
    log.append(makeRecord(2));
    await log.flush();
    expect(log.stats()).toMatchObject({ written: 2, rejected: 1, queueDepth: 0, failedBatches: 0 });
    expect(log.healthy()).toBe(true);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'record-rejected', predictionId: record.predictionId }),
    ]);
    expect(log.get(record.predictionId)?.transactionId).toBe('tx-1');
  });

  it('close gives up after closeTimeoutMs and says how many records were not written', async () => {
    const path = join(dir, 'nested', 'predictions.sqlite');
    const log = open({
      flushIntervalMs: 60_000,
      busyTimeoutMs: 0,
      retryInitialMs: 10,
      closeTimeoutMs: 50,
    });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 7; i++) log.append(makeRecord(i));
    await expect(log.close()).rejects.toMatchObject({ code: 'LOG_UNAVAILABLE', details: { unwritten: 7 } });
    other.exec('ROLLBACK');
    other.close();
  });
});

describe('feedback', () => {
  it('is stored with its time; the latest label wins, an older late one does not', async () => {
    const log = open();
    const record = makeRecord(1);
    log.append(record);
    await log.flush();
    expect(await log.recordFeedback(record.predictionId, 1, T0 + 10)).toEqual({
      predictionId: record.predictionId,
      label: 1,
      labelledAt: T0 + 10,
    });
    await log.recordFeedback(record.predictionId, 0, T0 + 20);
    const kept = await log.recordFeedback(record.predictionId, 1, T0 + 15); // arrives late, is older
    expect(kept).toMatchObject({ label: 0, labelledAt: T0 + 20 });
    expect(log.get(record.predictionId)).toMatchObject({ label: 0, labelledAt: T0 + 20 });
  });

  it('for a prediction still in the queue: writes it first, then the label', async () => {
    const log = open({ flushIntervalMs: 60_000 });
    const record = makeRecord(1);
    log.append(makeRecord(0));
    log.append(record);
    const feedback = await log.recordFeedback(record.predictionId, 1);
    expect(feedback.label).toBe(1);
    expect(log.queueDepth()).toBe(0);
    expect(log.get(record.predictionId)?.label).toBe(1);
  });

  it('for an unknown prediction: PREDICTION_NOT_FOUND (404); a bad label: INVALID_INPUT', async () => {
    const log = open();
    log.append(makeRecord(1));
    await expect(log.recordFeedback('no-such-id', 1)).rejects.toMatchObject({
      code: 'PREDICTION_NOT_FOUND',
      statusCode: 404,
    });
    await expect(log.recordFeedback(makeRecord(1).predictionId, 2 as 1)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});

describe('openPredictionReader', () => {
  it('refuses a missing file as LOG_UNAVAILABLE naming it', () => {
    const path = join(dir, 'missing.sqlite');
    expect(() => openPredictionReader(path)).toThrow(
      expect.objectContaining({ code: 'LOG_UNAVAILABLE', message: expect.stringContaining(path) }),
    );
  });

  it('reads what the service wrote while the service keeps it open', async () => {
    const log = open();
    for (let i = 0; i < 5; i++) log.append(makeRecord(i));
    await log.flush();
    const reader = openPredictionReader(join(dir, 'nested', 'predictions.sqlite'));
    expect(reader.recent(2).map((row) => row.transactionId)).toEqual(['tx-4', 'tx-3']);
    reader.close();
    expect(codeOf(() => reader.countSince(0))).toBe('LOG_CLOSED');
    expect(log.hasCapacity()).toBe(true);
    await log.close();
    expect(log.hasCapacity()).toBe(false);
  });
});
