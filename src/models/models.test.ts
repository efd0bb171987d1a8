import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initParameters, predict } from '../nn/index.js';
import { autoencoderSpec, type FittedAutoencoder, readModelFile, scoreRaw, toModelFile } from './index.js';

function tinyModel(): FittedAutoencoder {
  const config = { features: ['V1', 'V2', 'V3'], hidden_dim: 4, latent_dim: 2, dropout: 0.1 };
  const spec = autoencoderSpec(config);
  return {
    type: 'autoencoder',
    features: config.features,
    spec,
    scaler: { columns: config.features, mean: [1, -2, 0.5], std: [2, 0.5, 1] },
    parameters: initParameters(spec, 3),
  };
}

describe('autoencoderSpec', () => {
  it('is the reference architecture: F → hidden → dropout → latent → hidden → F', () => {
    const spec = autoencoderSpec({ features: ['V1', 'V2'], hidden_dim: 32, latent_dim: 16, dropout: 0.1 });
    expect(spec.inputDim).toBe(2);
    expect(spec.layers).toEqual([
      { kind: 'dense', units: 32 },
      { kind: 'relu' },
      { kind: 'dropout', rate: 0.1 },
      { kind: 'dense', units: 16 },
      { kind: 'relu' },
      { kind: 'dense', units: 32 },
      { kind: 'relu' },
      { kind: 'dense', units: 2 },
    ]);
  });
});

describe('scoreRaw', () => {
  it('scales raw rows, reconstructs them and scores the mean squared error per row', () => {
    const model = tinyModel();
    const x = Float32Array.from([3, -1, 0.5, -1, -2, 2.5]);
    const { scores, contributions } = scoreRaw(model, x, 2);
    const scaled = Float32Array.from(x, (v, i) => (v - model.scaler.mean[i % 3]!) / model.scaler.std[i % 3]!);
    const reconstruction = predict(model.spec, model.parameters, scaled, 2);
    for (let r = 0; r < 2; r++) {
      let sum = 0;
      for (let c = 0; c < 3; c++) {
        const d = reconstruction[r * 3 + c]! - scaled[r * 3 + c]!;
        expect(contributions[r * 3 + c]).toBeCloseTo(d * d, 5);
        sum += d * d;
      }
      expect(scores[r]).toBeCloseTo(sum / 3, 5);
    }
  });
});

describe('model.json', () => {
  it('round-trips a fitted model exactly', () => {
    const model = tinyModel();
    const path = join(mkdtempSync(join(tmpdir(), 'cardwatch-model-')), 'model.json');
    writeFileSync(path, JSON.stringify(toModelFile(model)));
    const back = readModelFile(path);
    expect(Array.from(back.parameters)).toEqual(Array.from(model.parameters));
    expect(back.scaler).toEqual(model.scaler);
    expect(back.spec).toEqual(model.spec);
  });

  it('refuses a missing, corrupt or tampered file with a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardwatch-model-'));
    expect(() => readModelFile(join(dir, 'none.json'))).toThrow(/no model file/);
    writeFileSync(join(dir, 'bad.json'), '{"format_version":');
    expect(() => readModelFile(join(dir, 'bad.json'))).toThrow(/cannot read model file/);
    const file = toModelFile(tinyModel());
    if (file.type !== 'autoencoder') throw new Error('expected an autoencoder file');
    const tampered = Buffer.from(file.parameters, 'base64');
    tampered[0] = tampered[0]! ^ 1;
    writeFileSync(
      join(dir, 'tampered.json'),
      JSON.stringify({ ...file, parameters: tampered.toString('base64') }),
    );
    expect(() => readModelFile(join(dir, 'tampered.json'))).toThrow(/checksum/);
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify({ ...file, type: 'gbm' }));
    expect(() => readModelFile(join(dir, 'wrong.json'))).toThrow(/is invalid/);
  });
});
