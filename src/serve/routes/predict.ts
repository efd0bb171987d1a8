/**
 * `POST /predict`: one transaction in, one logged decision out. The schema has already checked the values, so
 * the handler maps the row onto the model's columns, scores it, logs it, and answers. The path is kept lean for
 * ~15,000 requests/s: a pooled input row, the model's column plan cached per scorer, one `await` (the model run
 * this request shares with the others of its event-loop turn).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ScoringEngine } from '../../bundle/manifest.js';
import { requireEngine } from '../../bundle/scorer.js';
import { errorReplySchema } from '../error-reply.js';
import { fastBodyValidatorCompiler, trustedSerializerCompiler } from '../fast-path.js';
import { riskLevel, RISK_DESCRIPTION, topContributions } from '../explain.js';
import { leaseScorer, type ModelProvider } from '../model-provider.js';
import { planFor } from '../model-plan.js';
import { batcherFor, type BatchSlot } from '../score-batcher.js';
import {
  predictResponseJson,
  topFeaturesTexts,
  TOP_FEATURES_JSON,
  type PredictAnswer,
} from './predict-json.js';
import { ensureLogCapacity, finiteScore, recordPrediction, type PredictionSink } from '../prediction-sink.js';
import { isPlainValidRow } from '../row-validation.js';
import {
  engineQuerySchema,
  predictResponseSchema,
  predictRowSchema,
  type PredictRow,
} from './predict-schemas.js';

export interface PredictRoutesOptions {
  readonly models: ModelProvider;
  readonly sink: PredictionSink;
  /** Features listed in `top_features` (0 = none, and the model skips computing contributions). */
  readonly topFeatures: number;
}

/** Anything that knows how long the request has been running, in ms: the Fastify reply does. */
export interface RequestClock {
  readonly elapsedTime: number;
}

/**
 * Scores one validated row with the current model and logs it. Throws CardwatchErrors for the client's
 * mistakes (wrong feature count, missing amount/time, unknown engine) and the 503s (no model, log full).
 */
export async function predictOne(
  context: PredictRoutesOptions,
  row: PredictRow,
  engine: ScoringEngine = 'float32',
  clock: RequestClock = { elapsedTime: 0 },
): Promise<PredictAnswer> {
  const lease = leaseScorer(context.models);
  try {
    const { scorer } = lease;
    requireEngine(scorer, engine);
    const plan = planFor(scorer);
    const x = plan.rows.take();
    let pending: Promise<BatchSlot>;
    try {
      const problem = plan.fill(row, x, 0);
      if (problem !== null) throw problem;
      ensureLogCapacity(context.sink.log, 1);
      // Scored together with the other requests of this event-loop turn (score-batcher.ts); the row is copied.
      pending = batcherFor(scorer, engine, context.topFeatures > 0, plan.width).score(x);
    } finally {
      plan.rows.give(x);
    }
    const { batch, index } = await pending;
    const score = finiteScore(batch.scores[index] as number, scorer.manifest.id);
    const threshold = scorer.threshold;
    const isFraud = score > threshold;
    const topFeatures = topContributions(
      batch.contributions,
      index * plan.width,
      plan.width,
      plan.columns,
      context.topFeatures,
    );
    const topTexts = topFeaturesTexts(topFeatures);
    const transactionId = row.transaction_id ?? null;
    const predictionId = recordPrediction(context.sink, {
      modelVersion: scorer.manifest.id,
      engine,
      score,
      threshold,
      isFraud,
      latencyMs: clock.elapsedTime,
      features: row.features,
      amount: row.amount ?? null,
      time: row.time ?? null,
      transactionId,
      topFeatures,
      topFeaturesJson: topTexts.log,
    });
    return {
      prediction_id: predictionId,
      transaction_id: transactionId,
      is_fraud: isFraud,
      score,
      threshold,
      risk: riskLevel(score, threshold),
      model_version: scorer.manifest.id,
      engine,
      top_features: topFeatures,
      [TOP_FEATURES_JSON]: topTexts.answer,
    };
  } finally {
    lease.release();
  }
}

/** Registers `POST /predict` (encapsulated: everything it needs comes in the options). */
export const predictRoutes: FastifyPluginAsyncZod<PredictRoutesOptions> = async function predictRoutes(
  app,
  options,
) {
  app.post(
    '/predict',
    {
      // The hot path: see fast-path.ts (zod stays the source of truth for what is accepted and for messages).
      validatorCompiler: fastBodyValidatorCompiler(isPlainValidRow),
      serializerCompiler: trustedSerializerCompiler(200, predictResponseJson),
      schema: {
        summary: 'Score one transaction',
        description:
          'Scores one transaction with the served model and logs the prediction. `features` are V1..V28; ' +
          '`amount` and `time` are needed only when the model takes Amount / Time (GET /model: input_columns). ' +
          `${RISK_DESCRIPTION} \`top_features\` lists the features with the largest reconstruction error.`,
        tags: ['scoring'],
        querystring: engineQuerySchema,
        body: predictRowSchema,
        response: {
          200: predictResponseSchema,
          400: errorReplySchema.describe(
            'Malformed JSON, a bad value (named by path), a wrong feature count (SHAPE_MISMATCH) or a missing ' +
              'amount/time the model needs',
          ),
          404: errorReplySchema.describe(
            '?engine=int8 on a bundle without an int8 variant (ENGINE_NOT_AVAILABLE)',
          ),
          413: errorReplySchema.describe('Body larger than serve.body_limit_bytes (PAYLOAD_TOO_LARGE)'),
          415: errorReplySchema.describe('Content type other than application/json (UNSUPPORTED_MEDIA_TYPE)'),
          500: errorReplySchema.describe('The model failed; details are in the server log'),
          503: errorReplySchema.describe(
            'No model is loaded (MODEL_NOT_FOUND), the prediction log is behind (LOG_BACKPRESSURE) or the ' +
              'service is shutting down (SHUTTING_DOWN); nothing was scored',
          ),
        },
      },
    },
    function predict(request, reply) {
      return predictOne(options, request.body, request.query.engine, reply);
    },
  );
};
