/** `GET /model`: what the served bundle is: version, threshold, metrics, provenance and engines. */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SCORING_ENGINES, type BundleManifest, type ScoringEngine } from '../../bundle/manifest.js';
import type { Scorer } from '../../bundle/scorer-types.js';
import { scorerEngines } from '../../bundle/scorer.js';
import { splitMetricsSchema } from '../../evaluate/report-schema.js';
import { errorReplySchema } from '../error-reply.js';
import { requireScorer, type ModelProvider } from '../model-provider.js';

export interface ModelRoutesOptions {
  readonly models: ModelProvider;
}

const engineSchema = z.enum(SCORING_ENGINES as [ScoringEngine, ...ScoringEngine[]]);

export const modelResponseSchema = z.object({
  model_version: z.string().describe('Bundle id, as in every prediction'),
  model_type: z.string(),
  source: z.enum(['training', 'import']).describe('Trained by cardwatch, or an imported network'),
  format_version: z.int(),
  created_at: z.string().describe('When the bundle was exported (ISO 8601, UTC)'),
  input_columns: z
    .array(z.string())
    .describe('Model inputs in order; Amount/Time mean requests need amount/time'),
  threshold: z.object({
    value: z.number(),
    strategy: z.string().describe('How it was chosen, e.g. normal_percentile(95) on validation'),
    chosen_on: z.enum(['validation', 'user']),
  }),
  metrics: z
    .object({ validation: splitMetricsSchema, test: splitMetricsSchema })
    .nullable()
    .describe('Validation and test metrics at the threshold (null for an imported model)'),
  data_fingerprint: z.string().nullable().describe('sha256 of the training dataset (null for an import)'),
  run_id: z.string().nullable(),
  git_commit: z.string().nullable(),
  content_hash: z.string().describe('sha256 over the bundle files, verified at load'),
  engines: z.array(engineSchema).describe('Variants this server can score with (?engine=)'),
  int8: z
    .object({
      scheme: z.string(),
      rank_correlation: z.number().describe('Spearman correlation with float32 scores on the parity rows'),
      flag_agreement: z.number().describe('Share of parity rows flagged alike by int8 and float32'),
      max_abs_diff: z.number(),
    })
    .nullable()
    .describe('Agreement of the int8 variant with float32, measured at export (null without int8)'),
});
export type ModelResponse = z.infer<typeof modelResponseSchema>;

/** The manifest fields clients need, in the documented shape. */
export function describeModel(scorer: Scorer): ModelResponse {
  const m: BundleManifest = scorer.manifest;
  const int8 = m.variants.int8;
  return {
    model_version: m.id,
    model_type: m.model_type,
    source: m.source,
    format_version: m.format_version,
    created_at: m.created_at,
    input_columns: [...m.input_columns],
    threshold: { value: m.threshold.value, strategy: m.threshold.strategy, chosen_on: m.threshold.chosen_on },
    metrics: m.metrics,
    data_fingerprint: m.data_fingerprint,
    run_id: m.run_id,
    git_commit: m.git_commit,
    content_hash: m.content_hash,
    engines: [...scorerEngines(scorer)],
    int8:
      int8 === undefined
        ? null
        : {
            scheme: int8.scheme,
            rank_correlation: int8.rank_correlation,
            flag_agreement: int8.flag_agreement,
            max_abs_diff: int8.max_abs_diff,
          },
  };
}

/** Registers `GET /model`. */
export const modelRoutes: FastifyPluginAsyncZod<ModelRoutesOptions> = async function modelRoutes(
  app,
  options,
) {
  app.get(
    '/model',
    {
      schema: {
        summary: 'The served model bundle: version, threshold, metrics, data fingerprint, engines',
        tags: ['model'],
        response: {
          200: modelResponseSchema,
          503: errorReplySchema.describe('No model is loaded (MODEL_NOT_FOUND)'),
        },
      },
    },
    async function model() {
      return describeModel(requireScorer(options.models));
    },
  );
};
