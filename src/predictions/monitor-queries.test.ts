import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRecord, T0, tempDir } from './__fixtures__/records.js';
import { openReadonlyDatabase } from './database.js';
import { hasMonitorReads, readMonitorWindow, readMonitorWindowSql } from './monitor-queries.js';
import { openPredictionLog } from './prediction-log.js';
import { openPredictionReader } from './reader.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function logWith(count: number): Promise<{ path: string; ids: string[] }> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const path = join(dir, 'predictions.sqlite');
  const log = openPredictionLog({ path });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const record = makeRecord(i, i === 3 ? { amount: null } : {});
    ids.push(record.predictionId);
    log.append(record);
  }
  await log.flush();
  await log.recordFeedback(ids[4]!, 1);
  await log.recordFeedback(ids[5]!, 0);
  await log.close();
  return { path, ids };
}

describe('readMonitorWindow', () => {
  it('the newest N, column-wise, with labels (-1 = none) and NaN for a missing amount', async () => {
    const { path } = await logWith(8);
    const reader = openPredictionReader(path);
    try {
      expect(hasMonitorReads(reader)).toBe(true);
      const window = await readMonitorWindow(reader, { limit: 5 });
      expect(window.rows).toBe(5);
      // Newest first: records 7, 6, 5, 4, 3.
      expect(Array.from(window.score)).toEqual([7.5, 6.5, 5.5, 4.5, 3.5]);
      expect(Array.from(window.label)).toEqual([-1, -1, 0, 1, -1]);
      expect(Array.from(window.isFraud)).toEqual([1, 1, 1, 1, 1]);
      expect(window.amount[4]).toBeNaN();
      expect(window.amount[0]).toBe(17);
      // V1 of record 7 is 7 + 1/8; V28 is 7 + 28/8.
      expect(window.features[0]).toBe(7.125);
      expect(window.features[27]).toBe(10.5);
      expect(window.modelVersion[0]).toBe('ae-test');
    } finally {
      reader.close();
    }
  });

  it('a time range, oldest first, at most limit rows', async () => {
    const { path } = await logWith(8);
    const reader = openPredictionReader(path);
    try {
      const window = await readMonitorWindow(reader, { limit: 3, since: T0 + 2000, until: T0 + 7000 });
      expect(Array.from(window.score)).toEqual([2.5, 3.5, 4.5]);
      expect(Array.from(window.createdAt)).toEqual([T0 + 2000, T0 + 3000, T0 + 4000]);
    } finally {
      reader.close();
    }
  });

  it('the one-query SQLite version reads exactly the same windows', async () => {
    const { path } = await logWith(8);
    const reader = openPredictionReader(path);
    const db = openReadonlyDatabase(path, { busyTimeoutMs: 100 });
    try {
      for (const query of [
        { limit: 5 },
        { limit: 100 },
        { limit: 3, since: T0 + 2000 },
        { limit: 9, since: T0, until: T0 + 4500 },
      ]) {
        expect(readMonitorWindowSql(db, query)).toEqual(await readMonitorWindow(reader, query));
      }
      expect(readMonitorWindowSql(db, { limit: 2 }).label).toEqual(Int8Array.from([-1, -1]));
    } finally {
      db.close();
      reader.close();
    }
  });

  it('knows a log without reads', () => {
    expect(hasMonitorReads(null)).toBe(false);
    expect(hasMonitorReads({ append: () => undefined })).toBe(false);
  });
});
