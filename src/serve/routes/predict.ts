/**
 * `POST /predict`: one transaction in, one decision out. The handler is thin on purpose: the schema has
 * already checked the values, so it only checks the count against the loaded model, scores, and answers.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Scorer } from '../../bundle/scorer-types.js';
import { CardwatchError } from '../../util/errors.js';
import { errorReplySchema } from '../error-reply.js';
import { requireScorer, type ModelProvider } from '../model-provider.js';
import { predictBodySchema, predictResponseSchema, type PredictResponse } from './predict-schemas.js';

export interface PredictRoutesOptions {
  readonly models: ModelProvider;
}

/**
 * Names a column list compactly for messages: `V1..V28`, or the full list when it is short.
 * @example describeColumns(['V1', 'V2', 'V3']) // 'V1..V3'
 */
export function describeColumns(columns: readonly string[]): string {
  if (columns.length <= 2) return columns.join(', ');
  return `${columns[0]}..${columns[columns.length - 1]}`;
}

/** Checks the row width against the model, scores it, and shapes the answer. */
export async function predictOne(scorer: Scorer, features: readonly number[]): Promise<PredictResponse> {
  const expected = scorer.inputColumns.length;
  if (features.length !== expected) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `expected ${expected} features (${describeColumns(scorer.inputColumns)}), got ${features.length}`,
    );
  }
  const batch = await scorer.score(Float32Array.from(features), 1);
  const score = batch.scores[0];
  // A NaN score would serialise as null and decide "not fraud" silently; treat it as the model failing.
  if (score === undefined || !Number.isFinite(score)) {
    throw new Error(`model ${scorer.manifest.id} returned a non-finite score (${String(score)})`);
  }
  return {
    prediction_id: randomUUID(),
    is_fraud: score > scorer.threshold,
    score,
    threshold: scorer.threshold,
    model_version: scorer.manifest.id,
  };
}

/** Registers `POST /predict` (encapsulated: pass the model provider in the options). */
export const predictRoutes: FastifyPluginAsyncZod<PredictRoutesOptions> = async function predictRoutes(
  app,
  options,
) {
  app.post(
    '/predict',
    {
      schema: {
        summary: 'Score one transaction',
        description:
          'Scores one row of raw feature values with the loaded model. The number of values must match the ' +
          'model input columns (GET / lists them; the default model takes V1..V28).',
        tags: ['scoring'],
        body: predictBodySchema,
        response: {
          200: predictResponseSchema,
          400: errorReplySchema.describe(
            'Malformed JSON, a bad value (named by index) or a wrong feature count',
          ),
          413: errorReplySchema.describe('Body larger than the configured limit'),
          415: errorReplySchema.describe('Content type other than application/json'),
          500: errorReplySchema.describe('The model failed; details are in the server log'),
          503: errorReplySchema.describe('No model is loaded (code MODEL_NOT_FOUND)'),
        },
      },
    },
    async function predict(request) {
      return predictOne(requireScorer(options.models), request.body.features);
    },
  );
};
