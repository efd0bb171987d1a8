/**
 * `GET /`: what this service is, whether it can score, and what it offers, for API clients and load tests.
 * Browsers (`Accept: text/html`) are sent to the web app at `/ui/` instead.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SCORING_ENGINES, type ScoringEngine } from '../../bundle/manifest.js';
import { scorerEngines } from '../../bundle/scorer.js';
import { errorReplySchema } from '../error-reply.js';
import { memoizedSerializerCompiler } from '../fast-path.js';
import type { Scorer } from '../../bundle/scorer-types.js';
import type { ModelProvider } from '../model-provider.js';
import type { RouteCatalogue } from '../route-catalogue.js';

export interface StatusRoutesOptions {
  readonly models: ModelProvider;
  readonly catalogue: RouteCatalogue;
}

/** Where browsers asking for `/` are sent. */
export const WEB_APP_PATH = '/ui/';

export const statusResponseSchema = z.object({
  service: z.literal('cardwatch'),
  status: z.enum(['ok', 'no_model']).describe('no_model: the service runs but scoring routes answer 503'),
  model_version: z.string().nullable(),
  threshold: z.number().nullable(),
  input_columns: z
    .array(z.string())
    .nullable()
    .describe('Columns the model reads; Amount/Time here mean requests must carry amount/time'),
  engines: z.array(z.enum(SCORING_ENGINES as [ScoringEngine, ...ScoringEngine[]])).nullable(),
  docs: z.string().describe('Browsable API documentation'),
  endpoints: z.array(z.object({ method: z.string(), path: z.string(), summary: z.string() })),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

/**
 * True when the client prefers HTML over JSON: a browser navigating to `/`. curl and fetch send `*∕*`, and an
 * API client that lists JSON first keeps getting JSON.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const html = accept.indexOf('text/html');
  if (html < 0) return false;
  const json = accept.indexOf('application/json');
  return json < 0 || html < json;
}

/** Registers `GET /`. It answers 200 even without a model: the process is up, and `status` says what is missing. */
export const statusRoutes: FastifyPluginAsyncZod<StatusRoutesOptions> = async function statusRoutes(
  app,
  options,
) {
  app.get(
    '/',
    {
      serializerCompiler: memoizedSerializerCompiler(200),
      schema: {
        summary: 'Service status, served model and endpoints (browsers are redirected to the web app)',
        tags: ['service'],
        response: {
          200: statusResponseSchema,
          302: z.null().describe(`Accept: text/html (a browser): redirect to the web app at ${WEB_APP_PATH}`),
          500: errorReplySchema,
        },
      },
    },
    async function status(request, reply) {
      if (prefersHtml(request.headers.accept)) return reply.redirect(WEB_APP_PATH, 302);
      // The answer changes only with the served model: one frozen object per model, which the route's
      // serializer checks and stringifies once (a sixth of the load test's requests, ~40 endpoints listed).
      const scorer = options.models.current();
      if (cached === null || cached.scorer !== scorer)
        cached = { scorer, body: Object.freeze(statusOf(scorer)) };
      return cached.body;
    },
  );

  let cached: { scorer: Scorer | null; body: StatusResponse } | null = null;

  function statusOf(scorer: Scorer | null): StatusResponse {
    return {
      service: 'cardwatch' as const,
      status: scorer === null ? ('no_model' as const) : ('ok' as const),
      model_version: scorer?.manifest.id ?? null,
      threshold: scorer?.threshold ?? null,
      input_columns: scorer === null ? null : [...scorer.inputColumns],
      engines: scorer === null ? null : [...scorerEngines(scorer)],
      docs: '/docs',
      endpoints: [...options.catalogue.list()],
    };
  }
};
