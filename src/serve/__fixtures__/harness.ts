/**
 * Test support for the API: an app around a FakeScorer (and, when asked, a real prediction log in a temp
 * folder), captured log lines, and assertions for the one error shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import {
  openPredictionLog,
  openPredictionReader,
  type PredictionLog,
  type PredictionLogOptions,
  type PredictionRow,
} from '../../predictions/index.js';
import { buildApp, type AppOptions } from '../app.js';
import { staticModelProvider, type ModelProvider } from '../model-provider.js';
import { FakeScorer, type FakeScorerOptions } from './fake-scorer.js';

export const ERROR_KEYS = ['code', 'error', 'message', 'statusCode'];
export const PREDICTION_KEYS = [
  'engine',
  'is_fraud',
  'model_version',
  'prediction_id',
  'risk',
  'score',
  'threshold',
  'top_features',
  'transaction_id',
];
/** A UUID version 7 (the prediction log's ids). */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface Harness {
  readonly app: FastifyInstance;
  readonly scorer: FakeScorer;
  /** Every log line the app wrote (JSON-parsed). */
  readonly logs: Record<string, unknown>[];
  /** The prediction log, when `withLog` was asked for. */
  readonly log: PredictionLog | null;
  /** Its SQLite file. */
  readonly logPath: string | null;
}

export interface HarnessOptions {
  readonly scorer?: FakeScorerOptions;
  readonly provider?: ModelProvider;
  /** Open a real prediction log in a temp folder (closed by `app.close()`). */
  readonly withLog?: boolean;
  /** Options of that log (its `path` is the temp file), e.g. `{ maxQueue: 1000 }`. */
  readonly logOptions?: Omit<PredictionLogOptions, 'path'>;
  readonly app?: Omit<Partial<AppOptions>, 'models' | 'predictionLog'>;
}

const apps: FastifyInstance[] = [];
const dirs: string[] = [];

/** A fresh temp folder, removed by {@link closeHarnesses}. */
export function tempFolder(prefix = 'serve'): string {
  const dir = mkdtempSync(join(tmpdir(), `cardwatch-${prefix}-`));
  dirs.push(dir);
  return dir;
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const scorer = new FakeScorer(options.scorer);
  const logs: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) };
  const logPath = options.withLog ? join(tempFolder(), 'predictions.sqlite') : null;
  const log = logPath === null ? null : openPredictionLog({ ...options.logOptions, path: logPath });
  const app = await buildApp({
    models: options.provider ?? staticModelProvider(scorer),
    predictionLog: log,
    logger: { level: 'info', stream },
    processMetrics: false,
    ...options.app,
  });
  apps.push(app);
  return { app, scorer, logs, log, logPath };
}

/** Closes every app built by {@link harness} and removes the temp folders (call in afterEach). */
export async function closeHarnesses(): Promise<void> {
  for (const app of apps.splice(0)) await app.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** Sends a raw body text, so values JSON.stringify cannot produce (1e999) reach the server. */
export function postRaw(
  app: FastifyInstance,
  body: string,
  contentType = 'application/json',
  url = '/predict',
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload: body });
}

/** Asserts the one error shape, exactly (no stack, no extra fields), and returns the message. */
export function expectError(res: LightMyRequestResponse, status: number, code: string): string {
  expect(res.statusCode, res.body.slice(0, 300)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json<Record<string, unknown>>();
  expect(Object.keys(body).sort()).toEqual(ERROR_KEYS);
  expect(body.statusCode).toBe(status);
  expect(body.code).toBe(code);
  expect(typeof body.error).toBe('string');
  expect(res.body).not.toMatch(/stack|\bat .*\.ts:\d+/);
  return body.message as string;
}

/** Reads the logged predictions back from a closed (or open) log file, by id. */
export function readLogged(path: string, ids: readonly string[]): Map<string, PredictionRow> {
  const reader = openPredictionReader(path);
  try {
    const found = new Map<string, PredictionRow>();
    for (const id of ids) {
      const row = reader.get(id);
      if (row !== null) found.set(id, row);
    }
    return found;
  } finally {
    reader.close();
  }
}
