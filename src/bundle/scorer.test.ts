import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import {
  forwardScores,
  randomRows,
  removeTempDirs,
  tempDir,
  tinyExportInput,
  tinyGraph,
} from './__fixtures__/tiny-bundle.js';
import { exportBundle } from './export.js';
import { promoteBundle } from './registry.js';
import { loadScorer, openScorerFromDir } from './scorer.js';
import type { Scorer } from './scorer-types.js';

afterAll(removeTempDirs);

async function rejection(promise: Promise<unknown>): Promise<CardwatchError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CardwatchError);
    return error as CardwatchError;
  }
  throw new Error('expected a rejection');
}

describe('scorer', () => {
  const models = tempDir('scorer');
  let scorer: Scorer;
  let bundleDir: string;
  beforeAll(async () => {
    bundleDir = (await exportBundle(tinyExportInput(models, 'ae-1'))).dir;
    promoteBundle(models, 'ae-1');
    scorer = await loadScorer(models, 'production');
  });
  afterAll(async () => {
    await scorer.dispose();
  });

  it('exposes the manifest, input columns and threshold', () => {
    expect(scorer.manifest.id).toBe('ae-1');
    expect(scorer.inputColumns).toEqual(['V1', 'V2', 'V3']);
    expect(scorer.threshold).toBe(0.75);
  });

  it('scores raw rows like the float32 reference, with per-feature contributions', async () => {
    const rows = 200;
    const x = randomRows(rows, 3, 17);
    const expected = forwardScores(tinyGraph(), x, rows);
    const { scores, contributions } = await scorer.score(x, rows);
    expect(scores).toHaveLength(rows);
    expect(contributions).toHaveLength(rows * 3);
    for (let r = 0; r < rows; r++) {
      expect(Math.abs(scores[r]! - expected[r]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, expected[r]!));
      const mean = (contributions[r * 3]! + contributions[r * 3 + 1]! + contributions[r * 3 + 2]!) / 3;
      expect(Math.abs(mean - scores[r]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, scores[r]!));
    }
  });

  it('gives the same answer in chunks as in one call', async () => {
    const rows = 10;
    const x = randomRows(rows, 3, 23);
    const chunked = await openScorerFromDir(bundleDir, { chunkRows: 3 });
    try {
      const a = await chunked.score(x, rows);
      const b = await scorer.score(x, rows);
      expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
      expect(Array.from(a.contributions)).toEqual(Array.from(b.contributions));
    } finally {
      await chunked.dispose();
    }
  });

  it('skips the contributions when asked, with the same scores', async () => {
    const rows = 10;
    const x = randomRows(rows, 3, 31);
    const full = await scorer.score(x, rows);
    const lean = await scorer.score(x, rows, { contributions: false });
    expect(lean.contributions).toHaveLength(0);
    expect(Array.from(lean.scores)).toEqual(Array.from(full.scores));
    const chunked = await openScorerFromDir(bundleDir, { chunkRows: 4 });
    try {
      const leanChunked = await chunked.score(x, rows, { contributions: false });
      expect(Array.from(leanChunked.scores)).toEqual(Array.from(full.scores));
    } finally {
      await chunked.dispose();
    }
  });

  it('scores zero rows as empty arrays', async () => {
    const { scores, contributions } = await scorer.score(new Float32Array(0), 0);
    expect(scores).toHaveLength(0);
    expect(contributions).toHaveLength(0);
  });

  it('names expected and received counts on a shape mismatch', async () => {
    const error = await rejection(scorer.score(new Float32Array(7), 2));
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.message).toMatch(/expected 2 rows × 3 features \(V1, V2, V3\) = 6 values, received 7/);
    expect((await rejection(scorer.score(new Float32Array(3), 1.5))).code).toBe('SHAPE_MISMATCH');
    expect((await rejection(scorer.score(new Float32Array(0), -1))).code).toBe('SHAPE_MISMATCH');
  });

  it('names the row and column of a non-finite value', async () => {
    const x = randomRows(5, 3, 29);
    x[3 * 3 + 2] = Number.NaN;
    const nan = await rejection(scorer.score(x, 5));
    expect(nan.code).toBe('INVALID_INPUT');
    expect(nan.message).toMatch(/row 3, column V3 is NaN/);
    x[3 * 3 + 2] = 0;
    x[1 * 3 + 0] = Number.POSITIVE_INFINITY;
    const chunked = await openScorerFromDir(bundleDir, { chunkRows: 2 });
    try {
      expect((await rejection(chunked.score(x, 5))).message).toMatch(/row 1, column V1 is Infinity/);
    } finally {
      await chunked.dispose();
    }
  });

  it('rejects an unknown model and bad options', async () => {
    expect((await rejection(loadScorer(models, 'staging'))).code).toBe('MODEL_NOT_FOUND');
    expect((await rejection(openScorerFromDir(bundleDir, { chunkRows: 0 }))).code).toBe('INVALID_INPUT');
    expect((await rejection(openScorerFromDir(join(models, 'nope')))).code).toBe('MODEL_CORRUPT');
  });
});
