/**
 * `cardwatch stream`: score transactions from NATS JetStream, publish a decision per transaction, log it.
 * Any number of processes may run with the same `--durable`: they share the work.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { loadScorer } from '../../bundle/index.js';
import { servingScorerOptions } from '../serving-scorer.js';
import { openPredictionStore, redactUrl, resolveStoreTarget, STORE_ENV } from '../../predictions/index.js';
import { startStream, STREAM_DEFAULTS } from '../../stream/run-stream.js';
import { describeError } from '../../util/errors.js';
import { info, integerOption, out, OVERRIDES_HELP, resolveConfig } from '../context.js';

interface StreamOptions {
  nats: string;
  in: string;
  out: string;
  model?: string;
  store?: string;
  durable: string;
  batch: number;
  maxWait: number;
  inFlight: number;
  ackWait: number;
  metricsPort?: number;
  metricsHost?: string;
}

function subjectOption(value: string): string {
  if (!/^[^\s*>]+$/.test(value)) {
    throw new InvalidArgumentError(`expected a NATS subject without wildcards or spaces, got "${value}"`);
  }
  return value;
}

function msOption(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()))
    throw new InvalidArgumentError(`expected milliseconds (a whole number), got "${value}"`);
  return parsed;
}

function portOption(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535)
    throw new InvalidArgumentError(`expected a port 0..65535 (0 = off), got "${value}"`);
  return port;
}

export function registerStreamCommands(program: Command): void {
  program
    .command('stream')
    .description(
      'score transactions from a NATS JetStream subject in micro-batches, publish one decision per transaction ' +
        'and log it (at-least-once, idempotent by transaction_id); run several for more throughput',
    )
    .option('--nats <url>', 'NATS server', 'nats://127.0.0.1:4222')
    .option(
      '--in <subject>',
      'subject of the transactions ({"features":[28 numbers], "transaction_id": …})',
      subjectOption,
      'transactions',
    )
    .option('--out <subject>', 'subject of the decisions', subjectOption, 'decisions')
    .option('-m, --model <id|alias>', 'bundle id or alias (default: serve.model, production)')
    .option(
      '--store <path|url>',
      `prediction store: a SQLite file or postgres://… (default: $${STORE_ENV}, else serve.prediction_log)`,
    )
    .option(
      '--durable <name>',
      'durable consumer shared by every process of this deployment',
      STREAM_DEFAULTS.durable,
    )
    .option(
      '--batch <n>',
      'most transactions per micro-batch (one model run)',
      integerOption,
      STREAM_DEFAULTS.batchSize,
    )
    .option('--max-wait <ms>', 'longest a partial batch waits for more', msOption, STREAM_DEFAULTS.maxWaitMs)
    .option('--in-flight <n>', 'batches processed at once', integerOption, STREAM_DEFAULTS.maxInFlightBatches)
    .option(
      '--ack-wait <ms>',
      'redeliver a message not acknowledged within this time',
      msOption,
      STREAM_DEFAULTS.ackWaitMs,
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus GET /metrics and GET /health on this port (default: stream.metrics_port, 0 = off)',
      portOption,
    )
    .option(
      '--metrics-host <host>',
      'interface of the metrics endpoint (default: stream.metrics_host, 127.0.0.1)',
    )
    .argument('[overrides...]', OVERRIDES_HELP)
    .action(async (overrides: string[], options: StreamOptions, command: Command) => {
      const config = resolveConfig(command, overrides);
      const model = options.model ?? config.serve.model;
      const target = resolveStoreTarget(options.store, config.serve.prediction_log);
      const metricsPort = options.metricsPort ?? config.stream.metrics_port;
      const metrics =
        metricsPort === 0
          ? null
          : { host: options.metricsHost ?? config.stream.metrics_host, port: metricsPort };
      const scorer = await loadScorer(config.paths.models, model, servingScorerOptions(config));
      let store;
      try {
        store = await openPredictionStore(target, {
          onError: (event) => info(`prediction store: ${event.error.message}`),
        });
      } catch (error) {
        await scorer.dispose();
        throw error;
      }
      let stream;
      try {
        stream = await startStream(
          {
            ...STREAM_DEFAULTS,
            natsUrl: options.nats,
            inSubject: options.in,
            outSubject: options.out,
            durable: options.durable,
            batchSize: options.batch,
            maxWaitMs: options.maxWait,
            maxInFlightBatches: options.inFlight,
            ackWaitMs: options.ackWait,
            metrics,
          },
          scorer,
          store,
          (event) =>
            info(
              event.kind === 'dead-letter'
                ? `dead letter (stream sequence ${event.sequence}): ${event.reason}`
                : `batch of ${event.messages} will be redelivered: ${event.error.message}`,
            ),
        );
      } catch (error) {
        await store.close().catch(() => undefined);
        await scorer.dispose();
        throw error;
      }
      const t = stream.topology;
      const running = stream;
      const onSignal = (signal: NodeJS.Signals): void => {
        info(`${signal}: draining (finishing the batches in hand, then flushing the store)`);
        void running.stop();
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      out(
        `cardwatch stream: model ${scorer.manifest.id}, ${t.inSubject} (stream ${t.inStream}, consumer ${t.durable}) → ` +
          `${t.outSubject}; dead letters → ${t.deadLetterSubject}; store ${store.kind} ${target.startsWith('postgres') ? redactUrl(target) : target}` +
          (running.metricsUrl === null ? '' : `; metrics ${running.metricsUrl}/metrics`),
      );
      try {
        const stats = await running.stopped;
        out(
          `stopped: ${stats.received} received, ${stats.decided} decided, ${stats.duplicates} redelivered duplicates, ` +
            `${stats.deadLettered} dead letters, ${stats.retried} left for redelivery`,
        );
      } catch (error) {
        info(`error: the stream did not stop cleanly: ${describeError(error)}`);
        process.exitCode = 1;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
