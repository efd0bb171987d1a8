import { describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import type { KernelBackend, Vec } from './kernels.js';
import { createJsKernels, createWasmKernels } from './kernels.js';
import type { NetworkSpec } from './spec.js';
import { compilePlan } from './spec.js';
import { Workspace } from './workspace.js';

describe.each<[string, KernelBackend]>([
  ['js', createJsKernels],
  ['wasm-simd', createWasmKernels],
])('dropout (%s kernels)', (_, backend) => {
  // Dropout straight on the input, then an identity dense layer, so the output shows the mask.
  const dim = 16;
  const spec: NetworkSpec = {
    inputDim: dim,
    layers: [
      { kind: 'dropout', rate: 0.25 },
      { kind: 'dense', units: dim },
    ],
  };
  const plan = compilePlan(spec);
  const rows = 1024;
  const identity = new Float32Array(plan.parameterCount);
  for (let i = 0; i < dim; i++) identity[i * dim + i] = 1;

  function run(prng: Prng | null): { output: Vec; mask: Vec | null } {
    const workspace = new Workspace(plan, rows, backend);
    workspace.loadParameters(identity);
    workspace.input.fill(1.5);
    const output = workspace.forward(rows, prng).slice(0, rows * dim);
    const mask = workspace.dropoutMask(0);
    return { output, mask: mask === null ? null : mask.slice(0, rows * dim) };
  }

  it('zeroes about `rate` of the values and scales the rest by 1/(1−rate) (inverted dropout)', () => {
    const { output, mask } = run(new Prng(1));
    const scale = Math.fround(1 / 0.75);
    expect(mask).not.toBeNull();
    expect(new Set(mask)).toEqual(new Set([0, scale]));
    const kept = mask!.filter((m) => m !== 0).length / mask!.length;
    // 16,384 Bernoulli(0.75) draws: standard error 0.0034.
    expect(Math.abs(kept - 0.75)).toBeLessThan(0.015);
    // Buffers are float32: 1.5 × 4/3 is rounded to float32 like every kernel result.
    output.forEach((v, i) => expect(v).toBe(Math.fround(1.5 * mask![i]!)));
    // The expected activation is unchanged: mean ≈ 1.5.
    const mean = output.reduce((s, v) => s + v, 0) / output.length;
    expect(Math.abs(mean - 1.5)).toBeLessThan(0.05);
  });

  it('is the identity without a PRNG (inference)', () => {
    const { output, mask } = run(null);
    expect(mask).toBeNull();
    expect(output.every((v) => v === 1.5)).toBe(true);
  });

  it('draws the same masks from the same seed and different ones from another', () => {
    expect(run(new Prng(5)).mask).toEqual(run(new Prng(5)).mask);
    expect(run(new Prng(5)).mask).not.toEqual(run(new Prng(6)).mask);
  });
});
