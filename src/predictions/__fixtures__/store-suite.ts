/**
 * The one behaviour suite of the prediction store, run against every backend (sklearn's `check_estimator`
 * habit): `store.sqlite.test.ts` and `store.postgres.test.ts` call `describeStore` with their own factory.
 */
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readMonitorWindow } from '../monitor-queries.js';
import type { OpenStoreOptions } from '../open-store.js';
import type { PredictionLogEvent } from '../prediction-log.js';
import type { PredictionStore } from '../store.js';
import { T0, makeRecord } from './records.js';

/** Opens a store on a fresh, empty database; `sameDatabase` opens another store on the last one. */
export interface StoreFactory {
  open(options?: OpenStoreOptions): Promise<PredictionStore>;
  sameDatabase(options?: OpenStoreOptions): Promise<PredictionStore>;
}

async function until(condition: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

function streamRecord(i: number, overrides: Parameters<typeof makeRecord>[1] = {}) {
  return makeRecord(i, { transactionId: `stream-${i}`, ...overrides });
}

/** `skip`: the backend's server is not installed here (see src/testing/availability.ts). */
export function describeStore(name: string, skip: boolean, factory: () => StoreFactory): void {
  describe.skipIf(skip)(`prediction store: ${name}`, () => {
    it('append → flush → get returns every field; window, recent and countSince agree', async () => {
      const store = await factory().open();
      try {
        const record = makeRecord(1, {
          isFraud: true,
          engine: 'int8',
          topFeatures: [{ name: 'V14', contribution: 3.25 }],
        });
        store.append(record);
        for (let i = 2; i <= 5; i++) store.append(makeRecord(i, { amount: null, time: null }));
        await store.flush();
        const row = await store.get(record.predictionId);
        expect(row).toMatchObject({
          predictionId: record.predictionId,
          createdAt: record.createdAt,
          transactionId: 'tx-1',
          modelVersion: 'ae-test',
          engine: 'int8',
          score: 1.5,
          threshold: 2,
          isFraud: true,
          latencyMs: 0.25,
          amount: 11,
          time: 101,
          topFeatures: [{ name: 'V14', contribution: 3.25 }],
          label: null,
          labelledAt: null,
        });
        expect(Array.from(row?.features ?? [])).toEqual(Array.from(record.features));
        expect(await store.get('no-such-id')).toBeNull();
        const window = await store.window({ since: T0 + 2_000, until: T0 + 5_000 });
        expect(window.map((r) => r.transactionId)).toEqual(['tx-2', 'tx-3', 'tx-4']);
        expect(window[0]).toMatchObject({ amount: null, time: null, topFeatures: null });
        expect((await store.recent(2)).map((r) => r.transactionId)).toEqual(['tx-5', 'tx-4']);
        expect(await store.countSince(T0 + 3_000)).toBe(3);
        expect(store.stats()).toMatchObject({ appended: 5, written: 5, queueDepth: 0 });
        expect(store.healthy()).toBe(true);
      } finally {
        await store.close();
      }
    });

    it('the flusher writes without an explicit flush', async () => {
      const store = await factory().open({ flushIntervalMs: 2 });
      try {
        store.append(makeRecord(1));
        await until(async () => (await store.countSince(0)) === 1);
      } finally {
        await store.close();
      }
    });

    it('refuses with LOG_BACKPRESSURE when the queue is full, and hasCapacity says so first', async () => {
      const store = await factory().open({ maxQueue: 3, flushIntervalMs: 60_000 });
      try {
        expect(store.queueCapacity()).toBe(3);
        for (let i = 0; i < 3; i++) store.append(makeRecord(i));
        expect(store.hasCapacity()).toBe(false);
        expect(store.queueDepth()).toBe(store.queueCapacity());
        expect(() => store.append(makeRecord(9))).toThrow(
          expect.objectContaining({ code: 'LOG_BACKPRESSURE' }),
        );
        expect(store.stats().refused).toBe(1);
        await store.flush();
        expect(store.hasCapacity(3)).toBe(true);
      } finally {
        await store.close();
      }
    });

    it('close writes everything queued, then refuses appends with LOG_CLOSED', async () => {
      const f = factory();
      const store = await f.open({ flushIntervalMs: 60_000 });
      for (let i = 0; i < 1_200; i++) store.append(makeRecord(i));
      await store.close();
      expect(() => store.append(makeRecord(5_000))).toThrow(expect.objectContaining({ code: 'LOG_CLOSED' }));
      expect(store.healthy()).toBe(false);
      const again = await f.sameDatabase();
      try {
        expect(await again.countSince(0)).toBe(1_200);
      } finally {
        await again.close();
      }
    });

    it('a duplicate prediction id is reported once and not retried; the rest of the batch commits', async () => {
      const events: PredictionLogEvent[] = [];
      const store = await factory().open({ onError: (event) => events.push(event) });
      try {
        const record = makeRecord(1);
        store.append(record);
        await store.flush();
        store.append(record);
        store.append(makeRecord(2));
        await store.flush();
        expect(await store.countSince(0)).toBe(2);
        expect(events.map((e) => e.kind)).toEqual(['record-rejected']);
        expect(store.stats()).toMatchObject({ rejected: 1, written: 2, queueDepth: 0 });
      } finally {
        await store.close();
      }
    });

    it('feedback: the latest label wins, a queued prediction is written first, unknown ids are 404', async () => {
      const store = await factory().open({ flushIntervalMs: 60_000 });
      try {
        const record = makeRecord(1);
        store.append(record);
        // Still queued: recordFeedback writes it first.
        expect(await store.recordFeedback(record.predictionId, 1, T0 + 10)).toEqual({
          predictionId: record.predictionId,
          label: 1,
          labelledAt: T0 + 10,
        });
        expect(await store.recordFeedback(record.predictionId, 0, T0 + 5)).toMatchObject({ label: 1 });
        expect(await store.recordFeedback(record.predictionId, 0, T0 + 20)).toMatchObject({ label: 0 });
        expect(await store.get(record.predictionId)).toMatchObject({ label: 0, labelledAt: T0 + 20 });
        await expect(store.recordFeedback('missing', 1)).rejects.toMatchObject({
          code: 'PREDICTION_NOT_FOUND',
        });
        await expect(store.recordFeedback(record.predictionId, 7 as 0)).rejects.toMatchObject({
          code: 'INVALID_INPUT',
        });
        const labelled = await store.labelled({ since: T0, until: T0 + 100 });
        expect(labelled.map((r) => [r.predictionId, r.label])).toEqual([[record.predictionId, 0]]);
        expect(await store.labelled({ since: T0 + 21 })).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('exports CSV with the same header and one line per prediction', async () => {
      const store = await factory().open();
      try {
        for (let i = 0; i < 5; i++) store.append(makeRecord(i));
        await store.flush();
        const out = new PassThrough();
        let text = '';
        out.on('data', (chunk: Buffer) => (text += chunk.toString()));
        const { rows } = await store.exportCsv({ since: T0 + 1_000 }, out);
        expect(rows).toBe(4);
        const lines = text.trim().split('\n');
        expect(lines[0]).toMatch(/^prediction_id,created_at,transaction_id,/);
        expect(lines.slice(1).map((line) => line.split(',')[2])).toEqual(['tx-1', 'tx-2', 'tx-3', 'tx-4']);
        expect(lines[1]).toContain(',float32,1.5,2,0,0.25,,1.125,');
      } finally {
        await store.close();
      }
    });

    it('logDecisions is idempotent by transaction id: a redelivery returns the first decision', async () => {
      const store = await factory().open();
      try {
        const first = await store.logDecisions([streamRecord(1), streamRecord(2)]);
        expect(first.inserted).toBe(2);
        const original = first.decisions.get('stream-1');
        expect(original).toMatchObject({ transactionId: 'stream-1', score: 1.5, isFraud: false });
        // Redelivered, rescored differently (e.g. by a newer model), and a duplicate inside one batch.
        const again = await store.logDecisions([
          streamRecord(1, { predictionId: 'p-new', score: 99, isFraud: true, modelVersion: 'ae-2' }),
          streamRecord(3),
          streamRecord(3, { predictionId: 'p-dup' }),
        ]);
        expect(again.inserted).toBe(1);
        expect(again.decisions.get('stream-1')).toEqual(original);
        expect(again.decisions.get('stream-3')).toMatchObject({ transactionId: 'stream-3' });
        expect(await store.countDecisions()).toBe(3);
        expect(await store.get('p-new')).toBeNull();
        expect((await store.decisionsFor(['stream-2', 'nope'])).size).toBe(1);
        // The API may log the same transaction id as often as clients send it.
        store.append(makeRecord(1, { transactionId: 'stream-1' }));
        await store.flush();
        expect(await store.countDecisions()).toBe(3);
        await expect(store.logDecisions([makeRecord(4, { transactionId: null })])).rejects.toThrow(
          /transactionId/,
        );
      } finally {
        await store.close();
      }
    });

    it('two stores on one database racing on the same transactions log each exactly once', async () => {
      const f = factory();
      const a = await f.open();
      const b = await f.sameDatabase();
      try {
        const batch = (tag: string) =>
          Array.from({ length: 300 }, (_, i) =>
            streamRecord(i, { predictionId: `${tag}-${i}`, modelVersion: `model-${tag}` }),
          );
        const [ra, rb] = await Promise.all([a.logDecisions(batch('a')), b.logDecisions(batch('b'))]);
        expect(ra.inserted + rb.inserted).toBe(300);
        expect(await a.countDecisions()).toBe(300);
        // Both saw the same winner for every transaction.
        for (let i = 0; i < 300; i++) {
          expect(ra.decisions.get(`stream-${i}`)).toEqual(rb.decisions.get(`stream-${i}`));
        }
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('monitoring reads its windows (features, scores, labels) from the store', async () => {
      const store = await factory().open();
      try {
        for (let i = 0; i < 6; i++) store.append(makeRecord(i));
        await store.flush();
        const first = await store.window({ since: T0, limit: 1 });
        await store.recordFeedback(first[0]?.predictionId ?? '', 1, T0 + 60_000);
        const newest = await readMonitorWindow(store, { limit: 4 });
        expect(newest.rows).toBe(4);
        expect(Array.from(newest.score)).toEqual([5.5, 4.5, 3.5, 2.5]);
        const range = await readMonitorWindow(store, { limit: 10, since: T0, until: T0 + 2_000 });
        expect(Array.from(range.label)).toEqual([1, -1]);
        expect(range.features[27]).toBe(0 + 28 / 8);
        expect(Array.from(range.amount)).toEqual([10, 11]);
      } finally {
        await store.close();
      }
    });

    it('reads after close are LOG_CLOSED', async () => {
      const store = await factory().open();
      await store.close();
      await expect(store.countSince(0)).rejects.toMatchObject({ code: 'LOG_CLOSED' });
    });
  });
}
