/** The stream's Prometheus instruments and its bare metrics endpoint, without NATS. */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeScorer } from '../serve/__fixtures__/fake-scorer.js';
import { isCardwatchError } from '../util/errors.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { createStreamMetrics, type StreamMetricsSource } from './metrics.js';
import { zeroStreamStats, type StreamStats } from './stream-worker.js';

const servers: MetricsServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function stats(overrides: Partial<StreamStats> = {}): StreamStats {
  return { ...zeroStreamStats(), ...overrides };
}

/** The value of the sample `name{labels}` (labels as exposed, e.g. `outcome="scored"`), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels === '' ? `${name} ` : `${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('stream metrics', () => {
  it('mirror the worker totals at scrape time, and count batches and first decisions per batch', async () => {
    let source: StreamMetricsSource | null = null;
    const metrics = createStreamMetrics({
      scorer: new FakeScorer({ id: 'ae-metrics', threshold: 0.25 }),
      source: () => source,
      processMetrics: false,
    });
    // Before the worker runs: every outcome at 0, nothing in flight.
    let { text } = await metrics.expose();
    expect(sample(text, 'cardwatch_stream_messages_total', 'outcome="scored"')).toBe(0);
    expect(sample(text, 'cardwatch_stream_in_flight')).toBe(0);
    expect(text).toContain(
      'cardwatch_model_info{model_version="ae-metrics",engines="float32",threshold="0.25"} 1',
    );
    expect(sample(text, 'cardwatch_model_validation_alert_rate')).toBeCloseTo(0.09);

    source = {
      stats: () => stats({ decided: 7, duplicates: 2, deadLettered: 1, retried: 3, failedBatches: 1 }),
      inFlight: () => 64,
    };
    metrics.observeBatch({ messages: 8, seconds: 0.004, fraud: 2, legit: 5, engine: 'float32' });
    metrics.observeBatch({ messages: 3, seconds: 0.002, fraud: 0, legit: 0, engine: null });
    ({ text } = await metrics.expose());
    expect(sample(text, 'cardwatch_stream_messages_total', 'outcome="scored"')).toBe(7);
    expect(sample(text, 'cardwatch_stream_messages_total', 'outcome="duplicate"')).toBe(2);
    expect(sample(text, 'cardwatch_stream_messages_total', 'outcome="dead_letter"')).toBe(1);
    expect(sample(text, 'cardwatch_stream_messages_total', 'outcome="retried"')).toBe(3);
    expect(sample(text, 'cardwatch_stream_failed_batches_total')).toBe(1);
    expect(sample(text, 'cardwatch_stream_in_flight')).toBe(64);
    expect(sample(text, 'cardwatch_stream_batch_rows_count')).toBe(2);
    expect(sample(text, 'cardwatch_stream_batch_rows_sum')).toBe(11);
    expect(sample(text, 'cardwatch_stream_batch_rows_bucket', 'le="4"')).toBe(1);
    expect(sample(text, 'cardwatch_stream_batch_duration_seconds_count')).toBe(2);
    expect(sample(text, 'cardwatch_predictions_total', 'decision="fraud",engine="float32"')).toBe(2);
    expect(sample(text, 'cardwatch_predictions_total', 'decision="legit",engine="float32"')).toBe(5);
    // Scraping twice does not double the mirrored totals.
    ({ text } = await metrics.expose());
    expect(sample(text, 'cardwatch_stream_messages_total', 'outcome="scored"')).toBe(7);
    expect(text).not.toMatch(/^process_cpu/m);
  });

  it('have a registry per stream (two in one process do not clash), with process metrics by default', async () => {
    const scorer = new FakeScorer();
    const a = createStreamMetrics({ scorer, source: () => null });
    const b = createStreamMetrics({ scorer, source: () => null });
    a.observeBatch({ messages: 1, seconds: 0.001, fraud: 1, legit: 0, engine: 'float32' });
    const [textA, textB] = [(await a.expose()).text, (await b.expose()).text];
    expect(sample(textA, 'cardwatch_predictions_total', 'decision="fraud",engine="float32"')).toBe(1);
    expect(sample(textB, 'cardwatch_predictions_total', 'decision="fraud",engine="float32"')).toBeUndefined();
    expect(textA).toMatch(/^process_cpu_seconds_total /m);
    // Both verdicts are exposed from the first batch of an engine on, at 0 too.
    b.observeBatch({ messages: 2, seconds: 0.001, fraud: 0, legit: 2, engine: 'float32' });
    const after = (await b.expose()).text;
    expect(sample(after, 'cardwatch_predictions_total', 'decision="fraud",engine="float32"')).toBe(0);
    expect(sample(after, 'cardwatch_predictions_total', 'decision="legit",engine="float32"')).toBe(2);
  });
});

describe('stream metrics endpoint', () => {
  async function start(): Promise<{ server: MetricsServer; contentType: string }> {
    const metrics = createStreamMetrics({
      scorer: new FakeScorer(),
      source: () => null,
      processMetrics: false,
    });
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, expose: metrics.expose });
    servers.push(server);
    return { server, contentType: metrics.registry.contentType };
  }

  it('answers GET /metrics with the registry text and content type, and GET /health', async () => {
    const { server, contentType } = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe(contentType);
    expect(await metrics.text()).toMatch(/^# HELP cardwatch_stream_messages_total /m);
    const health = await fetch(`${server.url}/health?probe=1`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', uptime_seconds: expect.any(Number) });
  });

  it('answers 404 to anything else', async () => {
    const { server } = await start();
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/metricsx'],
      ['GET', '/predict'],
      ['POST', '/metrics'],
      ['DELETE', '/health'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toMatchObject({ statusCode: 404 });
    }
  });

  it('stops listening on close, keep-alive connections included', async () => {
    const { server } = await start();
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200); // leaves a keep-alive connection
    await server.close();
    await server.close(); // idempotent
    await expect(fetch(`${server.url}/metrics`)).rejects.toThrow();
  });

  it('a port in use fails with the address', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error: unknown = await startMetricsServer({
        host: '127.0.0.1',
        port,
        expose: () => Promise.resolve({ contentType: 'text/plain', text: '' }),
      }).catch((e: unknown) => e);
      expect(isCardwatchError(error) && error.code).toBe('INVALID_INPUT');
      expect((error as Error).message).toMatch(
        new RegExp(`^cannot listen for metrics on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
      );
    } finally {
      blocker.close();
    }
  });
});
