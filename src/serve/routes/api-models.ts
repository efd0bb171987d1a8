/**
 * The model registry for the web app: `GET /api/models` (bundles, aliases, which one is served),
 * `GET /api/models/:id` (one manifest), `GET /api/examples` (the served bundle's example rows, for the score
 * page's "sample normal / sample fraud" buttons) and, behind the admin key, `POST /admin/promote`. Registered
 * only when the server knows its models folder.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { examplesSchema, readExamples } from '../../bundle/examples.js';
import { isValidName } from '../../bundle/layout.js';
import { SCORING_ENGINES, type BundleManifest, type ScoringEngine } from '../../bundle/manifest.js';
import { listBundles, promoteBundle, readAliases, resolveBundle } from '../../bundle/registry.js';
import { CardwatchError } from '../../util/errors.js';
import { adminKeyChecker } from '../admin-auth.js';
import { errorReplySchema } from '../error-reply.js';
import { requireScorer, type ModelProvider } from '../model-provider.js';

export interface ApiModelsRoutesOptions {
  readonly modelsDir: string;
  readonly models: ModelProvider;
}

export interface AdminPromoteRoutesOptions {
  readonly modelsDir: string;
  readonly adminKey: string;
}

export const bundleListItemSchema = z.object({
  id: z.string(),
  created_at: z.string().nullable(),
  model_type: z.string().nullable(),
  source: z.enum(['training', 'import']).nullable(),
  aliases: z.array(z.string()),
  engines: z.array(z.enum(SCORING_ENGINES as [ScoringEngine, ...ScoringEngine[]])),
  test_roc_auc: z.number().nullable(),
  test_average_precision: z.number().nullable(),
  threshold: z.number().nullable(),
  error: z.string().nullable().describe('Why the bundle is unusable; null for a healthy bundle'),
  served: z.boolean().describe('This server is scoring with this bundle now'),
});
export type BundleListItem = z.infer<typeof bundleListItemSchema>;

export const modelRegistrySchema = z.object({
  served_version: z.string().nullable().describe('The bundle this server scores with (null: none loaded)'),
  aliases: z.record(z.string(), z.string()).describe('Alias → bundle id, e.g. {"production": "…"}'),
  bundles: z.array(bundleListItemSchema).describe('Newest first; unreadable bundles last, with an error'),
});
export type ModelRegistry = z.infer<typeof modelRegistrySchema>;

// The manifest goes out as stored: its schema reads old manifests through a one-way preprocess, which the
// response serializer cannot encode, so the wire schema is a plain object and the type is the manifest's own.
export const bundleDetailSchema = z.object({
  id: z.string(),
  manifest: z.record(z.string(), z.unknown()).describe('manifest.json of the bundle (format_version 1 or 2)'),
});
export interface BundleDetail {
  readonly id: string;
  readonly manifest: BundleManifest;
}

export const examplesResponseSchema = z.intersection(
  z.object({ model_version: z.string().describe('The served bundle the rows come from') }),
  examplesSchema,
);
export type ExamplesResponse = z.infer<typeof examplesResponseSchema>;

export const promoteRequestSchema = z.strictObject({
  id: z.string({ error: 'is required: the bundle id (or alias) to promote' }).min(1),
  alias: z
    .string()
    .refine(isValidName, {
      error: "must be letters, digits, '.', '_' or '-', starting with a letter or digit",
    })
    .default('production')
    .describe('The alias to point at the bundle (default production)'),
});
export type PromoteRequest = z.input<typeof promoteRequestSchema>;

export const promoteResponseSchema = z.object({
  alias: z.string(),
  id: z.string(),
  previous: z.string().nullable().describe('The bundle the alias pointed to before'),
});
export type PromoteResponse = z.infer<typeof promoteResponseSchema>;

const bundleParamsSchema = z.object({
  id: z
    .string()
    .refine(isValidName, { error: 'must be a bundle id such as autoencoder-20261126-235650-66c2' }),
});

/** Registers the read-only registry routes. */
export const apiModelsRoutes: FastifyPluginAsyncZod<ApiModelsRoutesOptions> = async function apiModelsRoutes(
  app,
  options,
) {
  app.get(
    '/api/models',
    {
      schema: {
        summary: 'The model registry: bundles with their aliases, metrics and engines; which one is served',
        tags: ['model'],
        response: { 200: modelRegistrySchema, 500: errorReplySchema },
      },
    },
    async function registry() {
      const served = options.models.current()?.manifest.id ?? null;
      return {
        served_version: served,
        aliases: readAliases(options.modelsDir),
        bundles: listBundles(options.modelsDir).map((bundle) => ({
          id: bundle.id,
          created_at: bundle.created_at,
          model_type: bundle.model_type,
          source: bundle.source,
          aliases: bundle.aliases,
          engines: bundle.engines,
          test_roc_auc: bundle.test_roc_auc,
          test_average_precision: bundle.test_average_precision,
          threshold: bundle.threshold,
          error: bundle.error ?? null,
          served: bundle.id === served,
        })),
      };
    },
  );

  app.get(
    '/api/models/:id',
    {
      schema: {
        summary: "One bundle's manifest (by id or alias)",
        tags: ['model'],
        params: bundleParamsSchema,
        response: {
          200: bundleDetailSchema,
          404: errorReplySchema.describe('No such bundle or alias (MODEL_NOT_FOUND)'),
          500: errorReplySchema.describe('The bundle is damaged (MODEL_CORRUPT)'),
        },
      },
    },
    async function bundleDetail(request): Promise<BundleDetail> {
      // No hash check: reading a manifest to show it should not read every model file.
      const { id, manifest } = resolveBundle(options.modelsDir, request.params.id, { verifyHash: false });
      return { id, manifest };
    },
  );

  app.get(
    '/api/examples',
    {
      schema: {
        summary:
          'Example rows of the served bundle (normal and fraud, from its test split), all 30 input columns',
        tags: ['model'],
        response: {
          200: examplesResponseSchema,
          404: errorReplySchema.describe('The served bundle has no examples file (FILE_NOT_FOUND)'),
          503: errorReplySchema.describe('No model is loaded (MODEL_NOT_FOUND)'),
        },
      },
    },
    async function examples() {
      const manifest = requireScorer(options.models).manifest;
      const file = manifest.files.examples;
      if (file === null || file === undefined) {
        throw new CardwatchError(
          'FILE_NOT_FOUND',
          `model ${manifest.id} has no example rows (bundles exported by cardwatch export have them)`,
        );
      }
      return { model_version: manifest.id, ...readExamples(join(options.modelsDir, manifest.id), file) };
    },
  );
};

/** Registers `POST /admin/promote` with the admin key check on every request of this scope. */
export const adminPromoteRoutes: FastifyPluginAsyncZod<AdminPromoteRoutesOptions> =
  async function adminPromoteRoutes(app, options) {
    const checkKey = adminKeyChecker(options.adminKey);
    app.addHook('onRequest', async function requireAdminKey(request) {
      checkKey(request.headers);
    });
    app.post(
      '/admin/promote',
      {
        schema: {
          summary: 'Point an alias (default production) at a bundle, as `cardwatch models promote`',
          description:
            'Verifies the bundle (content hash) and rewrites aliases.json atomically. The server keeps scoring ' +
            'with the model it has; POST /admin/reload switches it to the newly promoted one.',
          tags: ['admin'],
          security: [{ adminBearer: [] }, { adminApiKey: [] }],
          body: promoteRequestSchema,
          response: {
            200: promoteResponseSchema,
            400: errorReplySchema.describe('Not a valid alias, or one that would shadow a bundle id'),
            401: errorReplySchema.describe('No admin key, or a wrong one (UNAUTHORIZED)'),
            404: errorReplySchema.describe('No such bundle (MODEL_NOT_FOUND)'),
            500: errorReplySchema.describe('The bundle is damaged (MODEL_CORRUPT); nothing changed'),
          },
        },
      },
      async function promote(request) {
        const result = promoteBundle(options.modelsDir, request.body.id, request.body.alias);
        request.log.warn(result, 'alias promoted');
        return result;
      },
    );
  };
