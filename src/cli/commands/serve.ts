import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
import { loadScorer, promoteBundle, type Scorer } from '../../bundle/index.js';
import { servingScorerOptions } from '../serving-scorer.js';
import {
  openPredictionStore,
  resolveStoreTarget,
  STORE_ENV,
  type PredictionLogEvent,
} from '../../predictions/index.js';
import { watchModelAlias } from '../../serve/alias-watcher.js';
import { ADMIN_KEY_ENV, reloadableModelProvider, startServer } from '../../serve/index.js';
import { describeError, isCardwatchError } from '../../util/errors.js';
import { info, OVERRIDES_HELP, out, resolveConfig } from '../context.js';
import { describeBundle, exportRun, trainWithProgress } from '../pipeline.js';

interface ServeOptions {
  host?: string;
  port?: number;
  model?: string;
  store?: string;
  watchModel?: number;
}

function msOption(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new Error(`expected milliseconds (a whole number), got "${value}"`);
  return Number(value);
}

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got "${value}"`);
  return port;
}

interface LoadedScorer {
  scorer: Scorer | null;
  error: string | null;
}

async function tryLoadScorer(config: Config, model: string): Promise<LoadedScorer> {
  try {
    return {
      scorer: await loadScorer(config.paths.models, model, servingScorerOptions(config)),
      error: null,
    };
  } catch (error) {
    if (!isCardwatchError(error)) throw error;
    return { scorer: null, error: describeError(error) };
  }
}

async function serve(config: Config, options: ServeOptions, loaded?: LoadedScorer): Promise<void> {
  const model = options.model ?? config.serve.model;
  const { scorer, error } = loaded ?? (await tryLoadScorer(config, model));
  if (!scorer) info(`warning: no model is loaded (${error}); scoring answers 503 until one is`);
  const settings = config.serve;
  // Log failures go to stderr until the server's logger exists, then to it.
  let reportLogError = (event: PredictionLogEvent): void => info(`prediction log: ${event.error.message}`);
  // SQLite file or PostgreSQL URL: --store, else $CARDWATCH_STORE, else serve.prediction_log.
  const predictionLog = await openPredictionStore(
    resolveStoreTarget(options.store, settings.prediction_log),
    {
      onError: (event) => reportLogError(event),
      // SQLite inserts take ~10 µs of the request thread per prediction; a writer thread moves them off it.
      writerThread: settings.prediction_log_thread,
      maxQueue: settings.prediction_log_queue,
    },
  );
  const models = reloadableModelProvider({
    // A reload re-reads the alias, so `models promote` + POST /admin/reload switches models without a restart.
    load: () => loadScorer(config.paths.models, model, servingScorerOptions(config)),
    initial: scorer,
    initialError: error,
    onDisposeError: (disposeError, version) =>
      info(`warning: releasing model ${version} failed: ${describeError(disposeError)}`),
  });
  const adminKey = process.env[ADMIN_KEY_ENV] ?? null;
  // Replicas: each one follows the alias by itself, so a promotion reaches all of them (0 = off).
  const watchMs = options.watchModel ?? settings.model_watch_ms;
  let watcher: ReturnType<typeof watchModelAlias> | null = null;
  let server;
  try {
    server = await startServer({
      models,
      predictionLog,
      host: options.host ?? settings.host,
      port: options.port ?? settings.port,
      logger: { level: settings.log_level },
      logRequests: settings.log_requests,
      bodyLimitBytes: settings.body_limit_bytes,
      batchMaxRows: settings.batch_max_rows,
      batchBodyLimitBytes: settings.batch_body_limit_bytes,
      topFeatures: settings.top_features,
      requestTimeoutMs: settings.request_timeout_ms,
      corsOrigins: settings.cors_origins,
      adminKey,
      // The web app's experiments and models pages read these folders; runs are described against this config.
      runsDir: config.paths.runs,
      modelsDir: config.paths.models,
      defaultConfig: JSON.parse(JSON.stringify(config)) as unknown,
      handleSignals: true,
      shutdownTimeoutMs: settings.shutdown_timeout_ms,
      onShutdown: (shutdownError) => {
        watcher?.stop();
        if (shutdownError === null) {
          info('stopped: every answered prediction is in the prediction log');
        } else {
          info(`error: shutdown was not clean: ${describeError(shutdownError)}`);
          process.exitCode = 1;
        }
      },
    });
  } catch (startError) {
    // Closing twice is harmless: both are idempotent (a failed listen has already closed them).
    await predictionLog.close().catch(() => undefined);
    await models.close();
    throw startError;
  }
  const app = server.app;
  reportLogError = (event) => app.log.error({ err: event.error, kind: event.kind }, 'prediction log');
  if (watchMs > 0) {
    watcher = watchModelAlias({
      modelsDir: config.paths.models,
      alias: model,
      intervalMs: watchMs,
      models,
      onReload: (outcome) =>
        app.log.warn({ ...outcome }, `model reloaded: ${model} now names ${outcome.modelVersion}`),
      onError: (watchError) => app.log.error({ err: watchError }, `cannot follow the model alias ${model}`),
    });
  }
  const shown = server.url.replace('://127.0.0.1:', '://localhost:');
  out(`cardwatch is serving ${scorer ? `model ${scorer.manifest.id}` : 'without a model'} on ${shown}`);
  out(`  try: curl -s ${shown}/  |  POST ${shown}/predict {"features":[28 numbers]}  |  docs: ${shown}/docs`);
  out(
    `  predictions are logged to ${predictionLog.kind} ${predictionLog.location}${watcher ? `; following ${model} every ${watchMs} ms` : ''}; admin routes ${adminKey ? 'on' : `off (set ${ADMIN_KEY_ENV} to enable)`}; Ctrl+C to stop`,
  );
}

function addServeOptions(command: Command): Command {
  return command
    .option('--host <host>', 'interface to bind (default: serve.host, 127.0.0.1)')
    .option('--port <port>', 'port (default: serve.port, 8000; 0 picks a free one)', portOption)
    .option('-m, --model <id|alias>', 'bundle id or alias to serve (default: serve.model, production)')
    .option(
      '--store <path|url>',
      `prediction store: a SQLite file or postgres://user@host/db, shared by replicas (default: $${STORE_ENV}, else serve.prediction_log)`,
    )
    .option(
      '--watch-model <ms>',
      're-read the model alias this often and reload when it changed, e.g. 5000 for replicas (default: serve.model_watch_ms, 0 = off)',
      msOption,
    )
    .argument('[overrides...]', OVERRIDES_HELP);
}

export function registerServeCommands(program: Command): void {
  addServeOptions(
    program.command('serve').description('serve the scoring API (Fastify + ONNX Runtime)'),
  ).action(async (overrides: string[], options: ServeOptions, command: Command) => {
    await serve(resolveConfig(command, overrides), options);
  });

  addServeOptions(
    program
      .command('start')
      .description(
        'the main job (npm start): serve the production model; if there is none, first prepare data, train, evaluate, export and promote one',
      ),
  ).action(async (overrides: string[], options: ServeOptions, command: Command) => {
    const config = resolveConfig(command, overrides);
    const model = options.model ?? config.serve.model;
    const existing = await tryLoadScorer(config, model);
    if (existing.scorer) {
      // The model is already loaded: serve it straight away (this is the ~2 s restart path).
      await serve(config, options, existing);
      return;
    }
    info(`start: no "${model}" model yet (${existing.error}) — training one`);
    const result = await trainWithProgress(config);
    const bundle = await exportRun(config.paths.runs, result.runId, config.paths.models);
    info(describeBundle(bundle));
    promoteBundle(config.paths.models, bundle.id, model);
    info(`start: ${model} → ${bundle.id}`);
    await serve(config, options);
  });
}
