/**
 * Request and response schemas of the scoring routes (`POST /predict`, rows of `POST /predict/batch`).
 * Messages are predicates ("must be …"); the error handler prefixes the JSON path, giving e.g.
 * `features[3] must be a finite number, got Infinity`.
 */
import { z } from 'zod';
import { SCORING_ENGINES, type ScoringEngine } from '../../bundle/manifest.js';
import { RISK_DESCRIPTION } from '../explain.js';
import { REQUEST_FEATURE_COUNT } from '../model-plan.js';
import { describeValue } from '../validation-message.js';

/** Largest finite float32: the model runs in float32, so anything above rounds to Infinity inside it. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Longest accepted client transaction id (it is stored with every prediction). */
export const TRANSACTION_ID_MAX = 128;

/**
 * One raw value: a JSON number that stays finite in float32. JSON has no NaN/Infinity, but
 * `JSON.parse('1e999')` is Infinity, and zod 4 numbers reject non-finite values; strings such as "1.5" are
 * rejected too (no silent coercion: a client sending strings has a bug worth hearing about).
 */
export const featureValueSchema = z
  .number({ error: (issue) => `must be a finite number, got ${describeValue(issue.input)}` })
  .refine((value) => Number.isFinite(Math.fround(value)), {
    error: (issue) =>
      `must fit in float32 (|x| <= ${FLOAT32_MAX.toPrecision(8)}), got ${describeValue(issue.input)}`,
  });

/** The fields of a transaction, in the order the messages list them. */
export const ROW_FIELDS = ['features', 'amount', 'time', 'transaction_id'] as const;

/** `"Amount"` → ` (did you mean "amount"?)`: the Kaggle CSV capitalises the names the API spells in lower case. */
function didYouMean(keys: readonly string[]): string {
  for (const key of keys) {
    const known = ROW_FIELDS.find((field) => field === key.toLowerCase());
    if (known !== undefined) return ` (did you mean "${known}"?)`;
  }
  return '';
}

/**
 * One transaction: `features` (V1..V28, in that order) and optionally `amount`, `time` and the client's own
 * `transaction_id`. Unknown fields are rejected rather than ignored, so a client that sends `"Amount": 12`
 * learns that it is not read instead of trusting it was. The feature count is checked against the model's
 * needs in the handler (`SHAPE_MISMATCH`), after the values.
 */
export const predictRowSchema = z.strictObject(
  {
    features: z
      .array(featureValueSchema, {
        error: (issue) =>
          issue.input === undefined
            ? `is required: an array of the ${REQUEST_FEATURE_COUNT} values V1..V${REQUEST_FEATURE_COUNT}`
            : `must be an array of numbers, got ${describeValue(issue.input)}`,
      })
      .describe(`The ${REQUEST_FEATURE_COUNT} values V1..V${REQUEST_FEATURE_COUNT}, in that order`),
    amount: featureValueSchema
      .nullable()
      .optional()
      .describe('Transaction amount (Kaggle `Amount`); required when the model takes Amount'),
    time: featureValueSchema
      .nullable()
      .optional()
      .describe(
        'Seconds since the first transaction of the dataset (Kaggle `Time`); required when the model takes Time',
      ),
    transaction_id: z
      .string({ error: (issue) => `must be a string, got ${describeValue(issue.input)}` })
      .min(1, { error: 'must not be empty' })
      .max(TRANSACTION_ID_MAX, {
        error: (issue) =>
          `must be at most ${TRANSACTION_ID_MAX} characters, got ${typeof issue.input === 'string' ? issue.input.length : '?'}`,
      })
      .nullable()
      .optional()
      .describe('Your own id of the transaction; stored with the prediction and echoed back'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys
            .slice(0, 5)
            .map((key) => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key))
            .join(
              ', ',
            )}${issue.keys.length > 5 ? ', …' : ''}; the accepted fields are ${ROW_FIELDS.join(', ')}` +
          didYouMean(issue.keys)
        : `must be a JSON object like {"features": [...]}, got ${describeValue(issue.input)}`,
  },
);
export type PredictRow = z.infer<typeof predictRowSchema>;

/** `?engine=`: which model variant scores (default float32). */
export const engineQuerySchema = z.strictObject(
  {
    engine: z
      .enum(SCORING_ENGINES as [ScoringEngine, ...ScoringEngine[]], {
        error: (issue) => `must be one of ${SCORING_ENGINES.join(', ')}, got ${describeValue(issue.input)}`,
      })
      .optional()
      .describe(
        'Model variant: float32 (default) or int8 (the quantized variant; 404 ENGINE_NOT_AVAILABLE when the ' +
          'bundle has none)',
      ),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown parameter${issue.keys.length === 1 ? '' : 's'} ${issue.keys
            .slice(0, 5)
            .map((key) => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key))
            .join(', ')}; the only accepted parameter is engine`
        : 'is invalid',
  },
);

export const featureContributionSchema = z.object({
  feature: z.string().describe('Model input column, e.g. V14'),
  contribution: z
    .number()
    .describe(
      'How much it pushes the score up: its squared reconstruction error for an autoencoder, its positive gradient × input of the log-odds for a classifier or hybrid; rounded to 6 decimals',
    ),
  share: z.number().describe("Its part of the row's total contributions, 0..1, rounded to 6 decimals"),
});

export const riskSchema = z.enum(['low', 'moderate', 'high']).describe(RISK_DESCRIPTION);

const topFeaturesSchema = z
  .array(featureContributionSchema)
  .describe('The features that contribute most to the score, largest first (serve.top_features of them)');

export const predictResponseSchema = z
  .object({
    prediction_id: z
      .string()
      .describe('Unique, time-sortable id of this prediction (UUID v7); send it to POST /feedback'),
    transaction_id: z.string().nullable().describe('Your transaction_id, when you sent one'),
    is_fraud: z.boolean().describe('score > threshold'),
    score: z
      .number()
      .describe(
        'Fraud score, higher is more suspicious: mean squared reconstruction error (autoencoder) or calibrated fraud probability (classifier, hybrid); see GET /model score.name',
      ),
    threshold: z.number().describe('Decision threshold of the model, chosen on validation data'),
    risk: riskSchema,
    model_version: z.string().describe('Id of the model bundle that produced the score'),
    engine: z.enum(SCORING_ENGINES as [ScoringEngine, ...ScoringEngine[]]).describe('Model variant used'),
    top_features: topFeaturesSchema,
  })
  .describe('The decision for one transaction');
export type PredictResponse = z.infer<typeof predictResponseSchema>;

/** One row of a batch answer: a prediction, or why that row could not be scored. */
export const batchResultSchema = z.discriminatedUnion('status', [
  z.object({
    row: z.int().describe('0-based index of the row in the request (data line for CSV)'),
    status: z.literal('ok'),
    prediction_id: z.string(),
    transaction_id: z.string().nullable(),
    is_fraud: z.boolean(),
    score: z.number(),
    risk: riskSchema,
    top_features: topFeaturesSchema,
  }),
  z.object({
    row: z.int(),
    status: z.literal('error'),
    transaction_id: z.string().nullable(),
    error: z.object({
      code: z.string().describe('Catalogue code, e.g. INVALID_INPUT or SHAPE_MISMATCH'),
      message: z.string(),
    }),
  }),
]);
export type BatchResult = z.infer<typeof batchResultSchema>;

export const batchResponseSchema = z
  .object({
    model_version: z.string(),
    engine: z.enum(SCORING_ENGINES as [ScoringEngine, ...ScoringEngine[]]),
    threshold: z.number(),
    rows: z.int().describe('Rows received'),
    scored: z.int().describe('Rows scored (and logged)'),
    failed: z.int().describe('Rows answered with an error'),
    results: z.array(batchResultSchema).describe('One result per row, in request order'),
  })
  .describe('One result per row, in order; a bad row gets an error instead of failing the batch');
export type BatchResponse = z.infer<typeof batchResponseSchema>;
