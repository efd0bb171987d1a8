/**
 * The exported graph against the training engine for every model type: ONNX Runtime's `score` and
 * `contributions` from `model.onnx` (and the int8 variant's ranking) must match `scoreModel` on raw rows that
 * exercise the in-graph transforms (negative, zero and large amounts; times over two days).
 */
import { describe, expect, it } from 'vitest';
import { buildDenseOnnxModel, buildInt8OnnxModel, openOnnxSession, spearman } from '../bundle/index.js';
import { CLASSIFIER_FEATURES, KAGGLE_FEATURES } from '../config/index.js';
import {
  autoencoderSpec,
  classifierDerived,
  classifierSpec,
  type FittedAutoencoder,
  type FittedClassifier,
  type FittedHybrid,
  type FittedModel,
  hybridInputs,
  scoreModel,
} from '../models/index.js';
import { initParameters } from '../nn/index.js';
import { Prng } from '../util/prng.js';
import { modelGraph } from './model-graph.js';

/** Raw rows in `columns` order: V ~ N(0, 1.5²), Amount log-normal with some 0 and negative, Time over 2 days. */
function rawRows(columns: readonly string[], rows: number, seed: number): Float32Array {
  const prng = new Prng(seed);
  const x = new Float32Array(rows * columns.length);
  for (let r = 0; r < rows; r++) {
    columns.forEach((column, c) => {
      let value: number;
      if (column === 'Amount') {
        value = r % 17 === 0 ? 0 : r % 23 === 0 ? -3.5 : Math.exp(3 + 1.5 * prng.normal());
      } else if (column === 'Time') {
        value = Math.floor(prng.next() * 172_800);
      } else {
        value = 1.5 * prng.normal();
      }
      x[r * columns.length + c] = value;
    });
  }
  return x;
}

/** Parameters at twice the default init, so that units switch on and off across rows. */
function parameters(spec: Parameters<typeof initParameters>[0], seed: number): Float32Array {
  return initParameters(spec, seed).map((value) => Math.fround(value * 2));
}

function scalerFor(columns: readonly string[], seed: number) {
  const prng = new Prng(seed);
  return {
    columns: [...columns],
    mean: columns.map(() => 0.3 * prng.normal()),
    std: columns.map(() => 0.5 + prng.next()),
  };
}

function autoencoder(features: readonly string[]): FittedAutoencoder {
  const spec = autoencoderSpec({ features: [...features], hidden_dim: 8, latent_dim: 4, dropout: 0.1 });
  return {
    type: 'autoencoder',
    features,
    spec,
    scaler: scalerFor(features, 1),
    parameters: parameters(spec, 2),
  };
}

function classifier(): FittedClassifier {
  const features = CLASSIFIER_FEATURES;
  const derived = classifierDerived(features).map((f) => f.name);
  const spec = classifierSpec(derived.length, { hidden_dims: [12, 6], dropout: 0.1 });
  return {
    type: 'classifier',
    features,
    spec,
    scaler: scalerFor(derived, 3),
    parameters: parameters(spec, 4),
    calibration: { method: 'platt', a: 0.7, b: -2.5 },
  };
}

function hybrid(): FittedHybrid {
  // Amount first and V columns out of order: the autoencoder's columns are gathered by name, not position.
  const features = ['Amount', ...KAGGLE_FEATURES.slice(0, 10).reverse(), 'Time'];
  const ae = autoencoder(KAGGLE_FEATURES.slice(0, 10));
  const derived = [...classifierDerived(features).map((f) => f.name), 'anomaly'];
  const spec = classifierSpec(derived.length, { hidden_dims: [10], dropout: 0 });
  // The anomaly input's scaler must put typical log scores near 0, as a fitted one would.
  const base = hybridInputs({ features, autoencoder: ae }, rawRows(features, 200, 5), 200);
  const width = derived.length;
  let mean = 0;
  for (let r = 0; r < 200; r++) mean += base.inputs[r * width + width - 1]! / 200;
  const scaler = scalerFor(derived, 6);
  scaler.mean[width - 1] = mean;
  return {
    type: 'hybrid',
    features,
    autoencoder: ae,
    spec,
    scaler,
    parameters: parameters(spec, 7),
    calibration: { method: 'platt', a: 1.3, b: 0.4 },
  };
}

async function runOnnx(bytes: Uint8Array, x: Float32Array, rows: number, width: number) {
  const session = await openOnnxSession(bytes, { intraOpThreads: 1 });
  try {
    const out = await session.run({ input: { data: x, dims: [rows, width] } });
    return { scores: out.score!.data, contributions: out.contributions! };
  } finally {
    await session.dispose();
  }
}

const cases: Array<[string, () => FittedModel]> = [
  ['autoencoder', () => autoencoder(KAGGLE_FEATURES)],
  ['classifier', classifier],
  ['hybrid', hybrid],
];

describe.each(cases)('the %s graph', (type, make) => {
  const model = make();
  const rows = 400;
  const width = model.features.length;
  const x = rawRows(model.features, rows, 11);
  const engine = scoreModel(model, x, rows);

  it('scores raw rows like the training engine (the export parity tolerance)', async () => {
    const onnx = await runOnnx(buildDenseOnnxModel(modelGraph(model)), x, rows, width);
    expect(onnx.scores.length).toBe(rows);
    for (let r = 0; r < rows; r++) {
      const expected = engine.scores[r]!;
      expect(Math.abs(onnx.scores[r]! - expected), `row ${r}`).toBeLessThanOrEqual(
        1e-5 * Math.max(1, expected),
      );
    }
    // Not a constant model: the scores spread.
    expect(new Set(engine.scores).size).toBeGreaterThan(rows / 2);
  });

  it('explains rows like the training engine: same contributions per raw column', async () => {
    const onnx = await runOnnx(buildDenseOnnxModel(modelGraph(model)), x, rows, width);
    expect(onnx.contributions.dims).toEqual([rows, width]);
    let scale = 0;
    for (const value of engine.contributions) scale = Math.max(scale, Math.abs(value));
    for (let i = 0; i < rows * width; i++) {
      const expected = engine.contributions[i]!;
      expect(Math.abs(onnx.contributions.data[i]! - expected), `value ${i}`).toBeLessThanOrEqual(
        1e-4 * Math.max(1e-2 * scale, Math.abs(expected)),
      );
      expect(onnx.contributions.data[i]).toBeGreaterThanOrEqual(0);
    }
    if (type !== 'autoencoder') {
      // Every raw column is explained on some row, Amount and Time (and the hybrid's V columns via the
      // autoencoder) included.
      for (let c = 0; c < width; c++) {
        let any = false;
        for (let r = 0; r < rows && !any; r++) any = engine.contributions[r * width + c]! > 0;
        expect(any, model.features[c]).toBe(true);
      }
    }
  });

  it('has an int8 variant with the same outputs that ranks rows like float32', async () => {
    for (const scheme of ['weight-only', 'dynamic'] as const) {
      const int8 = buildInt8OnnxModel(modelGraph(model), { scheme });
      const out = await runOnnx(int8.bytes, x, rows, width);
      expect(out.contributions.dims).toEqual([rows, width]);
      expect(spearman(Array.from(out.scores), Array.from(engine.scores))).toBeGreaterThan(0.98);
    }
  });
});

describe('the supervised graph contract', () => {
  it('transforms Amount and Time inside the graph: a row a day later scores the same', async () => {
    const model = classifier();
    const width = model.features.length;
    const x = rawRows(model.features, 50, 3);
    const later = x.slice();
    const time = model.features.indexOf('Time');
    for (let r = 0; r < 50; r++) later[r * width + time] = later[r * width + time]! + 86_400;
    const bytes = buildDenseOnnxModel(modelGraph(model));
    const a = await runOnnx(bytes, x, 50, width);
    const b = await runOnnx(bytes, later, 50, width);
    for (let r = 0; r < 50; r++) expect(b.scores[r]).toBeCloseTo(a.scores[r]!, 5);
  });

  it('refuses a calibration that would reverse the score', () => {
    const model = classifier();
    expect(() =>
      buildDenseOnnxModel(modelGraph({ ...model, calibration: { method: 'platt', a: -0.5, b: 0 } })),
    ).toThrow(/calibration must have a finite a > 0/);
  });
});
