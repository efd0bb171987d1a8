/**
 * `cardwatch stream --metrics-port`: the process serves Prometheus metrics of what it consumed on
 * 127.0.0.1, answers 404 elsewhere, and closes the endpoint when SIGTERM drains it. Without the option (the
 * default, `stream.metrics_port: 0`) it listens on nothing.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../src/bundle/__fixtures__/tiny-bundle.js';
import {
  promoteTinyModel,
  publishTransactions,
  waitFor,
} from '../src/stream/__fixtures__/stream-fixtures.js';
import { startStreamProcess, type StreamProcess } from '../src/stream/__fixtures__/stream-process.js';
import { SKIP_NATS } from '../src/testing/availability.js';
import { startTestNats, type TestNats } from '../src/testing/nats.js';
import { freePort } from '../src/testing/ports.js';

let nats: TestNats;
let nc: NatsConnection;
let models: string;
const processes: StreamProcess[] = [];

beforeAll(async () => {
  if (SKIP_NATS) return;
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
  models = tempDir('stream-metrics-models');
  await promoteTinyModel(models);
});

afterAll(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
  await nc?.close();
  await nats?.stop();
  removeTempDirs();
});

function consumer(name: string, extra: readonly string[]): Promise<StreamProcess> {
  const started = startStreamProcess([
    '--nats',
    nats.url,
    '--in',
    `${name}.in`,
    '--out',
    `${name}.out`,
    '--durable',
    name,
    '--store',
    join(tempDir(`${name}-store`), 'predictions.sqlite'),
    ...extra,
    `paths.models=${models}`,
  ]);
  void started.then((p) => processes.push(p));
  return started;
}

/** The value of one exposed series (`name{labels}` exactly as exposed), NaN when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

it.skipIf(SKIP_NATS)(
  'serves /metrics counting scored and dead-lettered messages, 404 elsewhere, and closes it on SIGTERM',
  async () => {
    const port = await freePort();
    const [withMetrics, without] = await Promise.all([
      consumer('metered', ['--metrics-port', String(port)]),
      consumer('unmetered', []),
    ]);
    const url = `http://127.0.0.1:${port}`;
    expect(withMetrics.output()).toContain(`; metrics ${url}/metrics`);
    expect(without.output()).toMatch(/cardwatch stream: model/);
    expect(without.output()).not.toMatch(/metrics/);

    const js = jetstream(nc);
    await publishTransactions(js, 'metered.in', 0, 4);
    await js.publish('metered.in', new TextEncoder().encode('{"features": "not a list"}'));
    let text = '';
    await waitFor(async () => {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      text = await res.text();
      return value(text, 'cardwatch_stream_batch_rows_sum') === 5;
    }, 'the five messages to be counted');
    expect(value(text, 'cardwatch_stream_messages_total{outcome="scored"}')).toBe(4);
    expect(value(text, 'cardwatch_stream_messages_total{outcome="dead_letter"}')).toBe(1);
    expect(value(text, 'cardwatch_stream_messages_total{outcome="duplicate"}')).toBe(0);
    expect(value(text, 'cardwatch_stream_in_flight')).toBe(0);
    expect(
      value(text, 'cardwatch_predictions_total{decision="fraud",engine="float32"}') +
        value(text, 'cardwatch_predictions_total{decision="legit",engine="float32"}'),
    ).toBe(4);
    expect(text).toMatch(/^cardwatch_model_info\{model_version="ae-stream",[^}]*\} 1$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);

    withMetrics.child.kill('SIGTERM');
    without.child.kill('SIGTERM');
    expect(await withMetrics.exited).toBe(0);
    expect(await without.exited).toBe(0);
    expect(withMetrics.output()).toMatch(
      /stopped: 5 received, 4 decided, 0 redelivered duplicates, 1 dead letters/,
    );
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  },
  120_000,
);
