/**
 * The app factory: builds the Fastify instance with every plugin and route, without listening, so tests use
 * `app.inject()` and `server.ts` adds the socket (the Fastify `build(opts)` / `listen()` split).
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { installErrorHandling } from './error-handler.js';
import type { ModelProvider } from './model-provider.js';
import { collectRoutes } from './route-catalogue.js';
import { openapiRoutes } from './routes/openapi.js';
import { predictRoutes } from './routes/predict.js';
import { statusRoutes } from './routes/status.js';

/**
 * Default request body limit. A `/predict` body is under 1 KB; 1 MiB (Fastify's own default) leaves room for
 * the batch endpoint a later issue adds while still refusing absurd uploads.
 */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppOptions {
  /** Where the routes get the model; may have none (the API then answers 503 on scoring routes). */
  readonly scorer: ModelProvider;
  /** Fastify logger: `false` (default) for silence, `true` or pino options for structured logs. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Largest accepted request body; larger bodies get a 413 naming the limit. */
  readonly bodyLimitBytes?: number;
}

/**
 * Builds the scoring API, ready for `inject()` or `listen()`.
 * @example
 * const app = await buildApp({ scorer: staticModelProvider(scorer) });
 * const res = await app.inject({ method: 'POST', url: '/predict', payload: { features } });
 * res.json() // { prediction_id: '…', is_fraud: false, score: 0.42, threshold: 1.3, model_version: 'ae-…' }
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  if (!Number.isInteger(bodyLimitBytes) || bodyLimitBytes <= 0) {
    throw new RangeError(`bodyLimitBytes must be a positive integer, got ${bodyLimitBytes}`);
  }
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: bodyLimitBytes,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: without this, Fastify's built-in text/plain parser would hand a string to the schema and a
  // wrong content type would surface as a confusing 400 instead of a 415.
  app.removeContentTypeParser('text/plain');

  // Before any route: both the catalogue and swagger learn routes through onRoute hooks.
  const catalogue = collectRoutes(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'cardwatch scoring API',
        description: 'Scores card transactions with the promoted fraud model.',
        version: '1',
      },
    },
    transform: jsonSchemaTransform,
  });
  installErrorHandling(app, { catalogue, bodyLimitBytes });

  await app.register(statusRoutes, { models: options.scorer, catalogue });
  await app.register(predictRoutes, { models: options.scorer });
  await app.register(openapiRoutes);
  await app.ready();
  return app;
}
