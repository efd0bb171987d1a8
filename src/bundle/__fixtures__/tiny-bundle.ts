/**
 * Test support: a tiny, seeded autoencoder on V1..V3 and a complete ExportInput for it, with the parity scores
 * computed by a plain float32 forward pass (independent of ONNX Runtime).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INPUT_COLUMNS } from '../../data/columns.js';
import { Prng } from '../../util/prng.js';
import type { ExportInput } from '../export.js';
import type { SplitMetrics } from '../manifest.js';
import type { DenseGraphSpec, DenseLayer } from '../onnx-graph.js';

export const TINY_COLUMNS = ['V1', 'V2', 'V3'];

/** A 3 → 4 (relu) → 2 (relu) → 4 (relu) → 3 autoencoder with seeded weights. */
export function tinyGraph(seed = 7): DenseGraphSpec {
  const rng = new Prng(seed);
  const dims = [3, 4, 2, 4, 3];
  const layers: DenseLayer[] = [];
  for (let i = 0; i < dims.length - 1; i++) {
    const inDim = dims[i] as number;
    const outDim = dims[i + 1] as number;
    layers.push({
      inDim,
      outDim,
      weight: Float32Array.from({ length: inDim * outDim }, () => rng.uniform(-0.8, 0.8)),
      bias: Float32Array.from({ length: outDim }, () => rng.uniform(-0.2, 0.2)),
      activation: i < dims.length - 2 ? 'relu' : 'none',
    });
  }
  return {
    inputColumns: TINY_COLUMNS,
    scaler: { mean: [0.5, -1, 2], std: [2, 0.5, 3] },
    layers,
    output: 'reconstruction_error',
  };
}

/** Float32 forward pass of a reconstruction-error graph: the math the exported ONNX must reproduce. */
export function forwardScores(spec: DenseGraphSpec, x: Float32Array, rows: number): Float32Array {
  const f = spec.inputColumns.length;
  const scores = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const z = Float32Array.from({ length: f }, (_, c) =>
      Math.fround((x[r * f + c]! - Math.fround(spec.scaler.mean[c]!)) / Math.fround(spec.scaler.std[c]!)),
    );
    let h = z;
    for (const l of spec.layers) {
      h = Float32Array.from({ length: l.outDim }, (_, o) => {
        let sum = l.bias[o]!;
        for (let i = 0; i < l.inDim; i++) sum += l.weight[o * l.inDim + i]! * h[i]!;
        return l.activation === 'relu'
          ? Math.max(0, sum)
          : l.activation === 'sigmoid'
            ? 1 / (1 + Math.exp(-sum))
            : sum;
      });
    }
    let total = 0;
    for (let c = 0; c < f; c++) total += (h[c]! - z[c]!) ** 2;
    scores[r] = total / f;
  }
  return scores;
}

export function randomRows(rows: number, width: number, seed = 3): Float32Array {
  const rng = new Prng(seed);
  return Float32Array.from({ length: rows * width }, () => rng.uniform(-4, 4));
}

function metrics(rocAuc: number): SplitMetrics {
  return {
    roc_auc: rocAuc,
    average_precision: rocAuc / 2,
    precision: 0.5,
    recall: 0.6,
    f1: 0.545,
    confusion: [
      [90, 5],
      [4, 6],
    ],
    rows: 105,
    frauds: 10,
  };
}

/** A full ExportInput for the tiny graph; `overrides` replace top-level fields. */
export function tinyExportInput(
  modelsDir: string,
  id: string,
  overrides: Partial<ExportInput> = {},
): ExportInput {
  const graph = overrides.graph ?? tinyGraph();
  const referenceColumns = [...INPUT_COLUMNS, 'Class', 'score'];
  const referenceCount = 4;
  const parityRows = 50;
  const parityX = randomRows(parityRows, graph.inputColumns.length);
  const exampleRow = (seed: number): number[] => Array.from(randomRows(1, INPUT_COLUMNS.length, seed));
  return {
    modelsDir,
    id,
    modelType: 'autoencoder',
    graph,
    threshold: { value: 0.75, strategy: 'normal_percentile(95) on validation' },
    metrics: { validation: metrics(0.9), test: metrics(0.93) },
    config: { seed: 42, model: { type: 'autoencoder' } },
    dataFingerprint: 'fp-tiny',
    runId: `run-${id}`,
    gitCommit: null,
    referenceSample: {
      columns: referenceColumns,
      rows: randomRows(referenceCount, referenceColumns.length, 11),
      count: referenceCount,
    },
    examples: { normal: [exampleRow(21), exampleRow(22)], fraud: [exampleRow(23)] },
    parity: { x: parityX, rows: parityRows, expectedScores: forwardScores(graph, parityX, parityRows) },
    ...overrides,
  };
}

const tempDirs: string[] = [];

/** A fresh temp folder, removed by {@link removeTempDirs}. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cardwatch-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Removes every folder made by {@link tempDir} (bundle files are read-only, their folders are not). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A 3 → 3 autoencoder that is the identity plus weight noise of ±0.003: its scores are tiny residuals that int8
 * rounding (steps of ≈1/127) cannot reproduce, so its int8 variant ranks rows unlike float32.
 */
export function nearIdentityGraph(seed = 5): DenseGraphSpec {
  const rng = new Prng(seed);
  const weight = Float32Array.from(
    { length: 9 },
    (_, i) => (i % 4 === 0 ? 1 : 0) + rng.uniform(-0.003, 0.003),
  );
  return {
    inputColumns: TINY_COLUMNS,
    scaler: { mean: [0, 0, 0], std: [1, 1, 1] },
    layers: [{ inDim: 3, outDim: 3, weight, bias: new Float32Array(3), activation: 'none' }],
    output: 'reconstruction_error',
  };
}

/** Seeded 0/1 labels with about one fraud in `every` rows (at least one of each class for ≥ `every` rows). */
export function randomLabels(rows: number, every = 5, seed = 13): Uint8Array {
  const rng = new Prng(seed);
  const labels = Uint8Array.from({ length: rows }, () => (rng.uniform(0, 1) < 1 / every ? 1 : 0));
  labels[0] = 1;
  labels[1] = 0;
  return labels;
}
