/**
 * `POST /predict/batch`: up to `serve.batch_max_rows` transactions as JSON rows or as a Kaggle CSV upload, one
 * result per row in order. A bad row gets its own error; every scored row is logged like a single prediction.
 *
 * The rows are scored in one model call; validating, logging and writing the answer yield to the event loop
 * every {@link ROWS_PER_SLICE} rows, so a 10,000-row batch does not stall the single predictions around it.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ScoringEngine } from '../../bundle/manifest.js';
import type { Scorer } from '../../bundle/scorer-types.js';
import { requireEngine } from '../../bundle/scorer.js';
import { CardwatchError } from '../../util/errors.js';
import { csvBatchInput, jsonBatchInput, ROWS_PER_SLICE, type BatchInput } from '../batch-input.js';
import { errorReplySchema } from '../error-reply.js';
import { riskLevel, RISK_DESCRIPTION, topContributions } from '../explain.js';
import { leaseScorer, type ModelProvider } from '../model-provider.js';
import { planFor, type ModelPlan } from '../model-plan.js';
import { ensureLogCapacity, finiteScore, recordPrediction, type PredictionSink } from '../prediction-sink.js';
import { describeValue } from '../validation-message.js';
import type { RequestClock } from './predict.js';
import {
  batchResponseSchema,
  engineQuerySchema,
  predictRowSchema,
  type BatchResponse,
  type BatchResult,
} from './predict-schemas.js';

export interface BatchRoutesOptions {
  readonly models: ModelProvider;
  readonly sink: PredictionSink;
  readonly topFeatures: number;
  readonly maxRows: number;
  readonly bodyLimitBytes: number;
}

/** The row schema as JSON Schema, shown in the docs for each JSON row (rows are validated one by one). */
const rowDocumentation = z.toJSONSchema(predictRowSchema, { io: 'input', unrepresentable: 'any' });
delete rowDocumentation.$schema;

/** The JSON body: `{rows: [...]}`; each row is checked on its own in the handler. */
export function jsonBatchBodySchema(maxRows: number) {
  return z.strictObject(
    {
      rows: z
        .array(z.unknown().meta(rowDocumentation), {
          error: (issue) =>
            issue.input === undefined
              ? 'is required: an array of rows like {"features": [...]}'
              : `must be an array of rows, got ${describeValue(issue.input)}`,
        })
        .min(1, { error: 'must hold at least one row' })
        .max(maxRows, {
          error: (issue) =>
            `must hold at most ${maxRows} rows (serve.batch_max_rows), got ${Array.isArray(issue.input) ? issue.input.length : 'more'}`,
        })
        .meta({ description: 'Transactions, each like the body of POST /predict' }),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys
              .slice(0, 5)
              .map((key) => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key))
              .join(', ')}; the only accepted field is "rows"`
          : `must be a JSON object like {"rows": [...]}, got ${describeValue(issue.input)}`,
    },
  );
}

/** A CSV upload arrives as the raw bytes (the `text/csv` parser of this plugin). */
const csvBodySchema = z.instanceof(Buffer).meta({
  type: 'string',
  description:
    'A Kaggle-schema CSV: header Time,V1..V28,Amount with or without a final Class column (ignored), one ' +
    'transaction per line. A bad line becomes that row’s error (CSV_ROW, naming line and column).',
});

function isJsonBatch(body: unknown): body is { rows: unknown[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { rows?: unknown }).rows);
}

/** Turns the scores into results in request order, logging every scored row. */
async function collectResults(
  options: BatchRoutesOptions,
  scorer: Scorer,
  plan: ModelPlan,
  engine: ScoringEngine,
  input: BatchInput,
  out: { scores: Float32Array; contributions: Float32Array },
  clock: RequestClock,
): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  const threshold = scorer.threshold;
  const modelVersion = scorer.manifest.id;
  const latencyMs = clock.elapsedTime;
  let e = 0;
  for (let i = 0; i < input.count; i++) {
    if (i > 0 && i % ROWS_PER_SLICE === 0) await yieldToEventLoop();
    const row = input.rowOf(i);
    for (; e < input.errors.length && (input.errors[e]?.row ?? Infinity) < row; e++) {
      results.push(errorResult(input, e));
    }
    const score = finiteScore(out.scores[i] as number, modelVersion);
    const isFraud = score > threshold;
    const top = topContributions(
      out.contributions,
      i * plan.width,
      plan.width,
      plan.columns,
      options.topFeatures,
    );
    const transactionId = input.transactionId(i);
    const predictionId = recordPrediction(options.sink, {
      modelVersion,
      engine,
      score,
      threshold,
      isFraud,
      latencyMs,
      features: input.features(i),
      amount: input.amount(i),
      time: input.time(i),
      transactionId,
      topFeatures: top,
    });
    results.push({
      row,
      status: 'ok',
      prediction_id: predictionId,
      transaction_id: transactionId,
      is_fraud: isFraud,
      score,
      risk: riskLevel(score, threshold),
      top_features: top,
    });
  }
  for (; e < input.errors.length; e++) results.push(errorResult(input, e));
  return results;
}

function errorResult(input: BatchInput, index: number): BatchResult {
  const error = input.errors[index] as BatchInput['errors'][number];
  return {
    row: error.row,
    status: 'error',
    transaction_id: error.transactionId,
    error: { code: error.code, message: error.message },
  };
}

/**
 * The answer as JSON text, built a slice of results at a time with yields in between: one `JSON.stringify`
 * (or a zod pass) over 10,000 results would hold the event loop for tens of milliseconds. The shape is
 * `batchResponseSchema`; every value in it was built by this module from checked numbers.
 */
async function serializeBatch(
  head: Omit<BatchResponse, 'results'>,
  results: readonly BatchResult[],
): Promise<string> {
  const parts: string[] = [];
  for (let start = 0; start < results.length; start += ROWS_PER_SLICE) {
    if (start > 0) await yieldToEventLoop();
    parts.push(
      results
        .slice(start, start + ROWS_PER_SLICE)
        .map((result) => JSON.stringify(result))
        .join(','),
    );
  }
  const opening = JSON.stringify(head).slice(0, -1);
  return `${opening},"results":[${parts.join(',')}]}`;
}

/** Registers `POST /predict/batch` and, in its own scope, the `text/csv` body parser. */
export const batchRoutes: FastifyPluginAsyncZod<BatchRoutesOptions> = async function batchRoutes(
  app,
  options,
) {
  // Scoped to this plugin: only the batch route takes CSV; elsewhere text/csv stays a 415.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post(
    '/predict/batch',
    {
      bodyLimit: options.bodyLimitBytes,
      config: { accepts: 'application/json ({"rows": [...]}) or text/csv (Kaggle schema)' },
      schema: {
        summary: 'Score many transactions (JSON rows or a CSV upload)',
        description:
          `Scores up to ${options.maxRows} transactions (serve.batch_max_rows) and logs each scored one. Send ` +
          'JSON `{"rows": [{features, amount?, time?, transaction_id?}, …]}` or a Kaggle-schema CSV with ' +
          '`Content-Type: text/csv`. The answer has one result per row, in order; a row that cannot be scored ' +
          `gets \`status: "error"\` with its own code and message instead of failing the batch. ${RISK_DESCRIPTION}`,
        tags: ['scoring'],
        querystring: engineQuerySchema,
        body: {
          content: {
            'application/json': { schema: jsonBatchBodySchema(options.maxRows) },
            'text/csv': { schema: csvBodySchema },
          },
        },
        response: {
          200: batchResponseSchema,
          400: errorReplySchema.describe(
            'Malformed JSON, no rows or too many, or a CSV whose header is not the Kaggle schema (CSV_HEADER)',
          ),
          404: errorReplySchema.describe(
            '?engine=int8 on a bundle without an int8 variant (ENGINE_NOT_AVAILABLE)',
          ),
          413: errorReplySchema.describe('Body larger than serve.batch_body_limit_bytes (PAYLOAD_TOO_LARGE)'),
          415: errorReplySchema.describe('Content type other than application/json or text/csv'),
          500: errorReplySchema.describe('The model failed; details are in the server log'),
          503: errorReplySchema.describe(
            'No model (MODEL_NOT_FOUND), the prediction log cannot take the rows (LOG_BACKPRESSURE), or shutting down',
          ),
        },
      },
    },
    async function predictBatch(request, reply) {
      const engine = request.query.engine ?? 'float32';
      const body: unknown = request.body;
      const lease = leaseScorer(options.models);
      try {
        const { scorer } = lease;
        requireEngine(scorer, engine);
        const plan = planFor(scorer);
        let input: BatchInput;
        if (Buffer.isBuffer(body)) input = csvBatchInput(body, plan, options.maxRows);
        else if (isJsonBatch(body)) input = await jsonBatchInput(body.rows, plan);
        else
          throw new CardwatchError(
            'INVALID_INPUT',
            'body must be a JSON object like {"rows": [...]} or a CSV',
          );
        ensureLogCapacity(options.sink.log, input.count);
        const out =
          input.count === 0
            ? { scores: new Float32Array(0), contributions: new Float32Array(0) }
            : await scorer.score(input.x, input.count, { engine, contributions: options.topFeatures > 0 });
        const results = await collectResults(options, scorer, plan, engine, input, out, reply);
        const text = await serializeBatch(
          {
            model_version: scorer.manifest.id,
            engine,
            threshold: scorer.threshold,
            rows: input.total,
            scored: input.count,
            failed: input.errors.length,
          },
          results,
        );
        // Already JSON text (see serializeBatch): sent as is; the plain FastifyReply type takes a string.
        return (reply as FastifyReply).type('application/json; charset=utf-8').send(text);
      } finally {
        lease.release();
      }
    },
  );
};
