/** `GET /quality`: live precision, recall, AUPRC and alert rate from feedback labels. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { qualityReportSchema } from '../../monitor/report-schema.js';
import { errorReplySchema } from '../error-reply.js';
import { monitorWindowQuerySchema, type MonitorRoutesOptions } from './drift.js';

/** Registers `GET /quality`. */
export const qualityRoutes: FastifyPluginAsyncZod<MonitorRoutesOptions> = async function qualityRoutes(
  app,
  options,
) {
  app.get(
    '/quality',
    {
      schema: {
        summary: 'Live model quality from feedback labels: precision, recall, AUPRC, alert rate',
        description:
          'Over the newest logged predictions (or those since a time): the alert rate of all of them, and ' +
          'precision/recall/AUPRC of those with a feedback label (null when the window cannot define one).',
        tags: ['monitoring'],
        querystring: monitorWindowQuerySchema,
        response: {
          200: qualityReportSchema,
          400: errorReplySchema.describe('A bad window or since'),
          503: errorReplySchema.describe('No prediction log (LOG_UNAVAILABLE)'),
        },
      },
    },
    async function quality(request) {
      return options.monitor.quality(request.query);
    },
  );
};
