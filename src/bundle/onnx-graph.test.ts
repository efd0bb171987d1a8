import { describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { randomRows, tinyGraph } from './__fixtures__/tiny-bundle.js';
import { buildDenseOnnxModel, type DenseGraphSpec, type DenseLayer } from './onnx-graph.js';
import { onnx, type OnnxTypes } from './onnx-protobuf.js';
import { openOnnxSession } from './onnx-runtime.js';

/** The reference math, in float32, written independently of the graph builder. */
function reference(spec: DenseGraphSpec, x: Float32Array, rows: number) {
  const f = spec.inputColumns.length;
  const scores = new Float32Array(rows);
  const contributions = new Float32Array(rows * f);
  for (let r = 0; r < rows; r++) {
    const z = new Float32Array(f);
    for (let c = 0; c < f; c++) {
      z[c] = Math.fround(
        (x[r * f + c]! - Math.fround(spec.scaler.mean[c]!)) / Math.fround(spec.scaler.std[c]!),
      );
    }
    let h: Float32Array = z;
    for (const l of spec.layers) {
      const next = new Float32Array(l.outDim);
      for (let o = 0; o < l.outDim; o++) {
        let s = l.bias[o]!;
        for (let i = 0; i < l.inDim; i++) s += l.weight[o * l.inDim + i]! * h[i]!;
        next[o] =
          l.activation === 'relu' ? Math.max(0, s) : l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : s;
      }
      h = next;
    }
    let sum = 0;
    for (let c = 0; c < f; c++) {
      const d = Math.fround(h[c]! - z[c]!);
      contributions[r * f + c] = d * d;
      sum += contributions[r * f + c]!;
    }
    scores[r] = sum / f;
  }
  return { scores, contributions };
}

async function runGraph(spec: DenseGraphSpec, x: Float32Array, rows: number) {
  const session = await openOnnxSession(buildDenseOnnxModel(spec), { intraOpThreads: 1 });
  try {
    const out = await session.run({ input: { data: x, dims: [rows, spec.inputColumns.length] } });
    return { scores: out.score!, contributions: out.contributions! };
  } finally {
    await session.dispose();
  }
}

function layer(
  inDim: number,
  outDim: number,
  weight: number[],
  bias: number[],
  activation: DenseLayer['activation'],
): DenseLayer {
  return { inDim, outDim, weight: Float32Array.from(weight), bias: Float32Array.from(bias), activation };
}

function expectClose(actual: Float32Array, expected: Float32Array, relative: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(
      relative * Math.max(1, Math.abs(expected[i]!)),
    );
  }
}

describe('buildDenseOnnxModel', () => {
  it('writes an opset-17 / IR-8 graph with a dynamic batch, the scaler first and both outputs', () => {
    const spec = tinyGraph();
    const model = onnx.ModelProto.decode(buildDenseOnnxModel({ ...spec, metadata: { run_id: 'r1' } }));
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((o) => Number(o.version))).toEqual([17]);
    const graph = model.graph as OnnxTypes.GraphProto;
    expect(graph.node.map((n) => n.opType)).toEqual([
      'Sub',
      'Div',
      'Gemm',
      'Relu',
      'Gemm',
      'Relu',
      'Gemm',
      'Relu',
      'Gemm',
      'Sub',
      'Mul',
      'ReduceMean',
    ]);
    const input = graph.input[0]!;
    expect(input.name).toBe('input');
    expect(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual([
      'N',
      3,
    ]);
    expect(graph.output.map((o) => o.name)).toEqual(['score', 'contributions']);
    const weight0 = graph.initializer.find((t) => t.name === 'layer0.weight')!;
    expect(weight0.dims!.map(Number)).toEqual([4, 3]); // PyTorch [out][in], read with transB=1
    const attributes = graph.node.at(-1)!.attribute!;
    expect(attributes.find((a) => a.name === 'axes')!.ints!.map(Number)).toEqual([1]);
    expect(Number(attributes.find((a) => a.name === 'keepdims')!.i)).toBe(0);
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(meta).toMatchObject({ run_id: 'r1', 'cardwatch.output': 'reconstruction_error' });
    expect(JSON.parse(meta['cardwatch.input_columns']!)).toEqual(['V1', 'V2', 'V3']);
  });

  it('computes hand-checked scores: a constant reconstruction', async () => {
    // z = ((3−1)/2, (10−2)/4) = (1, 2); recon = bias = (0.5, −1); d = (−0.5, −3) → (0.25, 9), mean 4.625
    const spec: DenseGraphSpec = {
      inputColumns: ['a', 'b'],
      scaler: { mean: [1, 2], std: [2, 4] },
      layers: [layer(2, 2, [0, 0, 0, 0], [0.5, -1], 'none')],
      output: 'reconstruction_error',
    };
    const { scores, contributions } = await runGraph(spec, new Float32Array([3, 10]), 1);
    expect(Array.from(scores.data)).toEqual([4.625]);
    expect(scores.dims).toEqual([1]);
    expect(Array.from(contributions.data)).toEqual([0.25, 9]);
    expect(contributions.dims).toEqual([1, 2]);
  });

  it('computes hand-checked scores: an identity layer clipped by ReLU', async () => {
    // z = (1, −2); relu(z) = (1, 0); d = (0, 2) → (0, 4), mean 2. Second row: z = (0, 0) → score 0.
    const spec: DenseGraphSpec = {
      inputColumns: ['a', 'b'],
      scaler: { mean: [1, 2], std: [2, 4] },
      layers: [layer(2, 2, [1, 0, 0, 1], [0, 0], 'relu')],
      output: 'reconstruction_error',
    };
    const { scores } = await runGraph(spec, new Float32Array([3, -6, 1, 2]), 2);
    expect(Array.from(scores.data)).toEqual([2, 0]);
  });

  it('matches a plain float32 forward pass on random rows (relu, sigmoid and linear layers)', async () => {
    const base = tinyGraph(5);
    const withSigmoid: DenseGraphSpec = {
      ...base,
      layers: base.layers.map((l, i) => (i === 1 ? { ...l, activation: 'sigmoid' } : l)),
    };
    for (const spec of [base, withSigmoid]) {
      const rows = 500;
      const x = randomRows(rows, 3, 9);
      const expected = reference(spec, x, rows);
      const actual = await runGraph(spec, x, rows);
      expect(actual.scores.dims).toEqual([rows]);
      expectClose(actual.scores.data, expected.scores, 1e-5);
      expectClose(actual.contributions.data, expected.contributions, 1e-5);
      // The model really depends on its weights: not all scores are equal.
      expect(new Set(actual.scores.data).size).toBeGreaterThan(rows / 2);
    }
  });

  it('scores a row the same alone and inside a batch', async () => {
    const spec = tinyGraph();
    const x = randomRows(40, 3, 4);
    const batch = await runGraph(spec, x, 40);
    const single = await runGraph(spec, x.slice(3 * 17, 3 * 18), 1);
    expect(single.scores.data[0]).toBe(batch.scores.data[17]);
  });

  it('rejects a spec whose parts do not fit, naming the part', () => {
    const spec = tinyGraph();
    const cases: Array<[DenseGraphSpec, RegExp]> = [
      [{ ...spec, scaler: { mean: [0, 0], std: [1, 1, 1] } }, /scaler\.mean has 2 values, expected 3/],
      [{ ...spec, scaler: { mean: [0, 0, 0], std: [1, 0, 1] } }, /scaler\.std\[1\] \(V2\) is 0/],
      [{ ...spec, scaler: { mean: [0, Number.NaN, 0], std: [1, 1, 1] } }, /scaler\.mean\[1\] \(V2\) is NaN/],
      [{ ...spec, layers: spec.layers.slice(1) }, /layer 0 has inDim 4, expected 3/],
      [{ ...spec, layers: spec.layers.slice(0, 3) }, /last layer outputs 4 values, a reconstruction needs 3/],
      [
        { ...spec, layers: [{ ...spec.layers[0]!, bias: new Float32Array(2) }, ...spec.layers.slice(1)] },
        /layer 0 bias has 2 values, expected 4/,
      ],
      [{ ...spec, inputColumns: ['V1', 'V1', 'V3'] }, /repeated/],
      [{ ...spec, layers: [] }, /layers is empty/],
    ];
    for (const [bad, message] of cases) {
      const attempt = () => buildDenseOnnxModel(bad);
      expect(attempt).toThrow(CardwatchError);
      expect(attempt).toThrow(message);
    }
  });
});
