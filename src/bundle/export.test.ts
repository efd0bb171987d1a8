import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  nearIdentityGraph,
  randomLabels,
  removeTempDirs,
  tempDir,
  tinyExportInput,
} from './__fixtures__/tiny-bundle.js';
import { computeContentHash } from './content-hash.js';
import { readExamples } from './examples.js';
import { exportBundle } from './export.js';
import { manifestSchema } from './manifest.js';
import { openOnnxSession } from './onnx-runtime.js';
import type { Int8Scheme } from './quantize.js';
import { readManifest } from './registry.js';
import { readReferenceSample } from './reference-sample.js';
import { compareScores, rankMetrics } from './score-agreement.js';
import { rejection } from '../util/__fixtures__/rejection.js';

afterAll(removeTempDirs);

function modelsDir(): string {
  return tempDir('export');
}

describe('exportBundle', () => {
  it('writes a complete, read-only, verifiable bundle', async () => {
    const dir = modelsDir();
    const input = tinyExportInput(dir, 'ae-1');
    const result = await exportBundle(input);

    expect(result.dir).toBe(join(dir, 'ae-1'));
    expect(readdirSync(dir)).toEqual(['ae-1']); // no temp folder left
    expect(readdirSync(result.dir).sort()).toEqual([
      'examples.json',
      'manifest.json',
      'model.int8.onnx',
      'model.onnx',
      'reference.csv',
    ]);
    for (const name of readdirSync(result.dir)) {
      expect(statSync(join(result.dir, name)).mode & 0o777).toBe(0o444);
    }

    const manifest = manifestSchema.parse(
      JSON.parse(readFileSync(join(result.dir, 'manifest.json'), 'utf8')),
    );
    expect(manifest).toEqual(result.manifest);
    expect(manifest).toMatchObject({
      format_version: 2,
      id: 'ae-1',
      source: 'training',
      model_type: 'autoencoder',
      input_columns: ['V1', 'V2', 'V3'],
      onnx: {
        file: 'model.onnx',
        input: 'input',
        score_output: 'score',
        contributions_output: 'contributions',
        opset: 17,
      },
      threshold: { value: 0.75, chosen_on: 'validation' },
      score: { name: 'reconstruction_error', higher_is_riskier: true },
      run_id: 'run-ae-1',
      data_fingerprint: 'fp-tiny',
    });
    expect(manifest.parity.rows).toBe(50);
    expect(manifest.parity.reference).toBe('training_engine');
    const model = readFileSync(join(result.dir, 'model.onnx'));
    expect(manifest.variants.float32).toEqual({
      file: 'model.onnx',
      bytes: model.length,
      sha256: createHash('sha256').update(model).digest('hex'),
    });
    // The tiny graph's float32 reference and ONNX Runtime agree far inside the tolerance.
    expect(manifest.parity.max_abs_diff).toBeLessThan(1e-5);
    expect(manifest.content_hash).toBe(computeContentHash(result.dir));
    expect(readManifest(result.dir, { verifyHash: true })).toEqual(manifest);

    const reference = readReferenceSample(result.dir);
    expect(reference.columns).toEqual(input.referenceSample.columns);
    expect(Array.from(reference.rows)).toEqual(Array.from(input.referenceSample.rows)); // float32 exact
    const examples = readExamples(result.dir);
    expect(examples.columns).toHaveLength(30);
    expect(examples.normal).toEqual(input.examples.normal);
    expect(examples.fraud).toEqual(input.examples.fraud);
  });

  it('detects tampering with any bundle file', async () => {
    const dir = modelsDir();
    const { dir: bundle } = await exportBundle(tinyExportInput(dir, 'ae-1'));
    const path = join(bundle, 'reference.csv');
    chmodSync(path, 0o644);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/\n[^\n]*\n$/, '\n'));
    expect(() => readManifest(bundle)).not.toThrow(); // structure still fine…
    expect(() => readManifest(bundle, { verifyHash: true })).toThrow(/modified after export/); // …content not
    // An added file counts as tampering too.
    const { dir: other } = await exportBundle(tinyExportInput(dir, 'ae-2'));
    writeFileSync(join(other, 'extra.bin'), 'x');
    expect(() => readManifest(other, { verifyHash: true })).toThrow(/content hash/);
  });

  it('fails parity with the worst row and both values, leaving nothing behind', async () => {
    const dir = modelsDir();
    const good = tinyExportInput(dir, 'ae-bad');
    const expectedScores = good.parity.expectedScores.slice();
    expectedScores[7] = expectedScores[7]! + 0.01;
    expectedScores[12] = expectedScores[12]! * (1 + 2e-6); // within tolerance: not the one reported
    const error = await rejection(exportBundle({ ...good, parity: { ...good.parity, expectedScores } }));
    expect(error.code).toBe('EXPORT_PARITY');
    expect(error.message).toMatch(/parity row 7 of 50/);
    expect(error.message).toContain(String(expectedScores[7]));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('treats a NaN expected score as a parity failure', async () => {
    const dir = modelsDir();
    const good = tinyExportInput(dir, 'ae-nan');
    const expectedScores = good.parity.expectedScores.slice();
    expectedScores[0] = Number.NaN;
    const error = await rejection(exportBundle({ ...good, parity: { ...good.parity, expectedScores } }));
    expect(error.code).toBe('EXPORT_PARITY');
    expect(existsSync(join(dir, 'ae-nan'))).toBe(false);
  });

  it('refuses to overwrite an existing bundle', async () => {
    const dir = modelsDir();
    await exportBundle(tinyExportInput(dir, 'ae-1'));
    const error = await rejection(exportBundle(tinyExportInput(dir, 'ae-1')));
    expect(error.message).toMatch(/already exists.*immutable/);
  });

  it('rejects bad inputs before writing anything', async () => {
    const dir = modelsDir();
    const base = tinyExportInput(dir, 'ae-1');
    const cases: Array<[Parameters<typeof exportBundle>[0], RegExp]> = [
      [{ ...base, id: '../escape' }, /bundle id "..\/escape" is not valid/],
      [{ ...base, id: '.hidden' }, /not valid/],
      [{ ...base, parity: { ...base.parity, rows: 49 } }, /expected 49 × 3 = 147 and 49/],
      [
        { ...base, parity: { x: new Float32Array(0), rows: 0, expectedScores: new Float32Array(0) } },
        /at least one row/,
      ],
      [
        { ...base, examples: { normal: [[1, 2]], fraud: [] } },
        /examples\.normal\[0\] has 2 values, expected the 30/,
      ],
      [
        {
          ...base,
          referenceSample: { ...base.referenceSample, columns: base.referenceSample.columns.slice(0, -1) },
        },
        /lacks column\(s\) score/,
      ],
      [{ ...base, referenceSample: { ...base.referenceSample, count: 5 } }, /expected 5 rows × 32 columns/],
      [{ ...base, threshold: { value: Number.NaN, strategy: 'x' } }, /threshold\.value/],
    ];
    for (const [input, message] of cases) {
      const error = await rejection(exportBundle(input));
      expect(error.message).toMatch(message);
    }
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});

describe('the int8 variant at export', () => {
  it('writes model.int8.onnx and records its agreement with float32 as ONNX Runtime measures it', async () => {
    const dir = modelsDir();
    const input = tinyExportInput(dir, 'ae-int8');
    const { dir: bundle, manifest } = await exportBundle(input);
    const int8 = manifest.variants.int8!;
    const bytes = readFileSync(join(bundle, 'model.int8.onnx'));
    expect(int8).toMatchObject({
      file: 'model.int8.onnx',
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      opset: 17,
      scheme: 'weight-only',
      batch_independent: true,
      prune: 0,
      rows: 50,
      min_rank_correlation: 0.99,
      metrics: null, // the parity rows carried no labels
    });
    // Recompute every agreement figure from the two files.
    const score = async (file: string): Promise<Float32Array> => {
      const session = await openOnnxSession(join(bundle, file));
      try {
        return (await session.run({ input: { data: input.parity.x, dims: [50, 3] } })).score!.data;
      } finally {
        await session.dispose();
      }
    };
    const float32 = await score('model.onnx');
    const quantized = await score('model.int8.onnx');
    expect(int8).toMatchObject(compareScores(float32, quantized, 0.75));
    // Quantization really moved the scores, and the ranking survived it.
    expect(int8.max_abs_diff).toBeGreaterThan(0);
    expect(int8.rank_correlation).toBeGreaterThanOrEqual(0.99);
  });

  it('reports ROC AUC and AUPRC of both variants on labelled parity rows', async () => {
    const dir = modelsDir();
    const base = tinyExportInput(dir, 'ae-labels');
    const labels = randomLabels(50);
    const { manifest } = await exportBundle({ ...base, parity: { ...base.parity, labels } });
    const metrics = manifest.variants.int8!.metrics!;
    expect(metrics.rows).toBe(50);
    expect(metrics.frauds).toBe(labels.reduce((a, b) => a + b, 0));
    const expected = rankMetrics(base.parity.expectedScores, labels)!;
    expect(metrics.float32.roc_auc).toBeCloseTo(expected.roc_auc, 6);
    expect(metrics.float32.average_precision).toBeCloseTo(expected.average_precision, 6);
    expect(Math.abs(metrics.int8.roc_auc - metrics.float32.roc_auc)).toBeLessThan(0.05);

    const oneClass = await exportBundle({
      ...tinyExportInput(dir, 'ae-one-class'),
      parity: { ...base.parity, labels: new Uint8Array(50) },
    });
    expect(oneClass.manifest.variants.int8!.metrics).toBeNull();
    const error = await rejection(
      exportBundle({ ...tinyExportInput(dir, 'ae-bad-labels'), parity: { ...base.parity, labels: [1, 0] } }),
    );
    expect(error.message).toMatch(/parity labels has 2 values, expected one per parity row \(50\)/);
  });

  it('prunes before quantizing and records the fraction', async () => {
    const dir = modelsDir();
    const { manifest } = await exportBundle({ ...tinyExportInput(dir, 'ae-pruned'), int8: { prune: 0.25 } });
    const int8 = manifest.variants.int8!;
    expect(int8.prune).toBe(0.25);
    // floor(0.25 · n) weights per layer are zeroed: 3 of 12, 2 of 8, 2 of 8, 3 of 12 → 10 of 40 at least.
    expect(int8.zero_weight_fraction).toBeGreaterThanOrEqual(10 / 40);
  });

  it('refuses an int8 variant that ranks the parity rows unlike float32, leaving nothing behind', async () => {
    const dir = modelsDir();
    const graph = nearIdentityGraph();
    const base = tinyExportInput(dir, 'ae-near-identity', { graph });
    const error = await rejection(exportBundle(base));
    expect(error.code).toBe('EXPORT_PARITY');
    expect(error.message).toMatch(
      /int8 variant \(weight-only, prune 0\) ranks the 50 parity rows with Spearman 0?\.\d{4} against float32, below the required 0\.99; export with a smaller prune fraction \(or without int8\)/,
    );
    expect(readdirSync(dir)).toEqual([]);
    // The same network exports fine as float32 only.
    const { dir: bundle, manifest } = await exportBundle({ ...base, int8: false });
    expect(manifest.variants.int8).toBeUndefined();
    expect(readdirSync(bundle)).not.toContain('model.int8.onnx');
  });

  it('can use the dynamic scheme and says its scores depend on the batch', async () => {
    const dir = modelsDir();
    const { manifest } = await exportBundle({
      ...tinyExportInput(dir, 'ae-dyn'),
      int8: { scheme: 'dynamic' },
    });
    expect(manifest.variants.int8).toMatchObject({ scheme: 'dynamic', batch_independent: false });
    expect(manifest.variants.int8!.rank_correlation).toBeGreaterThanOrEqual(0.99);
  });

  it('rejects bad int8 options before writing anything', async () => {
    const dir = modelsDir();
    for (const [int8, message] of [
      [{ prune: 1 }, /prune must be a fraction in \[0, 1\).*got 1/],
      [{ prune: -0.1 }, /got -0\.1/],
      [{ prune: Number.NaN }, /got NaN/],
      [{ scheme: 'int4' as Int8Scheme }, /scheme must be one of weight-only, dynamic; got int4/],
    ] as const) {
      const error = await rejection(exportBundle({ ...tinyExportInput(dir, 'ae-opts'), int8 }));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toMatch(message);
    }
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});
