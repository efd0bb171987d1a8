import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import { Prng } from '../util/prng.js';
import type { NetworkSpec, Trainer, TrainerOptions, TrainingData } from './index.js';
import { createTrainer, initParameters, lossValue, predict } from './index.js';

const autoencoder: NetworkSpec = {
  inputDim: 6,
  layers: [
    { kind: 'dense', units: 8 },
    { kind: 'relu' },
    { kind: 'dropout', rate: 0.2 },
    { kind: 'dense', units: 3 },
    { kind: 'relu' },
    { kind: 'dense', units: 6 },
  ],
};
const noDropout: NetworkSpec = {
  ...autoencoder,
  layers: autoencoder.layers.filter((l) => l.kind !== 'dropout'),
};

function normalRows(rows: number, dim: number, seed: number): Float32Array {
  const prng = new Prng(seed);
  return Float32Array.from({ length: rows * dim }, () => prng.normal());
}

const x = normalRows(600, 6, 1);
const data: TrainingData = { x, target: x, rows: 600 };

function options(overrides: Partial<TrainerOptions> = {}): TrainerOptions {
  return {
    spec: autoencoder,
    loss: 'mse',
    lr: 1e-2,
    weightDecay: 1e-4,
    batchSize: 64,
    workers: 2,
    seed: 7,
    ...overrides,
  };
}

async function withTrainer<T>(
  opts: TrainerOptions,
  training: TrainingData,
  run: (trainer: Trainer) => Promise<T>,
  initial = initParameters(opts.spec, 3),
): Promise<T> {
  const trainer = await createTrainer(opts, training, initial);
  try {
    return await run(trainer);
  } finally {
    await trainer.close();
  }
}

async function train(opts: TrainerOptions, epochs: number, training = data): Promise<Float32Array> {
  return withTrainer(opts, training, async (trainer) => {
    for (let e = 0; e < epochs; e++) await trainer.epoch();
    return trainer.parameters();
  });
}

const bits = (values: Float32Array): Uint32Array =>
  new Uint32Array(values.buffer, values.byteOffset, values.length);

describe('createTrainer: reproducibility', () => {
  it('same seed, data and worker count give bit-identical parameters after 2 epochs (2 workers, dropout, shuffle)', async () => {
    const first = await train(options(), 2);
    const second = await train(options(), 2);
    expect(bits(first)).toEqual(bits(second));
    expect(first).not.toEqual(initParameters(autoencoder, 3));
  });

  it('different seeds give different parameters (shuffle and dropout masks differ)', async () => {
    const a = await train(options({ seed: 7 }), 1);
    const b = await train(options({ seed: 8 }), 1);
    expect(bits(a)).not.toEqual(bits(b));
  });

  describe('kernel backends', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('the JS and WebAssembly kernels train bit-identical parameters (2 workers, dropout, shuffle)', async () => {
      vi.stubEnv('CARDWATCH_NN_KERNELS', 'js');
      const js = await train(options(), 2);
      vi.stubEnv('CARDWATCH_NN_KERNELS', 'wasm');
      const wasm = await train(options(), 2);
      expect(bits(js)).toEqual(bits(wasm));
    });
  });

  it('one and two workers agree to float32 round-off without dropout (only the summation order differs)', async () => {
    const a = await train(options({ spec: noDropout, workers: 1 }), 2);
    const b = await train(options({ spec: noDropout, workers: 2 }), 2);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('createTrainer: epochs', () => {
  it('uses the last partial batch, reports progress and weights the epoch loss by batch rows', async () => {
    const small = normalRows(10, 6, 4);
    const progress: [number, number][] = [];
    const result = await withTrainer(
      options({ spec: noDropout, batchSize: 4, workers: 1, shuffle: false }),
      { x: small, target: small, rows: 10 },
      (trainer) => trainer.epoch((done, total) => progress.push([done, total])),
    );
    expect(progress).toEqual([
      [4, 10],
      [8, 10],
      [10, 10],
    ]);
    expect(result.rows).toBe(10);
    expect(result.stepLosses).toHaveLength(3);
    const [l0, l1, l2] = result.stepLosses as [number, number, number];
    expect(result.loss).toBeCloseTo((4 * l0 + 4 * l1 + 2 * l2) / 10, 12);
    expect(result.seconds).toBeGreaterThan(0);
  });

  it('the first step loss equals the inference loss of that batch at the initial parameters', async () => {
    const initial = initParameters(noDropout, 3);
    const result = await withTrainer(
      options({ spec: noDropout, shuffle: false, batchSize: 100 }),
      data,
      (trainer) => trainer.epoch(),
      initial,
    );
    const batch = x.subarray(0, 100 * 6);
    expect(result.stepLosses[0]).toBeCloseTo(lossValue(noDropout, initial, batch, batch, 100, 'mse'), 6);
  });

  it('works with more workers than rows in a batch (empty slices)', async () => {
    const a = await train(options({ spec: noDropout, workers: 3, batchSize: 2 }), 1, {
      x: x.subarray(0, 36),
      target: x.subarray(0, 36),
      rows: 6,
    });
    const b = await train(options({ spec: noDropout, workers: 1, batchSize: 2 }), 1, {
      x: x.subarray(0, 36),
      target: x.subarray(0, 36),
      rows: 6,
    });
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
  });

  it('learns a separable problem with BCE (sigmoid output, from logits)', async () => {
    const prng = new Prng(11);
    const rows = 512;
    const points = Float32Array.from({ length: rows * 2 }, () => prng.normal());
    const labels = Float32Array.from({ length: rows }, (_, r) =>
      points[2 * r]! + points[2 * r + 1]! > 0 ? 1 : 0,
    );
    const spec: NetworkSpec = {
      inputDim: 2,
      layers: [
        { kind: 'dense', units: 8 },
        { kind: 'relu' },
        { kind: 'dense', units: 1 },
        { kind: 'sigmoid' },
      ],
    };
    const initial = initParameters(spec, 1);
    const before = lossValue(spec, initial, points, labels, rows, 'bce');
    const params = await withTrainer(
      { spec, loss: 'bce', lr: 0.05, weightDecay: 0, batchSize: 32, workers: 2, seed: 1 },
      { x: points, target: labels, rows },
      async (trainer) => {
        for (let e = 0; e < 40; e++) await trainer.epoch();
        return trainer.parameters();
      },
      initial,
    );
    const after = lossValue(spec, params, points, labels, rows, 'bce');
    const scores = predict(spec, params, points, rows);
    const correct = labels.filter((label, r) => (scores[r]! > 0.5 ? 1 : 0) === label).length;
    expect(before).toBeGreaterThan(0.4);
    expect(after).toBeLessThan(0.15);
    expect(correct / rows).toBeGreaterThan(0.95);
  });
});

describe('createTrainer: weighted BCE', () => {
  const prng = new Prng(5);
  const rows = 400;
  const points = Float32Array.from({ length: rows * 2 }, () => prng.normal());
  // A rare positive class (about 6%), as class weighting is meant for.
  const labels = Float32Array.from({ length: rows }, (_, r) => (points[2 * r]! > 1.5 ? 1 : 0));
  const spec: NetworkSpec = {
    inputDim: 2,
    layers: [{ kind: 'dense', units: 4 }, { kind: 'relu' }, { kind: 'dense', units: 1 }, { kind: 'sigmoid' }],
  };
  const bce = (overrides: Partial<TrainerOptions>): TrainerOptions => ({
    spec,
    loss: 'bce',
    lr: 0.02,
    weightDecay: 0,
    batchSize: 50,
    workers: 1,
    seed: 3,
    ...overrides,
  });
  const run = (overrides: Partial<TrainerOptions>): Promise<Float32Array> =>
    withTrainer(
      bce(overrides),
      { x: points, target: labels, rows },
      async (trainer) => {
        for (let e = 0; e < 5; e++) await trainer.epoch();
        return trainer.parameters();
      },
      initParameters(spec, 2),
    );

  it('the first step loss is the weighted inference loss; worker threads apply the same weight', async () => {
    const initial = initParameters(spec, 2);
    const result = await withTrainer(
      bce({ posWeight: 9, shuffle: false, batchSize: rows }),
      { x: points, target: labels, rows },
      (trainer) => trainer.epoch(),
      initial,
    );
    expect(result.stepLosses[0]).toBeCloseTo(lossValue(spec, initial, points, labels, rows, 'bce', 9), 6);
    expect(lossValue(spec, initial, points, labels, rows, 'bce', 9)).toBeGreaterThan(
      lossValue(spec, initial, points, labels, rows, 'bce'),
    );
    const one = await run({ posWeight: 9, workers: 1 });
    const two = await run({ posWeight: 9, workers: 2 });
    for (let i = 0; i < one.length; i++) expect(two[i]).toBeCloseTo(one[i]!, 4);
  });

  it('a larger positive weight raises the predicted probability of positives', async () => {
    const meanPositive = (params: Float32Array): number => {
      const p = predict(spec, params, points, rows);
      let sum = 0;
      let count = 0;
      labels.forEach((label, r) => {
        if (label === 1) {
          sum += p[r]!;
          count++;
        }
      });
      return sum / count;
    };
    expect(meanPositive(await run({ posWeight: 10 }))).toBeGreaterThan(meanPositive(await run({})));
  });
});

describe('createTrainer: parameters, errors and shutdown', () => {
  it('parameters() is a copy and setParameters replaces them', async () => {
    await withTrainer(options({ workers: 1 }), data, async (trainer) => {
      const copy = trainer.parameters();
      copy[0] = 123;
      expect(trainer.parameters()[0]).not.toBe(123);
      trainer.setParameters(copy);
      expect(trainer.parameters()[0]).toBe(123);
      expect(() => trainer.setParameters(new Float32Array(3))).toThrow(/3 values but the network has/);
    });
  });

  it.each([1, 2])(
    'a failure inside the step rejects the epoch with its message (%i worker(s)) and never hangs',
    async (workers) => {
      // BCE on a network without a final sigmoid: the output bias of 5 puts outputs above 1.
      const spec: NetworkSpec = { inputDim: 2, layers: [{ kind: 'dense', units: 1 }, { kind: 'relu' }] };
      const points = normalRows(20, 2, 3);
      const labels = new Float32Array(20).fill(1);
      const trainer = await createTrainer(
        { spec, loss: 'bce', lr: 0.01, weightDecay: 0, batchSize: 8, workers, seed: 1 },
        { x: points, target: labels, rows: 20 },
        new Float32Array([0, 0, 5]),
      );
      await expect(trainer.epoch()).rejects.toThrow(
        /binary cross-entropy needs network outputs in \[0, 1\], got 5/,
      );
      await expect(trainer.epoch()).rejects.toThrow(/binary cross-entropy/);
      await trainer.close();
      await trainer.close();
    },
  );

  it('close() is idempotent and a closed trainer refuses to train', async () => {
    const trainer = await createTrainer(options(), data, initParameters(autoencoder, 3));
    await trainer.close();
    await trainer.close();
    await expect(trainer.epoch()).rejects.toThrow(/closed/);
  });

  it('rejects concurrent epochs', async () => {
    await withTrainer(options(), data, async (trainer) => {
      const first = trainer.epoch();
      await expect(trainer.epoch()).rejects.toThrow(/already running/);
      await first;
    });
  });

  it.each<[string, Partial<TrainerOptions>, RegExp]>([
    ['lr', { lr: 0 }, /lr must be a finite number > 0, got 0/],
    ['batchSize', { batchSize: 0 }, /batchSize must be a positive integer, got 0/],
    ['workers', { workers: 1.5 }, /workers must be a positive integer, got 1.5/],
    ['betas', { betas: [0.9, 1] }, /betas must be two numbers in \[0, 1\)/],
    ['weightDecay', { weightDecay: -1 }, /weightDecay must be a finite number >= 0/],
    ['posWeight', { loss: 'bce', posWeight: 0 }, /posWeight must be a finite number > 0, got 0/],
    ['posWeight with mse', { posWeight: 2 }, /loss "mse" takes none/],
  ])('rejects a bad option: %s', async (_, overrides, message) => {
    await expect(createTrainer(options(overrides), data, initParameters(autoencoder, 3))).rejects.toThrow(
      message,
    );
  });

  it('rejects bad data with the offending row and column', async () => {
    const bad = x.slice();
    bad[5 * 6 + 2] = Infinity;
    const error = await createTrainer(
      options(),
      { x: bad, target: bad, rows: 600 },
      initParameters(autoencoder, 3),
    ).catch((e: unknown) => e);
    expect(isCardwatchError(error) && error.code).toBe('DATA_INVALID');
    expect(String(error)).toMatch(/training x has a non-finite value \(Infinity\) at row 5, column 2/);
    await expect(
      createTrainer(options(), { x, target: x, rows: 601 }, initParameters(autoencoder, 3)),
    ).rejects.toThrow(/training x has 3600 values but 601 rows × 6 columns need 3606/);
    await expect(createTrainer(options(), data, new Float32Array(5))).rejects.toThrow(
      /initial parameters has 5 values/,
    );
    const labels = new Float32Array(600 * 6).fill(2);
    await expect(
      createTrainer(
        options({ loss: 'bce' }),
        { x, target: labels, rows: 600 },
        initParameters(autoencoder, 3),
      ),
    ).rejects.toThrow(/must lie in \[0, 1\] for binary cross-entropy, got 2 at row 0, column 0/);
  });
});
