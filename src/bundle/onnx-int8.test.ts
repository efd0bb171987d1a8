import { afterAll, describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import { randomRows, tinyGraph } from './__fixtures__/tiny-bundle.js';
import { buildInt8OnnxModel } from './onnx-int8.js';
import { buildDenseOnnxModel, type DenseGraphSpec, type DenseLayer } from './onnx-graph.js';
import { onnx } from './onnx-protobuf.js';
import { openOnnxSession, type OnnxSession } from './onnx-runtime.js';
import { dequantize, quantizeLayer } from './quantize.js';

const sessions: OnnxSession[] = [];
afterAll(async () => {
  for (const session of sessions.splice(0)) await session.dispose();
});

async function run(bytes: Uint8Array, x: Float32Array, rows: number, features: number) {
  const session = await openOnnxSession(bytes, { intraOpThreads: 1 });
  sessions.push(session);
  return session.run({ input: { data: x, dims: [rows, features] } });
}

/** A Kaggle-sized autoencoder (28 → 64 → 16 → 64 → 28) with seeded weights. */
function wideGraph(): DenseGraphSpec {
  const rng = new Prng(99);
  const dims = [28, 64, 16, 64, 28];
  const layers: DenseLayer[] = dims.slice(1).map((outDim, i) => {
    const inDim = dims[i]!;
    return {
      inDim,
      outDim,
      weight: Float32Array.from({ length: inDim * outDim }, () => rng.uniform(-1, 1) / Math.sqrt(inDim)),
      bias: Float32Array.from({ length: outDim }, () => rng.uniform(-0.1, 0.1)),
      activation: i < dims.length - 2 ? 'relu' : 'none',
    };
  });
  const columns = Array.from({ length: 28 }, (_, i) => `V${i + 1}`);
  return {
    inputColumns: columns,
    scaler: { mean: columns.map(() => 0), std: columns.map(() => 1) },
    layers,
    output: 'reconstruction_error',
  };
}

describe('buildInt8OnnxModel', () => {
  const graph = tinyGraph();
  const rows = 64;
  const x = randomRows(rows, 3, 41);

  it('weight-only: computes exactly the float32 graph of the dequantized weights, same outputs', async () => {
    const { bytes, scheme, prune } = buildInt8OnnxModel(graph);
    expect([scheme, prune]).toEqual(['weight-only', 0]);
    const dequantized: DenseGraphSpec = {
      ...graph,
      layers: graph.layers.map((layer) => ({ ...layer, weight: dequantize(quantizeLayer(layer, 0)) })),
    };
    const int8 = await run(bytes, x, rows, 3);
    const reference = await run(buildDenseOnnxModel(dequantized), x, rows, 3);
    expect(int8.score!.dims).toEqual([rows]);
    expect(int8.contributions!.dims).toEqual([rows, 3]);
    for (let r = 0; r < rows; r++) {
      expect(Math.abs(int8.score!.data[r]! - reference.score!.data[r]!)).toBeLessThanOrEqual(
        1e-6 * Math.max(1, reference.score!.data[r]!),
      );
    }
  });

  it('weight-only: each row scores the same alone as in a batch with an outlier; dynamic does not', async () => {
    // Rows 0..62 of x, then an outlier far outside every other row's range.
    const batch = Float32Array.from([...x.subarray(0, 63 * 3), 400, -300, 500]);
    for (const scheme of ['weight-only', 'dynamic'] as const) {
      const session = await openOnnxSession(buildInt8OnnxModel(graph, { scheme }).bytes, {
        intraOpThreads: 1,
      });
      sessions.push(session);
      const score = async (data: Float32Array, n: number) =>
        (await session.run({ input: { data, dims: [n, 3] } })).score!.data;
      const together = await score(batch, rows);
      let worst = 0;
      for (let r = 0; r < 63; r++) {
        const alone = (await score(batch.subarray(r * 3, r * 3 + 3), 1))[0]!;
        worst = Math.max(worst, Math.abs(together[r]! - alone) / alone);
      }
      if (scheme === 'weight-only') expect(worst).toBeLessThanOrEqual(1e-6);
      // One activation range per call: the outlier coarsens the other rows' quantization.
      else expect(worst).toBeGreaterThan(1e-4);
    }
  });

  it('dynamic: uses MatMulInteger on transposed int8 weights and stays close to float32', async () => {
    const { bytes } = buildInt8OnnxModel(graph, { scheme: 'dynamic' });
    const model = onnx.ModelProto.decode(bytes);
    const ops = model.graph!.node!.map((n) => n.opType);
    expect(ops.filter((op) => op === 'MatMulInteger')).toHaveLength(4);
    expect(ops).not.toContain('Gemm');
    const w0 = model.graph!.initializer!.find((t) => t.name === 'layer0.weight_q')!;
    expect(w0.dims!.map(Number)).toEqual([3, 4]); // [in][out]
    expect(w0.dataType).toBe(onnx.TensorProto.DataType.INT8);
    const int8 = (await run(bytes, x, rows, 3)).score!.data;
    const float32 = (await run(buildDenseOnnxModel(graph), x, rows, 3)).score!.data;
    let worst = 0;
    for (let r = 0; r < rows; r++) worst = Math.max(worst, Math.abs(int8[r]! - float32[r]!) / float32[r]!);
    expect(worst).toBeLessThan(0.1);
  });

  it('stores the weights as int8: a Kaggle-sized model shrinks to under half', () => {
    const wide = wideGraph();
    const float32 = buildDenseOnnxModel(wide).length;
    for (const scheme of ['weight-only', 'dynamic'] as const) {
      const { bytes } = buildInt8OnnxModel(wide, { scheme });
      expect(bytes.length).toBeLessThan(0.5 * float32);
      const model = onnx.ModelProto.decode(bytes);
      const weights = model.graph!.initializer!.filter((t) => t.name!.endsWith('.weight_q'));
      expect(weights).toHaveLength(4);
      expect(weights.every((t) => t.dataType === onnx.TensorProto.DataType.INT8)).toBe(true);
      expect(model.graph!.initializer!.some((t) => t.name!.endsWith('.weight'))).toBe(false);
      const props = Object.fromEntries(model.metadataProps!.map((p) => [p.key, p.value]));
      expect(props).toMatchObject({ 'cardwatch.int8.scheme': scheme, 'cardwatch.int8.prune': '0' });
    }
  });

  it('counts the zero codes after pruning', () => {
    const wide = wideGraph();
    const total = wide.layers.reduce((n, l) => n + l.weight.length, 0);
    const pruned = wide.layers.reduce((n, l) => n + Math.floor(0.3 * l.weight.length), 0);
    const { zeroWeightFraction, prune } = buildInt8OnnxModel(wide, { prune: 0.3 });
    expect(prune).toBe(0.3);
    expect(zeroWeightFraction).toBeGreaterThanOrEqual(pruned / total);
    expect(zeroWeightFraction).toBeLessThan(pruned / total + 0.05);
  });

  it('rejects a malformed spec exactly like the float32 builder', () => {
    const bad = { ...graph, scaler: { mean: [0, 0, 0], std: [1, 0, 1] } };
    expect(() => buildDenseOnnxModel(bad)).toThrow(/scaler\.std\[1\] \(V2\) is 0/);
    expect(() => buildInt8OnnxModel(bad)).toThrow(/scaler\.std\[1\] \(V2\) is 0/);
  });
});
