/**
 * Options of the scoring app and their defaults. The defaults equal the `serve` section of the config schema
 * (a test keeps them equal), so an app built in a test behaves like `cardwatch serve` with no overrides.
 */
import { fileURLToPath } from 'node:url';
import type { FastifyServerOptions } from 'fastify';
import type { PredictionLog } from '../predictions/index.js';
import type { ModelProvider } from './model-provider.js';

export interface AppOptions {
  /**
   * Where the routes get the model; may have none (scoring routes then answer 503). The app owns it:
   * `app.close()` calls its `close()`, if it has one, after the last request.
   */
  readonly models: ModelProvider;
  /**
   * The durable log every answered prediction is written to; null = predictions are answered but not stored
   * (tests, embedding). The app owns it: `app.close()` closes (flushes) it after the last request.
   */
  readonly predictionLog?: PredictionLog | null;
  /** Fastify logger: `false` (default) for silence, `true` or pino options for structured logs. */
  readonly logger?: FastifyServerOptions['logger'];
  /** One log line per request (default false: at 15,000 requests/s they cost more than the scoring). */
  readonly logRequests?: boolean;
  /** Largest accepted request body of every route but the batch one; larger bodies get a 413. */
  readonly bodyLimitBytes?: number;
  /** Most rows in one `POST /predict/batch`. */
  readonly batchMaxRows?: number;
  /** Largest accepted body of `POST /predict/batch`. */
  readonly batchBodyLimitBytes?: number;
  /** Features listed in each prediction's `top_features` (0 = none). */
  readonly topFeatures?: number;
  /** Longest a client may take to send a whole request before it gets a 408. */
  readonly requestTimeoutMs?: number;
  /** Browser origins allowed by CORS (`['*']` = any); empty (default) = no CORS headers at all. */
  readonly corsOrigins?: readonly string[];
  /** The admin API key; null/empty (default) = the admin routes do not exist (404). */
  readonly adminKey?: string | null;
  /** Process metrics (CPU, memory, event loop, GC) in `/metrics`. Default true. */
  readonly processMetrics?: boolean;
  /** Training runs folder read by `GET /api/runs` (web app experiments); null (default) = those routes 404. */
  readonly runsDir?: string | null;
  /** Model registry folder read by `GET /api/models` and `POST /admin/promote`; null (default) = they 404. */
  readonly modelsDir?: string | null;
  /**
   * The config a plain `cardwatch train` would use, as plain data: runs are described by how they differ from
   * it. null (default) = the schema's defaults.
   */
  readonly defaultConfig?: unknown;
  /** The built web app (Vite output) served at `/ui/`; undefined = `dist/web` of this package, null = none. */
  readonly webDir?: string | null;
}

/** The defaults, as in `configs/default.yaml` (`serve` section). */
export const APP_DEFAULTS = {
  bodyLimitBytes: 64 * 1024,
  batchMaxRows: 10_000,
  batchBodyLimitBytes: 16 * 1024 * 1024,
  topFeatures: 5,
  requestTimeoutMs: 30_000,
} as const;

/**
 * Where `npm run build` puts the web app: `dist/web` at the package root. This file is two levels below the
 * root both as source (`src/serve/options.ts`) and compiled (`dist/serve/options.js`), so one relative URL fits both.
 */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Kept for callers of the first API: the default body limit of single-row routes. */
export const DEFAULT_BODY_LIMIT_BYTES = APP_DEFAULTS.bodyLimitBytes;

export type ResolvedAppOptions = Required<Omit<AppOptions, 'logger'>> & Pick<AppOptions, 'logger'>;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Fills in the defaults and checks the numbers (a RangeError names the bad option). */
export function resolveAppOptions(options: AppOptions): ResolvedAppOptions {
  const topFeatures = options.topFeatures ?? APP_DEFAULTS.topFeatures;
  if (!Number.isInteger(topFeatures) || topFeatures < 0) {
    throw new RangeError(`topFeatures must be an integer ≥ 0, got ${topFeatures}`);
  }
  return {
    models: options.models,
    predictionLog: options.predictionLog ?? null,
    logger: options.logger,
    logRequests: options.logRequests ?? false,
    bodyLimitBytes: positiveInteger('bodyLimitBytes', options.bodyLimitBytes ?? APP_DEFAULTS.bodyLimitBytes),
    batchMaxRows: positiveInteger('batchMaxRows', options.batchMaxRows ?? APP_DEFAULTS.batchMaxRows),
    batchBodyLimitBytes: positiveInteger(
      'batchBodyLimitBytes',
      options.batchBodyLimitBytes ?? APP_DEFAULTS.batchBodyLimitBytes,
    ),
    topFeatures,
    requestTimeoutMs: positiveInteger(
      'requestTimeoutMs',
      options.requestTimeoutMs ?? APP_DEFAULTS.requestTimeoutMs,
    ),
    corsOrigins: options.corsOrigins ?? [],
    adminKey: options.adminKey === undefined || options.adminKey === '' ? null : options.adminKey,
    processMetrics: options.processMetrics ?? true,
    runsDir: options.runsDir ?? null,
    modelsDir: options.modelsDir ?? null,
    defaultConfig: options.defaultConfig ?? null,
    webDir: options.webDir === undefined ? DEFAULT_WEB_DIR : options.webDir,
  };
}
