/**
 * Request and response schemas of `POST /predict`. Messages are predicates ("must be …"); the error handler
 * prefixes the JSON path, giving e.g. `features[3] must be a finite number, got Infinity`.
 */
import { z } from 'zod';
import { describeValue } from '../validation-message.js';

/** Largest finite float32: the model runs in float32, so anything above rounds to Infinity inside it. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * One raw feature value: a JSON number that stays finite in float32. JSON has no NaN/Infinity, but
 * `JSON.parse('1e999')` is Infinity, and zod 4 numbers reject non-finite values; strings such as "1.5" are
 * rejected too (no silent coercion: a client sending strings has a bug worth hearing about).
 */
export const featureValueSchema = z
  .number({ error: (issue) => `must be a finite number, got ${describeValue(issue.input)}` })
  .refine((value) => Number.isFinite(Math.fround(value)), {
    error: (issue) =>
      `must fit in float32 (|x| <= ${FLOAT32_MAX.toPrecision(8)}), got ${describeValue(issue.input)}`,
  });

/**
 * The body: exactly `{ "features": [...] }`. Unknown fields are rejected rather than ignored, so a client that
 * sends `{"features": [...], "Amount": 12}` learns that `Amount` is not used instead of trusting it was.
 * The feature count depends on the loaded model, so it is checked in the handler, not here.
 */
export const predictBodySchema = z.strictObject(
  {
    features: z
      .array(featureValueSchema, {
        error: (issue) =>
          issue.input === undefined
            ? 'is required: an array of numbers in the model input column order'
            : `must be an array of numbers, got ${describeValue(issue.input)}`,
      })
      .describe('Raw feature values in the order of the model input columns (see GET /: input_columns)'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}; the only accepted field is "features"`
        : `must be a JSON object like {"features": [...]}, got ${describeValue(issue.input)}`,
  },
);
export type PredictBody = z.infer<typeof predictBodySchema>;

export const predictResponseSchema = z
  .object({
    prediction_id: z.string().describe('Unique id of this prediction (UUID v4)'),
    is_fraud: z.boolean().describe('score > threshold'),
    score: z.number().describe('Anomaly score: higher is more suspicious'),
    threshold: z.number().describe('Decision threshold of the model, chosen on validation data'),
    model_version: z.string().describe('Id of the model bundle that produced the score'),
  })
  .describe('The decision for one transaction');
export type PredictResponse = z.infer<typeof predictResponseSchema>;
