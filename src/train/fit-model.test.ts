/**
 * Training every model type on a small seeded synthetic dataset: the dispatch, what each fit returns, that
 * the supervised fit uses validation rows for early stopping and calibration only, and reproducibility.
 */
import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../config/index.js';
import { generateSyntheticCsv, parseKaggleCsv, splitDataset, type Dataset } from '../data/index.js';
import { averagePrecision, rocAuc } from '../evaluate/index.js';
import { fromModelFile, scoreModel, toModelFile } from '../models/index.js';
import { evaluateModel, scoreSplit } from './evaluate-model.js';
import { fitModel } from './fit-model.js';
import { resolvePosWeight } from './fit-supervised.js';
import type { EpochRecord } from './fit-types.js';

const dataset: Dataset = parseKaggleCsv(generateSyntheticCsv({ rows: 20_000, seed: 5 })).dataset;
const splits = splitDataset(dataset, {
  strategy: 'stratified',
  testFraction: 0.3,
  valFraction: 0.15,
  seed: 1,
});

function config(overrides: Record<string, unknown>): Config {
  return configSchema.parse({
    seed: 3,
    model: overrides,
    training: { epochs: 3, workers: 1, lr: 0.01, batch_size: 256, early_stopping_patience: 5 },
  });
}

describe('resolvePosWeight', () => {
  it('balances the classes, takes the square root of that, or uses the number given', () => {
    expect(resolvePosWeight('balanced', 10, 990)).toBe(99);
    expect(resolvePosWeight('sqrt_balanced', 10, 1000)).toBe(10);
    expect(resolvePosWeight(4, 10, 990)).toBe(4);
  });
});

describe.each(['classifier', 'hybrid'] as const)('fitModel: %s', (type) => {
  const epochs: EpochRecord[] = [];
  const fitted = fitModel(config({ type }), dataset, splits, { onEpoch: (record) => epochs.push(record) });

  it('trains on every labelled training row and calibrates a probability on validation', async () => {
    const fit = await fitted;
    expect(fit.model.type).toBe(type);
    expect(fit.trainRows).toBe(splits.train.length);
    expect(fit.valRows).toBe(splits.val.length);
    expect(fit.history).toHaveLength(3);
    expect(fit.history.every((e) => e.val_average_precision !== undefined)).toBe(true);
    if (fit.model.type === 'autoencoder') throw new Error('expected a supervised model');
    expect(fit.model.calibration.method).toBe('platt');
    expect(fit.model.calibration.a).toBeGreaterThan(0);
    const test = scoreSplit(fit.model, dataset, splits.test);
    for (const p of test.scores) expect(p >= 0 && p <= 1).toBe(true);
    expect(rocAuc(test.scores, test.labels)).toBeGreaterThan(0.85);
    expect(averagePrecision(test.scores, test.labels)).toBeGreaterThan(0.3);
  });

  it('reports its epochs (the hybrid: the autoencoder phase first, labelled)', async () => {
    const fit = await fitted;
    if (type === 'hybrid') {
      expect(fit.stages?.autoencoder).toHaveLength(3);
      expect(epochs.map((e) => e.phase)).toEqual([
        'autoencoder',
        'autoencoder',
        'autoencoder',
        'classifier',
        'classifier',
        'classifier',
      ]);
    } else {
      expect(epochs.map((e) => e.phase)).toEqual([undefined, undefined, undefined]);
    }
  });

  it('round-trips through model.json and evaluates with the operational metrics', async () => {
    const fit = await fitted;
    const back = fromModelFile(
      JSON.parse(JSON.stringify(toModelFile(fit.model))) as ReturnType<typeof toModelFile>,
    );
    const x = Float32Array.from(dataset.x.subarray(0, 30 * 10));
    const columns = dataset.columns;
    const rows = selectRows(x, columns, fit.model.features, 10);
    expect(Array.from(scoreModel(back, rows, 10).scores)).toEqual(
      Array.from(scoreModel(fit.model, rows, 10).scores),
    );
    const { report } = evaluateModel(
      fit.model,
      dataset,
      splits,
      { strategy: 'max_f1' },
      { alertsPerDay: 50 },
    );
    expect(report.test.alert_budget?.per_day).toBe(50);
    expect(report.test.fraud_amount?.total).toBeGreaterThan(0);
  });
});

it('the same seed trains the same classifier', async () => {
  const a = await fitModel(config({ type: 'classifier', hidden_dims: [8] }), dataset, splits);
  const b = await fitModel(config({ type: 'classifier', hidden_dims: [8] }), dataset, splits);
  if (a.model.type !== 'classifier' || b.model.type !== 'classifier') throw new Error('expected classifiers');
  expect(Array.from(b.model.parameters)).toEqual(Array.from(a.model.parameters));
  expect(b.model.calibration).toEqual(a.model.calibration);
});

it('refuses a split without frauds in validation', async () => {
  const noFraudVal = { ...splits, val: splits.val.filter((index) => dataset.y![index] === 0) };
  await expect(fitModel(config({ type: 'classifier' }), dataset, noFraudVal)).rejects.toThrow(
    /needs frauds and normal rows in both the training and the validation split/,
  );
});

/** The `features` columns of the first `rows` rows of a row-major matrix with `columns`. */
function selectRows(
  x: Float32Array,
  columns: readonly string[],
  features: readonly string[],
  rows: number,
): Float32Array {
  const out = new Float32Array(rows * features.length);
  for (let r = 0; r < rows; r++) {
    features.forEach(
      (name, c) => (out[r * features.length + c] = x[r * columns.length + columns.indexOf(name)]!),
    );
  }
  return out;
}
