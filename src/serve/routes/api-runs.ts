/**
 * Read-only views of the training runs for the web app's experiments page: `GET /api/runs` (one line per run,
 * as `cardwatch runs list`) and `GET /api/runs/:id` (one run in full: loss per epoch, evaluation with its
 * curves). Registered only when the server knows its runs folder.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { configSchema } from '../../config/schema.js';
import { evaluationReportSchema } from '../../evaluate/report-schema.js';
import {
  configDiff,
  formatConfigValue,
  readRunSummaries,
  readRunSummary,
  runRecordSchema,
  type RunSummary,
} from '../../runs/index.js';
import { errorReplySchema } from '../error-reply.js';

export interface ApiRunsRoutesOptions {
  readonly runsDir: string;
  /** The config runs are compared with (plain data); null = the schema's defaults. */
  readonly defaultConfig: unknown;
}

const configChangeSchema = z.object({
  key: z.string().describe('Dotted key path, e.g. training.lr'),
  value: z.string().describe("The run's value (— when the run has no such key)"),
  default: z.string().describe('The default value (— when the default has no such key)'),
});

const splitScoresSchema = z
  .object({ roc_auc: z.number(), average_precision: z.number() })
  .nullable()
  .describe('null when the run has no evaluation');

export const runListItemSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'completed', 'failed']).nullable().describe('null when run.json is unreadable'),
  model_type: z.string().nullable(),
  created_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  epochs_run: z.int().nullable(),
  sweep_id: z.string().nullable(),
  changes: z.array(configChangeSchema).describe('Config keys that differ from the default'),
  validation: splitScoresSchema,
  test: splitScoresSchema,
  problems: z.array(z.string()).describe('Files of the run that exist but could not be read'),
});
export type RunListItem = z.infer<typeof runListItemSchema>;

export const runListSchema = z.object({ runs: z.array(runListItemSchema).describe('Newest first') });
export type RunList = z.infer<typeof runListSchema>;

export const runDetailSchema = runListItemSchema.extend({
  record: runRecordSchema.nullable(),
  epochs: z
    .array(
      z.object({
        epoch: z.int(),
        train_loss: z.number().nullable(),
        val_loss: z.number().nullable(),
        val_average_precision: z.number().nullable(),
      }),
    )
    .describe('metrics.jsonl, one entry per epoch'),
  evaluation: evaluationReportSchema.nullable(),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

const runParamsSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be a run id such as run-20261126-235650-66c2' }),
});

function listItem(summary: RunSummary, defaults: unknown): RunListItem {
  const record = summary.record;
  const scores = (split: 'validation' | 'test') => {
    const metrics = summary.evaluation?.[split];
    return metrics === undefined
      ? null
      : { roc_auc: metrics.roc_auc, average_precision: metrics.average_precision };
  };
  return {
    id: summary.id,
    status: record?.status ?? null,
    model_type: record?.model_type ?? null,
    created_at: record?.created_at ?? null,
    duration_seconds: record?.duration_seconds ?? null,
    epochs_run: record?.epochs_run ?? null,
    sweep_id: record?.sweep_id ?? null,
    changes:
      summary.config === null
        ? []
        : configDiff(defaults, summary.config).map((d) => ({
            key: d.key,
            value: formatConfigValue(d.b),
            default: formatConfigValue(d.a),
          })),
    validation: scores('validation'),
    test: scores('test'),
    problems: summary.problems,
  };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Registers `GET /api/runs` and `GET /api/runs/:id`. */
export const apiRunsRoutes: FastifyPluginAsyncZod<ApiRunsRoutesOptions> = async function apiRunsRoutes(
  app,
  options,
) {
  // Plain data (JSON round trip), the same thing `cardwatch runs list` compares with.
  const defaults: unknown = options.defaultConfig ?? JSON.parse(JSON.stringify(configSchema.parse({})));

  app.get(
    '/api/runs',
    {
      schema: {
        summary:
          'Training runs: status, config changes from the default, validation and test ROC AUC / AUPRC',
        tags: ['experiments'],
        response: { 200: runListSchema },
      },
    },
    async function listRuns() {
      const runs = readRunSummaries(options.runsDir)
        .map((summary) => listItem(summary, defaults))
        .reverse();
      return { runs };
    },
  );

  app.get(
    '/api/runs/:id',
    {
      schema: {
        summary: 'One training run: record, loss per epoch, evaluation report with ROC and PR curves',
        tags: ['experiments'],
        params: runParamsSchema,
        response: {
          200: runDetailSchema,
          400: errorReplySchema.describe('Not a run id (INVALID_INPUT)'),
          404: errorReplySchema.describe('No such run (RUN_NOT_FOUND)'),
        },
      },
    },
    async function showRun(request) {
      const summary = readRunSummary(options.runsDir, request.params.id);
      return {
        ...listItem(summary, defaults),
        record: summary.record,
        epochs: summary.epochs.map((line) => ({
          epoch: line.epoch,
          train_loss: numberOrNull(line.train_loss),
          val_loss: numberOrNull(line.val_loss),
          val_average_precision: numberOrNull(line.val_average_precision),
        })),
        evaluation: summary.evaluation,
      };
    },
  );
};
