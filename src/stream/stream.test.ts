/**
 * `cardwatch stream` in one process against a real NATS server (JetStream) and a real store: decisions,
 * dead letters, idempotent redeliveries, drain.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../bundle/__fixtures__/tiny-bundle.js';
import { loadScorer } from '../bundle/scorer.js';
import { openPredictionStore, type PredictionStore } from '../predictions/index.js';
import { SKIP_NATS } from '../testing/availability.js';
import { startTestNats, type TestNats } from '../testing/nats.js';
import type { DeadLetter, DecisionMessage } from './decision.js';
import {
  promoteTinyModel,
  publishTransactions,
  readStream,
  transaction,
  waitFor,
} from './__fixtures__/stream-fixtures.js';
import { startStream, STREAM_DEFAULTS, type RunningStream, type StreamSettings } from './run-stream.js';
import type { StreamEvent } from './stream-worker.js';

let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let models: string;
let subjectCount = 0;
const running: RunningStream[] = [];

beforeAll(async () => {
  if (SKIP_NATS) return;
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  models = tempDir('stream-models');
  await promoteTinyModel(models);
});

afterEach(async () => {
  for (const stream of running.splice(0)) await stream.stop().catch(() => undefined);
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
  removeTempDirs();
});

/** A stream process on fresh subjects and a fresh SQLite store (`wrap` may replace store methods). */
async function start(
  wrap: (store: PredictionStore) => PredictionStore = (store) => store,
  settings: Partial<StreamSettings> = {},
): Promise<{ stream: RunningStream; store: PredictionStore; inSubject: string; events: StreamEvent[] }> {
  subjectCount += 1;
  const inSubject = `tx${subjectCount}`;
  const store = await openPredictionStore(join(tempDir('stream-store'), 'predictions.sqlite'));
  const events: StreamEvent[] = [];
  const stream = await startStream(
    {
      ...STREAM_DEFAULTS,
      natsUrl: nats.url,
      inSubject,
      outSubject: `decisions${subjectCount}`,
      batchSize: 64,
      retryDelayMs: 50,
      ...settings,
    },
    await loadScorer(models, 'production'),
    wrap(store),
    (event) => events.push(event),
  );
  running.push(stream);
  return { stream, store, inSubject, events };
}

async function consumerIdle(stream: RunningStream): Promise<boolean> {
  const info = await jsm.consumers.info(stream.topology.inStream, stream.topology.durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

describe.skipIf(SKIP_NATS)('cardwatch stream', () => {
  it('scores, logs and publishes one decision per transaction, the logged one', async () => {
    const { stream, store, inSubject } = await start();
    await publishTransactions(js, inSubject, 0, 1_000);
    await waitFor(() => consumerIdle(stream), 'the consumer to acknowledge everything');
    const decisions = await readStream<DecisionMessage>(nc, stream.topology.outStream);
    expect(decisions).toHaveLength(1_000);
    expect(new Set(decisions.map((d) => d.transaction_id)).size).toBe(1_000);
    expect(await store.countDecisions()).toBe(1_000);
    const logged = await store.decisionsFor(['tx-7']);
    const published = decisions.find((d) => d.transaction_id === 'tx-7');
    expect(published).toMatchObject({
      prediction_id: logged.get('tx-7')?.predictionId,
      score: logged.get('tx-7')?.score,
      threshold: 0.75,
      model_version: 'ae-stream',
    });
    const row = await store.get(published?.prediction_id ?? '');
    expect(Array.from(row?.features ?? []).slice(0, 3)).toEqual(
      transaction(7)
        .features.slice(0, 3)
        .map((v) => Math.fround(v)),
    );
    expect(stream.stats()).toMatchObject({ received: 1_000, decided: 1_000, duplicates: 0, deadLettered: 0 });
  });

  it('a redelivered transaction gets its first decision again: no second row, no second stored decision', async () => {
    const { stream, store, inSubject } = await start();
    await publishTransactions(js, inSubject, 0, 50);
    await waitFor(() => consumerIdle(stream), 'the first delivery');
    // The same transactions again (a producer retry, or JetStream redelivering after a crash).
    await publishTransactions(js, inSubject, 0, 50);
    await waitFor(() => consumerIdle(stream), 'the second delivery');
    expect(await store.countDecisions()).toBe(50);
    const decisions = await readStream<DecisionMessage>(nc, stream.topology.outStream);
    expect(decisions).toHaveLength(50);
    expect(stream.stats()).toMatchObject({ received: 100, decided: 50, duplicates: 50 });
  });

  it('malformed messages go to the dead-letter subject with the reason, and do not block the rest', async () => {
    const { stream, store, inSubject } = await start();
    const encoder = new TextEncoder();
    await js.publish(inSubject, encoder.encode('{not json'));
    await js.publish(inSubject, encoder.encode(JSON.stringify({ features: transaction(1).features })));
    await js.publish(
      inSubject,
      encoder.encode(JSON.stringify({ ...transaction(2), features: transaction(2).features.slice(0, 27) })),
    );
    await js.publish(inSubject, encoder.encode(JSON.stringify({ ...transaction(3), Amount: 5 })));
    await publishTransactions(js, inSubject, 10, 20);
    await waitFor(() => consumerIdle(stream), 'every message to be acknowledged');
    expect(await store.countDecisions()).toBe(20);
    const letters = await readStream<DeadLetter>(nc, stream.topology.deadLetterStream);
    // Published concurrently: any order.
    expect(letters.map((l) => l.reason).sort()).toEqual([
      expect.stringMatching(/expected 28 features/),
      expect.stringMatching(/unknown field "Amount".*did you mean "amount"/),
      expect.stringMatching(/^not JSON/),
      expect.stringMatching(/transaction_id is required/),
    ]);
    expect(letters.find((l) => l.stream_sequence === 1)).toMatchObject({
      payload: '{not json',
      subject: inSubject,
    });
    expect(stream.stats().deadLettered).toBe(4);
  });

  it('a failing store write is retried by redelivery: nothing is acknowledged unlogged, nothing is lost', async () => {
    let failures = 3;
    const { stream, store, inSubject, events } = await start((inner) => ({
      ...inner,
      logDecisions: (records) => {
        if (failures > 0) {
          failures -= 1;
          return Promise.reject(new Error('database is down'));
        }
        return inner.logDecisions(records);
      },
    }));
    await publishTransactions(js, inSubject, 0, 300);
    await waitFor(() => consumerIdle(stream), 'every message to be acknowledged');
    expect(await store.countDecisions()).toBe(300);
    const decisions = await readStream<DecisionMessage>(nc, stream.topology.outStream);
    expect(new Set(decisions.map((d) => d.transaction_id)).size).toBe(300);
    expect(decisions).toHaveLength(300);
    expect(stream.stats()).toMatchObject({ failedBatches: 3, deadLettered: 0 });
    expect(stream.stats().retried).toBeGreaterThan(0);
    expect(events.filter((e) => e.kind === 'batch-failed').map((e) => e.error.message)).toEqual([
      'database is down',
      'database is down',
      'database is down',
    ]);
  });

  it('stop drains: every taken message is acknowledged, then the store is closed', async () => {
    const { stream, store, inSubject } = await start();
    await publishTransactions(js, inSubject, 0, 2_000);
    await waitFor(async () => stream.stats().received > 0, 'the first batch');
    const stats = await stream.stop();
    const info = await jsm.consumers.info(stream.topology.inStream, stream.topology.durable);
    expect(info.num_ack_pending).toBe(0);
    expect(stats.decided).toBe(stats.received);
    expect(info.num_pending).toBe(2_000 - stats.received);
    expect(store.healthy()).toBe(false); // closed
  });

  it('with a metrics endpoint, /metrics counts what the stream did; stop closes the endpoint', async () => {
    const { stream, inSubject } = await start(undefined, { metrics: { host: '127.0.0.1', port: 0 } });
    const url = stream.metricsUrl as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await publishTransactions(js, inSubject, 0, 5);
    await js.publish(inSubject, new TextEncoder().encode('{not json'));
    await waitFor(() => consumerIdle(stream), 'every message to be acknowledged');
    let text = '';
    const value = (series: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
    };
    // A batch is observed once all its messages are settled: just after the last ack.
    await waitFor(async () => {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      text = await res.text();
      return value('cardwatch_stream_batch_rows_sum') === 6;
    }, 'every batch to be observed');
    expect(value('cardwatch_stream_messages_total{outcome="scored"}')).toBe(5);
    expect(value('cardwatch_stream_messages_total{outcome="dead_letter"}')).toBe(1);
    expect(value('cardwatch_stream_messages_total{outcome="duplicate"}')).toBe(0);
    expect(value('cardwatch_stream_messages_total{outcome="retried"}')).toBe(0);
    expect(value('cardwatch_stream_in_flight')).toBe(0);
    // Every message went through a batch; each first decision is counted once, by verdict.
    expect(value('cardwatch_stream_batch_rows_sum')).toBe(6);
    expect(value('cardwatch_stream_batch_duration_seconds_count')).toBe(
      value('cardwatch_stream_batch_rows_count'),
    );
    const predictions = [
      ...text.matchAll(/^cardwatch_predictions_total\{[^}]*engine="float32"[^}]*\} (\d+)$/gm),
    ];
    expect(predictions.reduce((n, m) => n + Number(m[1]), 0)).toBe(5);
    expect(text).toMatch(/^cardwatch_model_info\{model_version="ae-stream",[^}]*threshold="0\.75"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/decisions`)).status).toBe(404);
    await stream.stop();
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  });

  it('without a metrics setting there is no endpoint', async () => {
    const { stream } = await start();
    expect(stream.metricsUrl).toBeNull();
    const off = await start(undefined, { metrics: null });
    expect(off.stream.metricsUrl).toBeNull();
  });
});
