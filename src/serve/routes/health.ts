/**
 * The probes a container platform uses: `GET /health` (liveness: the process answers) and `GET /ready`
 * (readiness: a model is loaded and the prediction log can take predictions). They are cheap and never touch
 * the model or the database.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { PredictionLog } from '../../predictions/index.js';
import { CardwatchError } from '../../util/errors.js';
import { errorReplySchema } from '../error-reply.js';
import type { ModelProvider } from '../model-provider.js';

export interface HealthRoutesOptions {
  readonly models: ModelProvider;
  readonly log: PredictionLog | null;
  /** True once shutdown has begun: the service must drop out of the load balancer. */
  readonly closing: () => boolean;
}

export const healthResponseSchema = z.object({
  status: z.literal('ok'),
  uptime_seconds: z.number(),
});

export const readyResponseSchema = z.object({
  status: z.literal('ready'),
  model_version: z.string(),
  prediction_log: z
    .enum(['ok', 'disabled'])
    .describe('disabled: this server was started without a prediction log (tests, embedding)'),
  log_queue_depth: z.int().describe('Predictions waiting to be written'),
});

/** Why the service is not ready, or an empty list. */
export function readinessProblems(options: HealthRoutesOptions): string[] {
  const problems: string[] = [];
  if (options.closing()) problems.push('the service is shutting down');
  if (options.models.current() === null) {
    const why = options.models.loadError?.() ?? null;
    problems.push(why === null ? 'no model is loaded' : `no model is loaded (${why})`);
  }
  const log = options.log;
  if (log !== null) {
    if (!log.healthy()) {
      const last = log.stats().lastError;
      problems.push(`the prediction log cannot write${last === null ? '' : ` (${last})`}`);
    } else if (!log.hasCapacity()) {
      problems.push('the prediction log queue is full');
    }
  }
  return problems;
}

/** Registers `GET /health` and `GET /ready`. */
export const healthRoutes: FastifyPluginAsyncZod<HealthRoutesOptions> = async function healthRoutes(
  app,
  options,
) {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness: the process is up and answering',
        tags: ['service'],
        response: { 200: healthResponseSchema },
      },
    },
    async function health() {
      return { status: 'ok' as const, uptime_seconds: process.uptime() };
    },
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: a model is loaded and the prediction log is writing',
        description:
          'Send traffic only while this answers 200. 503 NOT_READY names what is missing: no model, a ' +
          'failing or full prediction log, or a shutdown in progress.',
        tags: ['service'],
        response: {
          200: readyResponseSchema,
          503: errorReplySchema.describe('Not ready (NOT_READY); the message says why'),
        },
      },
    },
    async function ready() {
      const problems = readinessProblems(options);
      const scorer = options.models.current();
      if (problems.length > 0 || scorer === null) {
        throw new CardwatchError('NOT_READY', `not ready: ${problems.join('; ')}`);
      }
      return {
        status: 'ready' as const,
        model_version: scorer.manifest.id,
        prediction_log: options.log === null ? ('disabled' as const) : ('ok' as const),
        log_queue_depth: options.log?.queueDepth() ?? 0,
      };
    },
  );
};
