/**
 * The app factory: builds the Fastify instance with every plugin and route, without listening, so tests use
 * `app.inject()` and `server.ts` adds the socket (the Fastify `build(opts)` / `listen()` split).
 *
 * Lifecycle: the app owns the prediction log and the model provider it is given. `app.close()` stops taking
 * requests (new ones get 503 SHUTTING_DOWN), waits for the in-flight ones, then closes the log (writing every
 * queued prediction) and the provider (disposing the scorers).
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCors from '@fastify/cors';
import fastifySwagger from '@fastify/swagger';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { CardwatchError } from '../util/errors.js';
import { installErrorHandling, routeLabel } from './error-handler.js';
import { installJsonBodyParser } from './json-body.js';
import { errorReply } from './error-reply.js';
import { createServeMetrics, UNMATCHED_ROUTE, type ServeMetrics } from './metrics.js';
import { openapiTransform } from './openapi-transform.js';
import { resolveAppOptions, type AppOptions, type ResolvedAppOptions } from './options.js';
import type { PredictionSink } from './prediction-sink.js';
import { collectRoutes } from './route-catalogue.js';
import { adminRoutes } from './routes/admin.js';
import { adminPromoteRoutes, apiModelsRoutes } from './routes/api-models.js';
import { apiRunsRoutes } from './routes/api-runs.js';
import { batchRoutes } from './routes/batch.js';
import { feedbackRoutes } from './routes/feedback.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { metricsSummaryRoutes } from './routes/metrics-summary.js';
import { modelRoutes } from './routes/model.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { openapiRoutes } from './routes/openapi.js';
import { predictRoutes } from './routes/predict.js';
import { statusRoutes } from './routes/status.js';
import { uiRoutes } from './routes/ui.js';

export { DEFAULT_BODY_LIMIT_BYTES, type AppOptions } from './options.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus instruments (its own registry). */
    readonly cardwatchMetrics: ServeMetrics;
  }
}

/**
 * Answers what Node's HTTP parser rejects before Fastify sees a request (a timeout, oversized headers, garbage)
 * in the API's one error shape instead of Node's bare status line.
 */
function clientErrorHandler(metrics: ServeMetrics, timeoutMs: number) {
  return function handleClientError(error: Error & { code?: string }, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const reply =
      status === 408
        ? errorReply(408, 'REQUEST_TIMEOUT', `the request was not received completely within ${timeoutMs} ms`)
        : errorReply(
            status,
            'INVALID_INPUT',
            status === 431 ? 'request headers are too large' : 'malformed HTTP request',
          );
    metrics.countError(UNMATCHED_ROUTE, reply.code);
    const body = JSON.stringify(reply);
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

/** Shutdown: refuse new requests, tell keep-alive clients to go, then release what the app owns. */
function installLifecycle(
  app: FastifyInstance,
  options: ResolvedAppOptions,
  state: { closing: boolean },
): void {
  app.addHook('preClose', async function beginShutdown() {
    state.closing = true;
  });
  // Per-request hooks take a callback rather than being async: no promise per request on the hot path.
  app.addHook('onRequest', function refuseWhileClosing(_request, reply, done) {
    if (!state.closing) return done();
    reply.header('connection', 'close');
    done(new CardwatchError('SHUTTING_DOWN', 'the service is shutting down; retry on another instance'));
  });
  app.addHook('onSend', function closeConnectionsWhileClosing(_request, reply, payload, done) {
    // An answer finished during the drain should not leave its keep-alive connection open: the server waits for
    // every connection to end before it can finish closing.
    if (state.closing) reply.header('connection', 'close');
    done(null, payload);
  });
  // onClose hooks run after the server stopped and every in-flight request was answered.
  app.addHook('onClose', async function releaseResources() {
    try {
      await options.predictionLog?.close();
    } finally {
      await options.models.close?.();
    }
  });
}

/**
 * Builds the scoring API, ready for `inject()` or `listen()`.
 * @example
 * const app = await buildApp({ models: staticModelProvider(scorer) });
 * const res = await app.inject({ method: 'POST', url: '/predict', payload: { features } });
 * res.json() // { prediction_id: '…', is_fraud: false, score: 0.42, risk: 'low', top_features: […], … }
 */
export async function buildApp(appOptions: AppOptions): Promise<FastifyInstance> {
  const options = resolveAppOptions(appOptions);
  const { models, predictionLog: log, topFeatures } = options;
  const metrics = createServeMetrics({ models, predictionLog: log, processMetrics: options.processMetrics });
  const state = { closing: false };
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: !options.logRequests }),
    // Without request logging nothing logs per request but the error handler, which names the request id
    // itself; skipping the per-request pino child saves ~0.4 µs of every request.
    ...(options.logRequests ? {} : { childLoggerFactory: (logger: FastifyBaseLogger) => logger }),
    bodyLimit: options.bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    http: {
      // Node (20) enforces the request timeout only when it is given to the server's constructor; Fastify sets it
      // afterwards as a property, which Node ignores (measured). Node checks on this interval (30 s by default),
      // so the interval bounds how late the 408 comes.
      requestTimeout: options.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(options.requestTimeoutMs / 4))),
    },
    // Our onRequest hook answers in the API's error shape instead (SHUTTING_DOWN).
    return503OnClosing: false,
    clientErrorHandler: clientErrorHandler(metrics, options.requestTimeoutMs),
  }).withTypeProvider<ZodTypeProvider>();
  app.decorate('cardwatchMetrics', metrics);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only (the batch route adds text/csv in its own scope): without this, Fastify's built-in text/plain
  // parser would hand a string to the schema and a wrong content type would be a confusing 400, not a 415.
  app.removeContentTypeParser('text/plain');
  installJsonBodyParser(app);

  // Before any route: both the catalogue and swagger learn routes through onRoute hooks.
  const catalogue = collectRoutes(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'cardwatch scoring API',
        description:
          'Scores card transactions (Kaggle credit-card schema: V1..V28, Amount, Time) with the promoted fraud ' +
          'model, logs every prediction, takes feedback labels and exposes health, readiness and metrics.',
        version: '1',
      },
      components: {
        securitySchemes: {
          adminBearer: { type: 'http', scheme: 'bearer', description: 'The admin key (CARDWATCH_ADMIN_KEY)' },
          adminApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
    },
    transform: openapiTransform,
  });
  if (options.corsOrigins.length > 0) {
    const any = options.corsOrigins.includes('*');
    await app.register(fastifyCors, {
      origin: any ? '*' : [...options.corsOrigins],
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key'],
      maxAge: 600,
    });
  }
  installErrorHandling(app, {
    catalogue,
    bodyLimitBytes: options.bodyLimitBytes,
    metrics,
    requestLoggerHasId: options.logRequests,
  });
  installLifecycle(app, options, state);
  app.addHook('onResponse', function recordRequest(request, reply, done) {
    metrics.observeRequest(request.method, routeLabel(request), reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  const sink: PredictionSink = { log, metrics };
  await app.register(statusRoutes, { models, catalogue });
  await app.register(healthRoutes, { models, log, closing: () => state.closing });
  await app.register(predictRoutes, { models, sink, topFeatures });
  await app.register(batchRoutes, {
    models,
    sink,
    topFeatures,
    maxRows: options.batchMaxRows,
    bodyLimitBytes: options.batchBodyLimitBytes,
  });
  await app.register(modelRoutes, { models });
  await app.register(feedbackRoutes, { log });
  await app.register(metricsRoutes, { metrics });
  await app.register(metricsSummaryRoutes, { metrics, models });
  if (options.adminKey !== null)
    await app.register(adminRoutes, { models, adminKey: options.adminKey, metrics });
  await app.register(monitoringRoutes, {
    models,
    log,
    modelsDir: options.modelsDir,
    metrics,
    config: options.defaultConfig,
  });
  await app.register(openapiRoutes);
  await app.register(uiRoutes, { webDir: options.webDir });
  if (options.runsDir !== null)
    await app.register(apiRunsRoutes, { runsDir: options.runsDir, defaultConfig: options.defaultConfig });
  if (options.modelsDir !== null)
    await app.register(apiModelsRoutes, { modelsDir: options.modelsDir, models });
  if (options.modelsDir !== null && options.adminKey !== null)
    await app.register(adminPromoteRoutes, { modelsDir: options.modelsDir, adminKey: options.adminKey });
  await app.ready();
  return app;
}
