/**
 * Choosing the prediction store: `--store` beats the `CARDWATCH_STORE` environment variable, which beats the
 * config (`serve.prediction_log`). A `postgres://` (or `postgresql://`) URL selects PostgreSQL; anything else
 * is the SQLite file path.
 */
import type { PredictionLogEvent } from './prediction-log.js';
import type { PredictionLogSettingsInput } from './options.js';
import { isPostgresUrl } from './postgres/pg-connection.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { PredictionStore } from './store.js';

export const STORE_ENV = 'CARDWATCH_STORE';

export type OpenStoreOptions = Omit<PredictionLogSettingsInput, 'path'> & {
  readonly onError?: (event: PredictionLogEvent) => void;
  /** PostgreSQL only: connections of this process. */
  readonly maxConnections?: number;
  /** SQLite only: write on a worker thread (the service does; see sqlite-writer-thread.ts). */
  readonly writerThread?: boolean;
};

/** The store named by the flag, else the environment, else the config. */
export function resolveStoreTarget(
  flag: string | undefined,
  configured: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const fromEnv = env[STORE_ENV];
  if (flag !== undefined && flag !== '') return flag;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return configured;
}

/**
 * Opens (creating and migrating) the store at `target`.
 * @example
 * const store = await openPredictionStore('postgres://cardwatch@db:5432/cardwatch');
 * store.kind // 'postgres'
 * const sqlite = await openPredictionStore('data/predictions.sqlite');
 * sqlite.kind // 'sqlite'
 */
export async function openPredictionStore(
  target: string,
  options: OpenStoreOptions = {},
): Promise<PredictionStore> {
  const { maxConnections, writerThread, ...rest } = options;
  if (isPostgresUrl(target)) {
    return openPostgresStore({
      ...rest,
      url: target,
      ...(maxConnections === undefined ? {} : { maxConnections }),
    });
  }
  return openSqliteStore({ ...rest, path: target, ...(writerThread === undefined ? {} : { writerThread }) });
}

export function isPostgresTarget(target: string): boolean {
  return isPostgresUrl(target);
}
