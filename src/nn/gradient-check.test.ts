/**
 * Finite-difference gradient check: the engine's analytic gradient (float32 kernels, both backends) against central
 * differences of an independent float64 re-implementation of the forward pass and loss, for small networks
 * using every layer kind (dense, relu and sigmoid both fused and standalone, dropout) and both losses
 * (BCE on its fused-logits path and on its clamped-probability path).
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import type { KernelBackend } from './kernels.js';
import { createJsKernels, createWasmKernels } from './kernels.js';
import { initParameters } from './parameters.js';
import type { LossKind, NetworkSpec } from './spec.js';
import { compilePlan } from './spec.js';
import { Workspace } from './workspace.js';

/** Float64 forward pass + mean loss, written from the layer definitions (no engine code). */
function referenceLoss(
  spec: NetworkSpec,
  params: Float64Array,
  x: Float64Array,
  target: Float64Array,
  rows: number,
  loss: LossKind,
  masks: Map<number, Float64Array>,
  posWeight = 1,
): number {
  let dim = spec.inputDim;
  let a = Array.from(x);
  let offset = 0;
  spec.layers.forEach((layer, index) => {
    if (layer.kind === 'dense') {
      const out = new Array<number>(rows * layer.units);
      const biasOffset = offset + dim * layer.units;
      for (let r = 0; r < rows; r++) {
        for (let o = 0; o < layer.units; o++) {
          let s = params[biasOffset + o]!;
          for (let i = 0; i < dim; i++) s += params[offset + o * dim + i]! * a[r * dim + i]!;
          out[r * layer.units + o] = s;
        }
      }
      offset = biasOffset + layer.units;
      dim = layer.units;
      a = out;
    } else if (layer.kind === 'relu') {
      a = a.map((v) => Math.max(v, 0));
    } else if (layer.kind === 'sigmoid') {
      a = a.map((v) => 1 / (1 + Math.exp(-v)));
    } else {
      const mask = masks.get(index);
      if (mask !== undefined) a = a.map((v, i) => v * mask[i]!);
    }
  });
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const y = a[i]!;
    const t = target[i]!;
    sum += loss === 'mse' ? (y - t) ** 2 : -(posWeight * t * Math.log(y) + (1 - t) * Math.log(1 - y));
  }
  return sum / a.length;
}

interface Case {
  name: string;
  spec: NetworkSpec;
  loss: LossKind;
  /** BCE's positive-class weight (default 1). */
  posWeight?: number;
}

const cases: Case[] = [
  {
    name: 'MSE: dense+relu, dropout, dense+sigmoid, standalone relu, dense (linear output)',
    loss: 'mse',
    spec: {
      inputDim: 5,
      layers: [
        { kind: 'dense', units: 7 },
        { kind: 'relu' },
        { kind: 'dropout', rate: 0.3 },
        { kind: 'dense', units: 6 },
        { kind: 'sigmoid' },
        { kind: 'relu' },
        { kind: 'dense', units: 3 },
      ],
    },
  },
  {
    name: 'BCE from logits: dropout on the input, dense+relu, dense+sigmoid output (fused)',
    loss: 'bce',
    spec: {
      inputDim: 4,
      layers: [
        { kind: 'dropout', rate: 0.25 },
        { kind: 'dense', units: 9 },
        { kind: 'relu' },
        { kind: 'dense', units: 2 },
        { kind: 'sigmoid' },
      ],
    },
  },
  {
    name: 'BCE from logits: standalone sigmoid after dropout',
    loss: 'bce',
    spec: {
      inputDim: 3,
      layers: [
        { kind: 'dense', units: 5 },
        { kind: 'dropout', rate: 0.2 },
        { kind: 'sigmoid' },
        { kind: 'dense', units: 2 },
        { kind: 'dropout', rate: 0.2 },
        { kind: 'sigmoid' },
      ],
    },
  },
  {
    name: 'weighted BCE from logits (posWeight 7): the classifier shape, dense+relu, dropout, dense(1)+sigmoid',
    loss: 'bce',
    posWeight: 7,
    spec: {
      inputDim: 5,
      layers: [
        { kind: 'dense', units: 6 },
        { kind: 'relu' },
        { kind: 'dropout', rate: 0.2 },
        { kind: 'dense', units: 1 },
        { kind: 'sigmoid' },
      ],
    },
  },
  {
    name: 'weighted BCE on probabilities (posWeight 3, clamped path)',
    loss: 'bce',
    posWeight: 3,
    spec: {
      inputDim: 4,
      layers: [
        { kind: 'dense', units: 5 },
        { kind: 'relu' },
        { kind: 'dense', units: 2 },
        { kind: 'sigmoid' },
        { kind: 'relu' },
      ],
    },
  },
  {
    name: 'BCE on probabilities (clamped path): sigmoid then a standalone relu as the last op',
    loss: 'bce',
    spec: {
      inputDim: 4,
      layers: [
        { kind: 'dense', units: 6 },
        { kind: 'relu' },
        { kind: 'dense', units: 3 },
        { kind: 'sigmoid' },
        { kind: 'relu' },
      ],
    },
  },
];

describe.each<[string, KernelBackend]>([
  ['js', createJsKernels],
  ['wasm-simd', createWasmKernels],
])('finite-difference gradient check (%s kernels)', (_, backend) => {
  for (const { name, spec, loss, posWeight = 1 } of cases) {
    it(name, () => {
      const plan = compilePlan(spec);
      const rows = 6;
      const prng = new Prng(7);
      const x = Float32Array.from({ length: rows * plan.inputDim }, () => prng.normal());
      const target = Float32Array.from({ length: rows * plan.outputDim }, () =>
        loss === 'mse' ? prng.normal() : prng.next(),
      );
      const params = initParameters(spec, 11);
      // Larger weights than the default init, so every unit has a visible gradient.
      for (let i = 0; i < params.length; i++) params[i] = Math.fround(params[i]! * 2);

      const workspace = new Workspace(plan, rows, backend);
      workspace.loadParameters(params);
      workspace.input.set(x);
      workspace.target.set(target);
      workspace.forward(rows, new Prng(3));
      const engineLoss = workspace.backward(loss, posWeight) / (rows * plan.outputDim);
      const analytic = new Float64Array(plan.parameterCount);
      workspace.writeGradients(analytic);
      for (let i = 0; i < analytic.length; i++) analytic[i]! /= rows * plan.outputDim;

      const masks = new Map<number, Float64Array>();
      let opIndex = 0;
      spec.layers.forEach((layer, index) => {
        // Layers map to ops one to one except an activation fused into the dense layer before it.
        const fused =
          (layer.kind === 'relu' || layer.kind === 'sigmoid') && spec.layers[index - 1]?.kind === 'dense';
        if (fused) return;
        if (layer.kind === 'dropout') {
          const op = plan.ops[opIndex]!;
          const mask = workspace.dropoutMask(opIndex);
          expect(op.kind === 'dropout' && mask !== null).toBe(true);
          if (op.kind === 'dropout') masks.set(index, Float64Array.from(mask!.subarray(0, rows * op.dim)));
        }
        opIndex += 1;
      });

      const p64 = Float64Array.from(params);
      const x64 = Float64Array.from(x);
      const t64 = Float64Array.from(target);
      const reference = referenceLoss(spec, p64, x64, t64, rows, loss, masks, posWeight);
      expect(Math.abs(engineLoss - reference) / reference).toBeLessThan(1e-5);

      const h = 1e-6;
      let checked = 0;
      for (let j = 0; j < p64.length; j++) {
        const saved = p64[j]!;
        p64[j] = saved + h;
        const up = referenceLoss(spec, p64, x64, t64, rows, loss, masks, posWeight);
        p64[j] = saved - h;
        const down = referenceLoss(spec, p64, x64, t64, rows, loss, masks, posWeight);
        p64[j] = saved;
        const numeric = (up - down) / (2 * h);
        expect(
          Math.abs(analytic[j]! - numeric),
          `parameter ${j}: analytic ${analytic[j]} numeric ${numeric}`,
        ).toBeLessThan(1e-5 + 1e-3 * Math.abs(numeric));
        if (Math.abs(numeric) > 1e-4) checked += 1;
      }
      // Most parameters must have a non-trivial gradient, or the check proves little.
      expect(checked).toBeGreaterThan(p64.length / 2);
    });
  }
});
