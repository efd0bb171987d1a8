/** `GET /`: what this service is, whether it can score, and what it offers (used by API clients and load tests). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorReplySchema } from '../error-reply.js';
import type { ModelProvider } from '../model-provider.js';
import type { RouteCatalogue } from '../route-catalogue.js';

export interface StatusRoutesOptions {
  readonly models: ModelProvider;
  readonly catalogue: RouteCatalogue;
}

export const statusResponseSchema = z.object({
  service: z.literal('cardwatch'),
  status: z.enum(['ok', 'no_model']).describe('no_model: the service runs but POST /predict answers 503'),
  model_version: z.string().nullable(),
  threshold: z.number().nullable(),
  input_columns: z.array(z.string()).nullable().describe('Order of the values POST /predict expects'),
  endpoints: z.array(z.object({ method: z.string(), path: z.string(), summary: z.string() })),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

/** Registers `GET /`. It answers 200 even without a model: the process is up, and `status` says what is missing. */
export const statusRoutes: FastifyPluginAsyncZod<StatusRoutesOptions> = async function statusRoutes(
  app,
  options,
) {
  app.get(
    '/',
    {
      schema: {
        summary: 'Service status, loaded model and endpoints',
        tags: ['service'],
        response: { 200: statusResponseSchema, 500: errorReplySchema },
      },
    },
    async function status(): Promise<StatusResponse> {
      const scorer = options.models.current();
      return {
        service: 'cardwatch',
        status: scorer === null ? 'no_model' : 'ok',
        model_version: scorer?.manifest.id ?? null,
        threshold: scorer?.threshold ?? null,
        input_columns: scorer === null ? null : [...scorer.inputColumns],
        endpoints: [...options.catalogue.list()],
      };
    },
  );
};
