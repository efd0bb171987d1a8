/**
 * One `cardwatch stream` process: connect to NATS, make sure the streams and the durable consumer exist, load
 * the model, open the prediction store, consume until `stop()`, then drain: finish the batches in hand, write
 * the store, release the model, drain the NATS connection, close the metrics endpoint (if any).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Scorer } from '../bundle/scorer-types.js';
import type { PredictionStore } from '../predictions/index.js';
import { CardwatchError, describeError } from '../util/errors.js';
import { ensureTopology, topology, type StreamTopology } from './jetstream-setup.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { createStreamMetrics, type StreamMetrics } from './metrics.js';
import { startStreamWorker, type StreamEvent, type StreamStats, type StreamWorker } from './stream-worker.js';

export interface StreamSettings {
  readonly natsUrl: string;
  readonly inSubject: string;
  readonly outSubject: string;
  readonly durable: string;
  readonly batchSize: number;
  readonly maxWaitMs: number;
  readonly maxInFlightBatches: number;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly duplicateWindowMs: number;
  readonly retryDelayMs: number;
  /**
   * The Prometheus endpoint (`GET /metrics`, `GET /health`) on host:port, port 0 = a free one; absent or
   * null = none (the CLI's `--metrics-port 0`).
   */
  readonly metrics?: { readonly host: string; readonly port: number } | null;
}

export const STREAM_DEFAULTS = {
  durable: 'cardwatch-scorer',
  batchSize: 256,
  maxWaitMs: 5,
  maxInFlightBatches: 2,
  ackWaitMs: 30_000,
  maxAckPending: 20_000,
  duplicateWindowMs: 10 * 60_000,
  retryDelayMs: 1_000,
} as const;

export interface RunningStream {
  readonly topology: StreamTopology;
  /** Graceful drain; resolves with the counters once everything is released. Idempotent. */
  stop(): Promise<StreamStats>;
  /** Resolves when the stream stopped (by `stop()` or because the connection closed). */
  readonly stopped: Promise<StreamStats>;
  stats(): StreamStats;
  /** `http://host:port` of the metrics endpoint, null without one. */
  readonly metricsUrl: string | null;
}

async function connectNats(url: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url,
      name: 'cardwatch-stream',
      maxReconnectAttempts: -1,
      // Without it the client builds two Error objects (stack traces) per publish for async error context:
      // measured ~19 % of a consumer's CPU. Errors still carry their messages.
      noAsyncTraces: true,
    });
  } catch (error) {
    throw new CardwatchError(
      'STREAM_UNAVAILABLE',
      `cannot connect to NATS at ${url}: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Starts consuming. The caller owns `scorer` and `store` until `stop()` resolves; the stream closes both then.
 * @example
 * const stream = await startStream({ ...STREAM_DEFAULTS, natsUrl: 'nats://127.0.0.1:4222',
 *   inSubject: 'transactions', outSubject: 'decisions' }, scorer, store);
 * process.once('SIGTERM', () => void stream.stop());
 */
export async function startStream(
  settings: StreamSettings,
  scorer: Scorer,
  store: PredictionStore,
  onEvent?: (event: StreamEvent) => void,
): Promise<RunningStream> {
  let worker: StreamWorker | undefined;
  let metrics: StreamMetrics | null = null;
  let metricsServer: MetricsServer | null = null;
  if (settings.metrics !== undefined && settings.metrics !== null) {
    // Its counters read the worker once it runs. Listening first: a port in use fails the start before
    // anything is set up on NATS.
    metrics = createStreamMetrics({ scorer, source: () => worker ?? null });
    metricsServer = await startMetricsServer({ ...settings.metrics, expose: metrics.expose });
  }
  let nc: NatsConnection;
  try {
    nc = await connectNats(settings.natsUrl);
  } catch (error) {
    await metricsServer?.close();
    throw error;
  }
  const t = topology(settings.inSubject, settings.outSubject, settings.durable);
  try {
    const jsm = await jetstreamManager(nc);
    await ensureTopology(jsm, t, settings);
    worker = await startStreamWorker({
      js: jetstream(nc),
      topology: t,
      scorer,
      store,
      batchSize: settings.batchSize,
      maxWaitMs: settings.maxWaitMs,
      maxInFlightBatches: settings.maxInFlightBatches,
      retryDelayMs: settings.retryDelayMs,
      ...(onEvent === undefined ? {} : { onEvent }),
      ...(metrics === null ? {} : { onBatch: metrics.observeBatch }),
    });
  } catch (error) {
    await nc.close().catch(() => undefined);
    await metricsServer?.close();
    throw new CardwatchError(
      'STREAM_UNAVAILABLE',
      `cannot set up JetStream at ${settings.natsUrl} (streams ${t.inStream}, ${t.outStream}): ${describeError(error)}`,
      { cause: error },
    );
  }
  const running = worker;
  let stopping: Promise<StreamStats> | null = null;
  /** Waits for the worker, then releases the store, the model and the connection, whatever happened. */
  async function release(): Promise<StreamStats> {
    let failure: unknown = null;
    try {
      await running.done;
    } catch (error) {
      failure = error;
    }
    // Every acknowledged message is already committed; close() writes anything else queued.
    try {
      await store.close();
    } finally {
      await scorer.dispose().catch(() => undefined);
      await nc.drain().catch(() => undefined);
      // Last, so the drain itself can be watched; a scraper then sees the target go down.
      await metricsServer?.close();
    }
    if (failure !== null) throw failure;
    return running.stats();
  }
  const stop = (): Promise<StreamStats> => {
    if (stopping === null) {
      void running.stop().catch(() => undefined); // its outcome is awaited (and reported) by release()
      stopping = release();
    }
    return stopping;
  };
  // The worker ends only through stop(); should it end by itself (a bug), release everything too.
  const stopped = running.done.then(
    () => stop(),
    () => stop(),
  );
  return {
    topology: t,
    stop,
    stopped,
    stats: running.stats,
    metricsUrl: metricsServer?.url ?? null,
  };
}
