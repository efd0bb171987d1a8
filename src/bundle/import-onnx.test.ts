import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { tinyGraph } from './__fixtures__/tiny-bundle.js';
import { importDenseAutoencoder, readDenseLayersFromOnnx } from './import-onnx.js';
import { buildDenseOnnxModel } from './onnx-graph.js';
import { onnx } from './onnx-protobuf.js';
import { openOnnxSession, type OnnxSession } from './onnx-runtime.js';

/** `../shared/fixtures/pytorch-onnx` relative to the repository root (two levels above src/bundle). */
const FIXTURE_DIR = fileURLToPath(new URL('../../../shared/fixtures/pytorch-onnx/', import.meta.url));

interface Golden {
  rows: Array<{ features: number[]; class: number; error_scaled: number; error_raw: number }>;
}
interface Scaler {
  features: string[];
  mean: number[];
  std: number[];
}

function loadFixture(): { bytes: Uint8Array; scaler: Scaler; golden: Golden } {
  for (const name of ['model.onnx', 'scaler.json', 'golden.json']) {
    if (!existsSync(join(FIXTURE_DIR, name))) {
      throw new Error(
        `PyTorch ONNX fixture missing: looked for ${join(FIXTURE_DIR, name)} (../shared/fixtures/pytorch-onnx from the repo root)`,
      );
    }
  }
  return {
    bytes: readFileSync(join(FIXTURE_DIR, 'model.onnx')),
    scaler: JSON.parse(readFileSync(join(FIXTURE_DIR, 'scaler.json'), 'utf8')) as Scaler,
    golden: JSON.parse(readFileSync(join(FIXTURE_DIR, 'golden.json'), 'utf8')) as Golden,
  };
}

describe('interoperability with a PyTorch-exported autoencoder', () => {
  const { bytes, scaler, golden } = loadFixture();
  const features = scaler.features.length;
  const rows = golden.rows.length;
  const raw = Float32Array.from(golden.rows.flatMap((row) => row.features));
  let rebuilt: OnnxSession;
  let original: OnnxSession;
  beforeAll(async () => {
    rebuilt = await openOnnxSession(buildDenseOnnxModel(importDenseAutoencoder(bytes, scaler)));
    original = await openOnnxSession(join(FIXTURE_DIR, 'model.onnx'));
  });
  afterAll(async () => {
    await rebuilt.dispose();
    await original.dispose();
  });

  it('reads the dense stack in order, in PyTorch layout', () => {
    const stack = readDenseLayersFromOnnx(bytes);
    expect(stack.inputName).toBe('input');
    expect(stack.outputName).toBe('output');
    expect(stack.layers.map((l) => `${l.inDim}→${l.outDim} ${l.activation}`)).toEqual([
      '28→32 relu',
      '32→16 relu',
      '16→32 relu',
      '32→28 none',
    ]);
  });

  it('rebuilt with its scaler inside, reproduces error_scaled from RAW features', async () => {
    expect(scaler.features).toEqual(Array.from({ length: 28 }, (_, i) => `V${i + 1}`));
    const out = await rebuilt.run({ input: { data: raw, dims: [rows, features] } });
    const scores = out.score!.data;
    golden.rows.forEach((row, r) => {
      expect(Math.abs(scores[r]! - row.error_scaled)).toBeLessThanOrEqual(1e-6);
      // …and is nowhere near what the reference API computed by feeding raw features to the model.
      expect(Math.abs(scores[r]! - row.error_raw)).toBeGreaterThan(1e-2);
    });
  });

  it('sanity: the original model fed standardized features gives the same scores', async () => {
    const z = raw.map((v, i) =>
      Math.fround((v - Math.fround(scaler.mean[i % features]!)) / Math.fround(scaler.std[i % features]!)),
    );
    const out = await original.run({ input: { data: z, dims: [rows, features] } });
    const recon = out.output!.data;
    const fromRebuilt = (await rebuilt.run({ input: { data: raw, dims: [rows, features] } })).score!.data;
    golden.rows.forEach((row, r) => {
      let sum = 0;
      for (let c = 0; c < features; c++) sum += (recon[r * features + c]! - z[r * features + c]!) ** 2;
      const score = sum / features;
      expect(Math.abs(score - row.error_scaled)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(score - fromRebuilt[r]!)).toBeLessThanOrEqual(1e-6);
    });
  });

  it('documents the reference bug: the original model fed RAW features gives error_raw', async () => {
    const out = await original.run({ input: { data: raw, dims: [rows, features] } });
    const recon = out.output!.data;
    golden.rows.forEach((row, r) => {
      let sum = 0;
      for (let c = 0; c < features; c++) sum += (recon[r * features + c]! - raw[r * features + c]!) ** 2;
      expect(Math.abs(sum / features - row.error_raw)).toBeLessThanOrEqual(1e-5 * Math.max(1, row.error_raw));
    });
  });

  it('refuses a scaler of the wrong width', () => {
    const bad = {
      ...scaler,
      features: scaler.features.slice(1),
      mean: scaler.mean.slice(1),
      std: scaler.std.slice(1),
    };
    expect(() => importDenseAutoencoder(bytes, bad)).toThrow(
      /maps 28 → 28 values but the scaler has 27 features/,
    );
  });
});

describe('readDenseLayersFromOnnx', () => {
  it('reads MatMul + Add layers, transposing [in][out] weights to [out][in]', () => {
    const float = onnx.TensorProto.DataType.FLOAT;
    const tensor = (name: string, dims: number[], values: number[]) => ({
      name,
      dims,
      dataType: float,
      floatData: values,
    });
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        node: [
          { opType: 'MatMul', input: ['x', 'w'], output: ['m'] },
          { opType: 'Add', input: ['m', 'b'], output: ['a'] },
          { opType: 'Sigmoid', input: ['a'], output: ['y'] },
        ],
        // w is [in=2][out=3]
        initializer: [tensor('w', [2, 3], [1, 2, 3, 4, 5, 6]), tensor('b', [3], [0.1, 0.2, 0.3])],
        input: [
          {
            name: 'x',
            type: { tensorType: { elemType: float, shape: { dim: [{ dimParam: 'n' }, { dimValue: 2 }] } } },
          },
        ],
        output: [{ name: 'y' }],
      },
    }).finish();
    const [layer] = readDenseLayersFromOnnx(bytes).layers;
    expect(layer).toMatchObject({ inDim: 2, outDim: 3, activation: 'sigmoid' });
    expect(Array.from(layer!.weight)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(layer!.bias)).toEqual(Array.from(Float32Array.from([0.1, 0.2, 0.3])));
  });

  it('refuses a graph that is not a plain dense stack, naming what breaks it', () => {
    const notDense = (bytes: Uint8Array): string => {
      try {
        readDenseLayersFromOnnx(bytes);
      } catch (error) {
        expect((error as CardwatchError).code).toBe('INVALID_INPUT');
        return (error as CardwatchError).message;
      }
      throw new Error('expected an error');
    };
    // Our own graph has the scaler and two outputs (score, contributions).
    expect(notDense(buildDenseOnnxModel(tinyGraph()))).toMatch(/1 inputs and 2 outputs/);
    const float = onnx.TensorProto.DataType.FLOAT;
    const chain = (ops: Array<{ opType: string; input: string[]; output: string[] }>) =>
      onnx.ModelProto.encode({
        irVersion: 8,
        opsetImport: [{ domain: '', version: 17 }],
        graph: {
          node: ops,
          initializer: [{ name: 'w', dims: [1, 1], dataType: float, floatData: [2] }],
          input: [{ name: 'x' }],
          output: [{ name: 'y' }],
        },
      }).finish();
    expect(
      notDense(
        chain([
          { opType: 'MatMul', input: ['x', 'w'], output: ['m'] },
          { opType: 'Tanh', input: ['m'], output: ['y'] },
        ]),
      ),
    ).toMatch(/node 1 \(Tanh\): op Tanh is not supported/);
    expect(notDense(chain([{ opType: 'MatMul', input: ['x', 'x'], output: ['y'] }]))).toMatch(
      /operand x is not a constant initializer/,
    );
    expect(
      notDense(
        chain([
          { opType: 'MatMul', input: ['x', 'w'], output: ['m'] },
          { opType: 'Relu', input: ['x'], output: ['y'] },
        ]),
      ),
    ).toMatch(/node 1 \(Relu\) reads x, not the output of the previous step \(m\)/);
  });

  it('reports bytes that are not an ONNX model as MODEL_CORRUPT', () => {
    for (const bytes of [new Uint8Array([0xff, 0xff, 0xff]), new Uint8Array(0)]) {
      try {
        readDenseLayersFromOnnx(bytes);
        throw new Error('expected an error');
      } catch (error) {
        expect(error).toBeInstanceOf(CardwatchError);
        expect((error as CardwatchError).code).toBe('MODEL_CORRUPT');
      }
    }
  });
});
