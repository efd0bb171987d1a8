/**
 * Replicas: two `cardwatch serve` processes share one PostgreSQL prediction store. Each answers and logs its
 * own predictions (one log), keeps its own `/metrics`, accepts feedback for predictions the other made, and a
 * model promotion reaches both (each follows the alias, `--watch-model`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  removeTempDirs,
  tempDir,
  tinyExportInput,
  tinyGraph,
} from '../src/bundle/__fixtures__/tiny-bundle.js';
import { exportBundle } from '../src/bundle/export.js';
import { promoteBundle } from '../src/bundle/registry.js';
import { runCli, scratchDir } from './cli-helpers.js';
import { waitFor } from '../src/stream/__fixtures__/stream-fixtures.js';
import { startCliProcess, type CliProcess } from '../src/stream/__fixtures__/stream-process.js';
import { SKIP_POSTGRES } from '../src/testing/availability.js';
import { startTestPostgres, type TestPostgres } from '../src/testing/postgres.js';

let postgres: TestPostgres;
let models: string;
const replicas: CliProcess[] = [];

beforeAll(async () => {
  if (SKIP_POSTGRES) return;
  postgres = await startTestPostgres();
  models = tempDir('replica-models');
  await exportBundle(tinyExportInput(models, 'ae-1'));
  await exportBundle(tinyExportInput(models, 'ae-2', { graph: tinyGraph(9) }));
  promoteBundle(models, 'ae-1', 'production');
});

afterAll(async () => {
  for (const r of replicas) r.child.kill('SIGKILL');
  await postgres?.stop();
  removeTempDirs();
});

async function replica(): Promise<{ process: CliProcess; url: string }> {
  const started = await startCliProcess(
    ['serve', '--port', '0', '--store', postgres.url, '--watch-model', '200', `paths.models=${models}`],
    /cardwatch is serving model \S+ on (http:\/\/\S+)/,
  );
  replicas.push(started);
  return { process: started, url: (started.match[1] as string).replace('localhost', '127.0.0.1') };
}

const features = Array.from({ length: 28 }, (_, k) => Math.cos(k));

async function predict(
  url: string,
  transactionId: string,
): Promise<{ prediction_id: string; model_version: string }> {
  const res = await fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ features, transaction_id: transactionId }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { prediction_id: string; model_version: string };
}

async function predictionsCounted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^cardwatch_predictions_total\{[^}]*\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

it.skipIf(SKIP_POSTGRES)(
  'two replicas share one PostgreSQL log, keep their own metrics, and both follow a promotion',
  async () => {
    const [a, b] = [await replica(), await replica()];
    const fromA = [];
    for (let i = 0; i < 3; i++) fromA.push(await predict(a.url, `a-${i}`));
    for (let i = 0; i < 5; i++) await predict(b.url, `b-${i}`);

    // Per-instance metrics: each counts what it answered.
    expect(await predictionsCounted(a.url)).toBe(3);
    expect(await predictionsCounted(b.url)).toBe(5);

    // One shared log: every answer of both replicas (written by their batched flushers within a few ms).
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    try {
      const count = async () =>
        (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions')).rows[0]?.n ?? 0;
      await waitFor(async () => (await count()) === 8, 'both replicas to write their predictions', 10_000);

      // Feedback through B for a prediction A made.
      const feedback = await fetch(`${b.url}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prediction_id: fromA[0]?.prediction_id, label: 1 }),
      });
      expect(feedback.status).toBe(200);
      const labelled = await db.query('SELECT label FROM feedback WHERE prediction_id = $1', [
        fromA[0]?.prediction_id,
      ]);
      expect(labelled.rows).toEqual([{ label: 1 }]);
    } finally {
      await db.end();
    }

    // A promotion reaches every replica without a restart or an admin call per replica.
    expect(fromA[0]?.model_version).toBe('ae-1');
    promoteBundle(models, 'ae-2', 'production');
    for (const r of [a, b]) {
      await waitFor(
        async () => (await predict(r.url, 'probe')).model_version === 'ae-2',
        `${r.url} to serve ae-2`,
        10_000,
        100,
      );
    }

    // Graceful stop: each flushes its log and exits 0.
    for (const r of [a, b]) r.process.child.kill('SIGTERM');
    expect(await a.process.exited).toBe(0);
    expect(await b.process.exited).toBe(0);

    // The CLI reads the shared store too: the export and live quality see both replicas' predictions.
    const check = new pg.Client({ connectionString: postgres.url });
    await check.connect();
    const logged =
      (await check.query<{ n: number }>('SELECT count(*)::int AS n FROM predictions')).rows[0]?.n ?? 0;
    await check.end();
    expect(logged).toBeGreaterThanOrEqual(10); // 8 answers + at least one probe per replica
    const cwd = scratchDir();
    const exported = runCli(cwd, ['predictions', 'export', '--store', postgres.url, '-o', 'all.csv']);
    expect(exported.status, exported.stderr).toBe(0);
    const csvLines = readFileSync(join(cwd, 'all.csv'), 'utf8').trim().split('\n');
    expect(csvLines.length - 1).toBe(logged);
    const quality = runCli(cwd, ['monitor', 'quality', '--log', postgres.url, '--json']);
    expect(quality.status, quality.stderr).toBe(0);
    const report = JSON.parse(quality.stdout) as { window: { predictions: number; labelled: number } };
    expect(report.window).toMatchObject({ predictions: logged, labelled: 1 });
  },
  180_000,
);
