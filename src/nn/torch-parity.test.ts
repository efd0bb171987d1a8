/**
 * PyTorch parity: replay the reference trajectory in ../shared/fixtures/torch-parity (PyTorch 1.13, float32):
 * same initial weights, same data in order, batches of 256, 3 epochs, Adam(lr 1e-2, wd 1e-3). The step
 * losses and final weights must agree to float32 round-off.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NetworkSpec } from './index.js';
import { createTrainer, denseViews, parameterCount, predict, rowSquaredErrors } from './index.js';

/** Repo root is two levels up from src/nn; CI puts shared/ beside the repo. */
const FIXTURE_DIR = fileURLToPath(new URL('../../../shared/fixtures/torch-parity/', import.meta.url));

interface Trajectory {
  dims: number[];
  batch_size: number;
  epochs: number;
  adam: { lr: number; betas: [number, number]; eps: number; weight_decay: number };
  initial: { W: number[][][]; b: number[][] };
  step_losses: number[];
  final: { W: number[][][]; b: number[][] };
  final_reconstruction_error_first16: number[];
}

interface Fixture {
  trajectory: Trajectory;
  x: Float32Array;
  rows: number;
}

let cached: Fixture | null = null;

function loadFixture(): Fixture {
  if (cached !== null) return cached;
  const trajectoryPath = `${FIXTURE_DIR}trajectory.json`;
  const dataPath = `${FIXTURE_DIR}data.csv`;
  if (!existsSync(trajectoryPath) || !existsSync(dataPath)) {
    throw new Error(
      `PyTorch parity fixture not found: looked for trajectory.json and data.csv in ${FIXTURE_DIR} ` +
        '(expected at ../shared/fixtures/torch-parity relative to the repo root)',
    );
  }
  const trajectory = JSON.parse(readFileSync(trajectoryPath, 'utf8')) as Trajectory;
  const lines = readFileSync(dataPath, 'utf8').trim().split('\n');
  const dim = trajectory.dims[0]!;
  const x = new Float32Array(lines.length * dim);
  lines.forEach((line, r) => {
    const values = line.split(',').map(Number);
    expect(values).toHaveLength(dim);
    x.set(values, r * dim);
  });
  cached = { trajectory, x, rows: lines.length };
  return cached;
}

function specOf(dims: number[]): NetworkSpec {
  const layers: NetworkSpec['layers'][number][] = [];
  for (let l = 1; l < dims.length; l++) {
    layers.push({ kind: 'dense', units: dims[l]! });
    if (l < dims.length - 1) layers.push({ kind: 'relu' });
  }
  return { inputDim: dims[0]!, layers };
}

/** Flattens PyTorch's per-layer W ([out][in]) and b into our layout, through denseViews. */
function flatten(spec: NetworkSpec, weights: { W: number[][][]; b: number[][] }): Float32Array {
  const params = new Float32Array(parameterCount(spec));
  denseViews(spec, params).forEach((view, l) => {
    view.weight.set(weights.W[l]!.flat());
    view.bias.set(weights.b[l]!);
  });
  return params;
}

function maxDiffs(actual: ArrayLike<number>, expected: ArrayLike<number>): { abs: number; rel: number } {
  expect(actual.length).toBe(expected.length);
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    abs = Math.max(abs, d);
    // Relative to the value, floored so near-zero weights are judged on an absolute scale.
    rel = Math.max(rel, d / Math.max(Math.abs(expected[i]!), 1e-2));
  }
  return { abs, rel };
}

describe('PyTorch parity (torch-parity fixture)', () => {
  for (const workers of [1, 2]) {
    it(`reproduces step losses and final weights with ${workers} worker(s)`, async () => {
      const { trajectory, x, rows } = loadFixture();
      const spec = specOf(trajectory.dims);
      const trainer = await createTrainer(
        {
          spec,
          loss: 'mse',
          lr: trajectory.adam.lr,
          betas: trajectory.adam.betas,
          eps: trajectory.adam.eps,
          weightDecay: trajectory.adam.weight_decay,
          batchSize: trajectory.batch_size,
          workers,
          seed: 0,
          shuffle: false,
        },
        { x, target: x, rows },
        flatten(spec, trajectory.initial),
      );
      const losses: number[] = [];
      try {
        for (let e = 0; e < trajectory.epochs; e++) losses.push(...(await trainer.epoch()).stepLosses);
      } finally {
        await trainer.close();
      }
      const final = trainer.parameters();
      const lossDiff = maxDiffs(losses, trajectory.step_losses);
      const weightDiff = maxDiffs(final, flatten(spec, trajectory.final));
      const output = predict(spec, final, x.subarray(0, 16 * 28), 16);
      const errors = rowSquaredErrors(output, x.subarray(0, 16 * 28), 16, 28).perRow;
      const errorDiff = maxDiffs(errors, trajectory.final_reconstruction_error_first16);
      console.log(
        `torch parity, workers=${workers}: step losses max abs ${lossDiff.abs.toExponential(2)} ` +
          `rel ${lossDiff.rel.toExponential(2)}; final weights max abs ${weightDiff.abs.toExponential(2)} ` +
          `rel ${weightDiff.rel.toExponential(2)}; first-16 reconstruction errors max rel ${errorDiff.rel.toExponential(2)}`,
      );
      expect(losses).toHaveLength(trajectory.step_losses.length);
      expect(lossDiff.rel).toBeLessThan(1e-5);
      // Weights are judged relative to max(|w|, 0.01): Adam's updates are ~lr-sized whatever |w|.
      expect(weightDiff.rel).toBeLessThan(1e-4);
      expect(errorDiff.rel).toBeLessThan(1e-5);
    });
  }
});
