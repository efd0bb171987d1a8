/** `POST /feedback`: the truth about a prediction, once known (an analyst's verdict, a chargeback). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { PredictionLog } from '../../predictions/index.js';
import { CardwatchError } from '../../util/errors.js';
import { errorReplySchema } from '../error-reply.js';
import { describeValue } from '../validation-message.js';

export interface FeedbackRoutesOptions {
  readonly log: PredictionLog | null;
}

export const feedbackBodySchema = z.strictObject(
  {
    prediction_id: z
      .string({ error: (issue) => `must be a string, got ${describeValue(issue.input)}` })
      .min(1, { error: 'must not be empty' })
      .max(64, { error: 'must be at most 64 characters (prediction ids are UUIDs)' })
      .describe('The prediction_id a scoring route returned'),
    label: z
      .union([z.literal(0), z.literal(1)], {
        error: (issue) => `must be 0 (legitimate) or 1 (fraud), got ${describeValue(issue.input)}`,
      })
      .describe('1 = the transaction was fraud, 0 = it was legitimate'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys
            .slice(0, 5)
            .map((key) => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key))
            .join(', ')}; the accepted fields are prediction_id, label`
        : `must be a JSON object like {"prediction_id": "…", "label": 1}, got ${describeValue(issue.input)}`,
  },
);

export const feedbackResponseSchema = z.object({
  prediction_id: z.string(),
  label: z.union([z.literal(0), z.literal(1)]).describe('The label now in force (the latest one given)'),
  labelled_at: z.string().describe('When that label was given (ISO 8601, UTC)'),
});

/** Registers `POST /feedback`. */
export const feedbackRoutes: FastifyPluginAsyncZod<FeedbackRoutesOptions> = async function feedbackRoutes(
  app,
  options,
) {
  app.post(
    '/feedback',
    {
      schema: {
        summary: 'Record the true label of a prediction',
        description:
          'Stores the label next to the logged prediction (the latest label wins). Used to measure the ' +
          'model on real outcomes.',
        tags: ['scoring'],
        body: feedbackBodySchema,
        response: {
          200: feedbackResponseSchema,
          400: errorReplySchema.describe('Malformed body or a label other than 0/1'),
          404: errorReplySchema.describe('No logged prediction has that id (PREDICTION_NOT_FOUND)'),
          503: errorReplySchema.describe('The prediction log is unavailable or disabled (LOG_UNAVAILABLE)'),
        },
      },
    },
    async function feedback(request) {
      if (options.log === null) {
        throw new CardwatchError(
          'LOG_UNAVAILABLE',
          'this server runs without a prediction log, so feedback cannot be stored',
        );
      }
      const { prediction_id: predictionId, label } = request.body;
      const stored = await options.log.recordFeedback(predictionId, label);
      return {
        prediction_id: stored.predictionId,
        label: stored.label,
        labelled_at: new Date(stored.labelledAt).toISOString(),
      };
    },
  );
};
