/** `GET /metrics`: Prometheus exposition of this app's registry. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ServeMetrics } from '../metrics.js';

export interface MetricsRoutesOptions {
  readonly metrics: ServeMetrics;
}

/** Registers `GET /metrics`. */
export const metricsRoutes: FastifyPluginAsyncZod<MetricsRoutesOptions> = async function metricsRoutes(
  app,
  options,
) {
  app.get(
    '/metrics',
    {
      schema: {
        summary:
          'Prometheus metrics (requests, latency, errors, predictions, scores, model, log queue, process)',
        tags: ['service'],
        produces: ['text/plain'],
        response: { 200: z.string().describe('Prometheus text exposition format 0.0.4') },
      },
    },
    async function metrics(_request, reply) {
      const { contentType, text } = await options.metrics.expose();
      // A string with a non-JSON content type is sent as is (the JSON serializer is skipped).
      return reply.type(contentType).send(text);
    },
  );
};
