/** `GET /drift`: the served model's data and prediction drift over a window of the prediction log. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { driftReportSchema } from '../../monitor/report-schema.js';
import type { MonitorService } from '../../monitor/service.js';
import { errorReplySchema } from '../error-reply.js';

export interface MonitorRoutesOptions {
  readonly monitor: MonitorService;
}

/** `?window=N&since=24h`, shared by the monitoring routes. */
export const monitorWindowQuerySchema = z.strictObject({
  window: z.coerce
    .number({ error: 'window must be a whole number of predictions' })
    .int({ error: 'window must be a whole number of predictions' })
    .min(1, { error: 'window must be at least 1' })
    .max(1_000_000, { error: 'window must be at most 1,000,000' })
    .optional()
    .describe('The newest N logged predictions (default: monitoring.drift_window / quality_window)'),
  since: z
    .string()
    .min(1)
    .optional()
    .describe('Only predictions since then: a duration back from now (30m, 24h, 7d) or an ISO date'),
});

/** Registers `GET /drift`. */
export const driftRoutes: FastifyPluginAsyncZod<MonitorRoutesOptions> = async function driftRoutes(
  app,
  options,
) {
  app.get(
    '/drift',
    {
      schema: {
        summary: 'Data and prediction drift of the served model (reference sample vs logged predictions)',
        description:
          'Per column (V1..V28, Amount, score): KS p-value (reference ≤ 1,000 rows) or normed Wasserstein ' +
          'distance, PSI and Jensen-Shannon distance, histograms; dataset drift when at least half drift.',
        tags: ['monitoring'],
        querystring: monitorWindowQuerySchema,
        response: {
          200: driftReportSchema,
          400: errorReplySchema.describe('A bad window or since, or an empty window (DATA_INVALID)'),
          503: errorReplySchema.describe('No model, no reference sample, or no prediction log'),
        },
      },
    },
    async function drift(request) {
      return options.monitor.drift(request.query);
    },
  );
};
