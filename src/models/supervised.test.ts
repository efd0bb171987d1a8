import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { denseViews, initParameters, predict } from '../nn/index.js';
import { Prng } from '../util/prng.js';
import {
  autoencoderSpec,
  calibratedProbability,
  classifierSpec,
  derivedFeatures,
  type FittedClassifier,
  type FittedHybrid,
  fitPlatt,
  gradientTimesInput,
  logitSpec,
  readModelFile,
  scoreModel,
  toModelFile,
  transformRows,
} from './index.js';

describe('derivedFeatures / transformRows', () => {
  it('passes V columns, log1p-transforms Amount and turns Time into the time of day', () => {
    const derived = derivedFeatures(['Time', 'V1', 'Amount', 'V2']);
    expect(derived.map((f) => f.name)).toEqual([
      'V1',
      'V2',
      'log1p(Amount)',
      'sin(time of day of Time)',
      'cos(time of day of Time)',
    ]);
    expect(derived.map((f) => f.source)).toEqual([1, 3, 2, 0, 0]);
    // 6 h after the start of day 2: angle π/2. Amount 0 → 0; a negative amount is clipped to 0 first.
    const x = Float32Array.from([86_400 + 21_600, 1.5, Math.E - 1, -2, 0, 0, -5, 0]);
    const out = transformRows(x, 2, 4, derived);
    expect(out[0]).toBe(1.5);
    expect(out[1]).toBe(-2);
    expect(out[2]).toBeCloseTo(1, 6);
    expect(out[3]).toBeCloseTo(1, 6);
    expect(out[4]).toBeCloseTo(0, 6);
    expect(Array.from(out.subarray(5))).toEqual([0, 0, 0, 0, 1]);
  });

  it('refuses a matrix of the wrong width', () => {
    expect(() => transformRows(new Float32Array(5), 2, 3, derivedFeatures(['V1']))).toThrow(/2 rows × 3/);
  });
});

describe('fitPlatt', () => {
  it('recovers the a and b that generated the labels', () => {
    const prng = new Prng(3);
    const n = 20_000;
    const logits = new Float32Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      logits[i] = 3 * prng.normal();
      labels[i] = prng.next() < 1 / (1 + Math.exp(-(0.5 * logits[i]! - 2))) ? 1 : 0;
    }
    const { a, b, method } = fitPlatt(logits, labels);
    expect(method).toBe('platt');
    expect(a).toBeCloseTo(0.5, 1);
    expect(b).toBeCloseTo(-2, 1);
  });

  it('stays finite on a perfectly separated split (Platt’s smoothed targets)', () => {
    const { a, b } = fitPlatt(Float32Array.of(-3, -2, -1, 1, 2, 3), Uint8Array.of(0, 0, 0, 1, 1, 1));
    expect(Number.isFinite(a) && a > 0).toBe(true);
    expect(Number.isFinite(b)).toBe(true);
  });

  it('needs both classes', () => {
    expect(() => fitPlatt(Float32Array.of(1, 2), Uint8Array.of(0, 0))).toThrow(/frauds and normal rows/);
  });

  it('calibratedProbability is σ(a·z + b)', () => {
    expect(calibratedProbability(2, { method: 'platt', a: 0.5, b: -1 })).toBeCloseTo(0.5, 6);
  });
});

describe('gradientTimesInput', () => {
  it('is the finite-difference gradient of the logit times the input', () => {
    const spec = classifierSpec(5, { hidden_dims: [7, 4], dropout: 0.2 });
    const params = initParameters(spec, 9).map((v) => v * 2);
    const logits = logitSpec(spec);
    const prng = new Prng(2);
    const rows = 6;
    const z = Float32Array.from({ length: rows * 5 }, () => prng.normal());
    const attributions = gradientTimesInput(denseViews(logits, params), z, rows, 0.5);
    const h = 1e-2;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < 5; j++) {
        const up = z.slice(r * 5, r * 5 + 5);
        const down = up.slice();
        up[j] = up[j]! + h;
        down[j] = down[j]! - h;
        const numeric = (predict(logits, params, up, 1)[0]! - predict(logits, params, down, 1)[0]!) / (2 * h);
        expect(attributions[r * 5 + j]).toBeCloseTo(0.5 * numeric * z[r * 5 + j]!, 3);
      }
    }
  });
});

function tinyClassifier(): FittedClassifier {
  const features = ['V1', 'V2', 'Amount', 'Time'];
  const spec = classifierSpec(5, { hidden_dims: [4], dropout: 0.1 });
  return {
    type: 'classifier',
    features,
    spec,
    scaler: {
      columns: derivedFeatures(features).map((f) => f.name),
      mean: [0, 0, 3, 0, 0],
      std: [1, 2, 1.5, 0.7, 0.7],
    },
    parameters: initParameters(spec, 1),
    calibration: { method: 'platt', a: 0.8, b: -1 },
  };
}

function tinyHybrid(): FittedHybrid {
  const head = tinyClassifier();
  const aeSpec = autoencoderSpec({ features: ['V1', 'V2'], hidden_dim: 3, latent_dim: 2, dropout: 0 });
  const spec = classifierSpec(6, { hidden_dims: [4], dropout: 0.1 });
  return {
    type: 'hybrid',
    features: head.features,
    autoencoder: {
      type: 'autoencoder',
      features: ['V1', 'V2'],
      spec: aeSpec,
      scaler: { columns: ['V1', 'V2'], mean: [0, 0], std: [1, 1] },
      parameters: initParameters(aeSpec, 2),
    },
    spec,
    scaler: {
      ...head.scaler,
      columns: [...head.scaler.columns, 'anomaly'],
      mean: [...head.scaler.mean, -1],
      std: [...head.scaler.std, 2],
    },
    parameters: initParameters(spec, 3),
    calibration: { method: 'none', a: 1, b: 0 },
  };
}

describe('scoreModel (classifier and hybrid)', () => {
  const x = Float32Array.from([0.5, -1, 20, 3600, 2, 0.3, 0, 80_000, -1, 4, 1500, 170_000]);

  it('gives probabilities, the same ones every call, and non-negative contributions per raw column', () => {
    for (const model of [tinyClassifier(), tinyHybrid()]) {
      const first = scoreModel(model, x, 3);
      const again = scoreModel(model, x, 3, { contributions: false });
      expect(Array.from(again.scores)).toEqual(Array.from(first.scores));
      expect(again.contributions.length).toBe(0);
      for (const p of first.scores) expect(p > 0 && p < 1).toBe(true);
      expect(first.contributions.length).toBe(3 * 4);
      for (const c of first.contributions) expect(c).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses rows of the wrong width', () => {
    expect(() => scoreModel(tinyClassifier(), new Float32Array(7), 2)).toThrow(/raw columns/);
  });
});

describe('model.json for the supervised models', () => {
  it('round-trips a classifier and a hybrid exactly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardwatch-model-'));
    const x = Float32Array.from([0.5, -1, 20, 3600, 2, 0.3, 0, 80_000]);
    for (const model of [tinyClassifier(), tinyHybrid()]) {
      const path = join(dir, `${model.type}.json`);
      writeFileSync(path, JSON.stringify(toModelFile(model)));
      const back = readModelFile(path);
      expect(back.type).toBe(model.type);
      expect(Array.from(scoreModel(back, x, 2).scores)).toEqual(Array.from(scoreModel(model, x, 2).scores));
    }
  });

  it('refuses a tampered hybrid autoencoder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardwatch-model-'));
    const file = toModelFile(tinyHybrid());
    if (file.type !== 'hybrid') throw new Error('expected a hybrid file');
    const bytes = Buffer.from(file.autoencoder.parameters, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    const path = join(dir, 'tampered.json');
    writeFileSync(
      path,
      JSON.stringify({ ...file, autoencoder: { ...file.autoencoder, parameters: bytes.toString('base64') } }),
    );
    expect(() => readModelFile(path)).toThrow(/checksum/);
  });
});
