/**
 * Every model type through the whole path, as a user types it: train 2 epochs with `model.type=…`, export and
 * promote the bundle (parity-checked against the engine), score a CSV offline, serve on an ephemeral port and
 * predict over HTTP with the same request shape. The supervised models also take Amount and Time, which the
 * request carries as `amount` and `time`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scratchDir, startCli, stop } from './cli-helpers.js';

interface Manifest {
  model_type: string;
  input_columns: string[];
  score: { name: string };
  parity: { max_abs_diff: number };
  variants: { int8?: { rank_correlation: number } };
  metrics: {
    test: { roc_auc: number; alert_budget?: { precision: number }; fraud_amount?: { share: number } };
  };
}

interface Prediction {
  score: number;
  threshold: number;
  is_fraud: boolean;
  model_version: string;
  top_features: Array<{ feature: string; contribution: number; share: number }>;
}

const MODEL_TYPES = [
  // The supervised models see few frauds in 30k rows: a larger step and smaller batches let 2 epochs learn.
  { type: 'autoencoder', overrides: [] as string[], score: 'reconstruction_error' },
  {
    type: 'classifier',
    overrides: ['training.lr=0.01', 'training.batch_size=256'],
    score: 'fraud_probability',
  },
  { type: 'hybrid', overrides: ['training.lr=0.01', 'training.batch_size=256'], score: 'fraud_probability' },
] as const;

describe('every model type end to end', () => {
  const cwd = scratchDir('cardwatch-models-');

  beforeAll(() => {
    const gen = runCli(cwd, ['data', 'generate', '--rows', '30000', '--out', 'data/raw/small.csv']);
    expect(gen.status, gen.stderr).toBe(0);
    const prep = runCli(cwd, ['data', 'prepare', '--input', 'data/raw/small.csv']);
    expect(prep.status, prep.stderr).toBe(0);
  });

  describe.each(MODEL_TYPES)('model.type=$type', ({ type, overrides, score }) => {
    let bundleId = '';
    let manifest: Manifest;

    it('trains 2 epochs, evaluates with the operational metrics, and exports a verified bundle', () => {
      const train = runCli(cwd, [
        'train',
        `model.type=${type}`,
        'training.epochs=2',
        'training.workers=2',
        ...overrides,
      ]);
      expect(train.status, train.stderr).toBe(0);
      expect(train.stderr).toContain(`train: ${type}`);
      expect(train.stderr).toMatch(/precision@100\/day/);
      expect(train.stderr).toMatch(/fraud amount caught/);
      const runId = /run (run-\S+)/.exec(train.stdout)![1]!;
      const exp = runCli(cwd, ['export', runId, '--promote', type]);
      expect(exp.status, exp.stderr).toBe(0);
      bundleId = new RegExp(`${type} → (\\S+)`).exec(exp.stdout)![1]!;
      expect(bundleId).toMatch(new RegExp(`^${type}-`));
      manifest = JSON.parse(readFileSync(join(cwd, 'models', bundleId, 'manifest.json'), 'utf8')) as Manifest;
      expect(manifest.model_type).toBe(type);
      expect(manifest.score.name).toBe(score);
      expect(manifest.parity.max_abs_diff).toBeLessThan(1e-4);
      expect(manifest.variants.int8!.rank_correlation).toBeGreaterThan(0.99);
      // Even 2 epochs on 30k rows separate the shifted frauds far better than chance.
      expect(manifest.metrics.test.roc_auc).toBeGreaterThan(0.8);
      expect(manifest.metrics.test.alert_budget!.precision).toBeGreaterThan(0);
      expect(manifest.metrics.test.fraud_amount!.share).toBeGreaterThan(0);
      const inputs = type === 'autoencoder' ? 28 : 30;
      expect(manifest.input_columns).toHaveLength(inputs);
    });

    it('scores a CSV offline with the bundle', () => {
      const lines = readFileSync(join(cwd, 'data/raw/small.csv'), 'utf8').split('\n').slice(0, 11);
      writeFileSync(join(cwd, `few-${type}.csv`), `${lines.join('\n')}\n`);
      const scored = runCli(cwd, [
        'score',
        '--input',
        `few-${type}.csv`,
        '--output',
        `out/${type}.csv`,
        '-m',
        type,
      ]);
      expect(scored.status, scored.stderr).toBe(0);
      const out = readFileSync(join(cwd, `out/${type}.csv`), 'utf8')
        .trim()
        .split('\n');
      expect(out).toHaveLength(11);
      expect(out[1]).toMatch(/^1,[0-9.e-]+,[01],$/);
    });

    describe('serving', () => {
      let server: Awaited<ReturnType<typeof startCli>>;
      let url = '';
      beforeAll(async () => {
        server = await startCli(
          cwd,
          ['serve', '--port', '0', '-m', type],
          /serving model \S+ on (http:\/\/\S+)/,
        );
        url = server.match[1]!;
      });
      afterAll(async () => {
        if (server) await stop(server.child);
      });

      const predict = (body: unknown) =>
        fetch(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });

      it('predicts from V1..V28, amount and time, with top features from the model inputs', async () => {
        const examples = JSON.parse(readFileSync(join(cwd, 'models', bundleId, 'examples.json'), 'utf8')) as {
          fraud: number[][];
          normal: number[][];
        };
        // examples.json rows are raw Kaggle rows: Time, V1..V28, Amount.
        const request = (row: number[]) => ({ features: row.slice(1, 29), amount: row[29], time: row[0] });
        const scores: Record<'fraud' | 'normal', number[]> = { fraud: [], normal: [] };
        for (const kind of ['fraud', 'normal'] as const) {
          for (const row of examples[kind]) {
            const response = await predict(request(row));
            expect(response.status).toBe(200);
            const verdict = (await response.json()) as Prediction;
            expect(verdict.model_version).toBe(bundleId);
            expect(verdict.is_fraud).toBe(verdict.score > verdict.threshold);
            for (const top of verdict.top_features) {
              expect(manifest.input_columns).toContain(top.feature);
              expect(top.contribution).toBeGreaterThanOrEqual(0);
            }
            scores[kind].push(verdict.score);
          }
        }
        // The example frauds are test-split frauds; most are clearly separated from the normal examples.
        expect(Math.max(...scores.fraud)).toBeGreaterThan(Math.max(...scores.normal));
        if (score === 'fraud_probability') {
          for (const value of [...scores.fraud, ...scores.normal])
            expect(value >= 0 && value <= 1).toBe(true);
        }
      });

      it('asks for amount and time when the model takes them', async () => {
        const response = await predict({ features: Array.from({ length: 28 }, () => 0) });
        if (type === 'autoencoder') {
          expect(response.status).toBe(200);
        } else {
          expect(response.status).toBe(400);
          expect(((await response.json()) as { message: string }).message).toMatch(/amount.*time/);
        }
      });
    });
  });
});
