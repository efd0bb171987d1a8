/**
 * Admin routes, behind the admin API key. The plugin is registered only when a key is configured, so without
 * one the routes do not exist (404), rather than existing and refusing everyone.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SCORING_ENGINES, type ScoringEngine } from '../../bundle/manifest.js';
import { CardwatchError } from '../../util/errors.js';
import { adminKeyChecker } from '../admin-auth.js';
import { errorReplySchema } from '../error-reply.js';
import type { ServeMetrics } from '../metrics.js';
import type { ModelProvider } from '../model-provider.js';

export interface AdminRoutesOptions {
  readonly models: ModelProvider;
  readonly adminKey: string;
  readonly metrics: ServeMetrics;
}

export const reloadResponseSchema = z.object({
  previous_version: z.string().nullable().describe('The model served before (null when there was none)'),
  model_version: z.string().describe('The model served from now on'),
  engines: z.array(z.enum(SCORING_ENGINES as [ScoringEngine, ...ScoringEngine[]])),
  load_ms: z.number().describe('Time to load and verify the new bundle'),
  draining: z
    .int()
    .describe('Requests still running on the previous model; it is disposed once they have finished'),
});

/** OpenAPI security requirement: either header works. */
const ADMIN_SECURITY: Record<string, readonly string[]>[] = [{ adminBearer: [] }, { adminApiKey: [] }];

/** Registers `POST /admin/reload` with the key check on every request of this scope. */
export const adminRoutes: FastifyPluginAsyncZod<AdminRoutesOptions> = async function adminRoutes(
  app,
  options,
) {
  const checkKey = adminKeyChecker(options.adminKey);
  // onRequest: before the body is read, so a caller without the key cannot make the server parse anything.
  app.addHook('onRequest', async function requireAdminKey(request) {
    checkKey(request.headers);
  });

  app.post(
    '/admin/reload',
    {
      schema: {
        summary: 'Switch to the model serve.model names now (e.g. after `cardwatch models promote`)',
        description:
          'Loads the bundle the configured alias (serve.model, default production) points to, verifies it, ' +
          'then swaps it in: requests already running finish on the old model, every later request uses the ' +
          'new one, and the old model is released once its last request is done. No request fails. A bundle ' +
          'that cannot be loaded changes nothing (409 RELOAD_FAILED; the old model keeps serving).',
        tags: ['admin'],
        security: ADMIN_SECURITY,
        response: {
          200: reloadResponseSchema,
          401: errorReplySchema.describe('No admin key, or a wrong one (UNAUTHORIZED)'),
          409: errorReplySchema.describe(
            'The new model could not be loaded (RELOAD_FAILED); nothing changed',
          ),
          503: errorReplySchema.describe('The service is shutting down (SHUTTING_DOWN)'),
        },
      },
    },
    async function reload(request) {
      if (options.models.reload === undefined) {
        throw new CardwatchError(
          'RELOAD_FAILED',
          'this server was started with a fixed model and cannot reload (start it with `cardwatch serve`)',
        );
      }
      try {
        const outcome = await options.models.reload();
        options.metrics.countReload('ok');
        request.log.warn(
          { previous: outcome.previousVersion, model: outcome.modelVersion, draining: outcome.draining },
          'model reloaded',
        );
        return {
          previous_version: outcome.previousVersion,
          model_version: outcome.modelVersion,
          engines: [...outcome.engines],
          load_ms: outcome.loadMs,
          draining: outcome.draining,
        };
      } catch (error) {
        options.metrics.countReload('failed');
        throw error;
      }
    },
  );
};
