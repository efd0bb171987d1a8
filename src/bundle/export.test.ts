import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { removeTempDirs, tempDir, tinyExportInput } from './__fixtures__/tiny-bundle.js';
import { computeContentHash } from './content-hash.js';
import { readExamples } from './examples.js';
import { exportBundle } from './export.js';
import { manifestSchema } from './manifest.js';
import { readManifest } from './registry.js';
import { readReferenceSample } from './reference-sample.js';

afterAll(removeTempDirs);

function modelsDir(): string {
  return tempDir('export');
}

async function rejection(promise: Promise<unknown>): Promise<CardwatchError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CardwatchError);
    return error as CardwatchError;
  }
  throw new Error('expected a rejection');
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
      id: 'ae-1',
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
