import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  forwardScores,
  randomRows,
  removeTempDirs,
  tempDir,
  tinyExportInput,
  tinyGraph,
} from './__fixtures__/tiny-bundle.js';
import { writeV1Bundle } from './__fixtures__/v1-bundle.js';
import { computeContentHash } from './content-hash.js';
import { exportBundle } from './export.js';
import type { BundleManifest } from './manifest.js';
import { buildInt8OnnxModel } from './onnx-int8.js';
import { onnx } from './onnx-protobuf.js';
import { openOnnxSession } from './onnx-runtime.js';
import { promoteBundle } from './registry.js';
import { spearman } from './score-agreement.js';
import { loadScorer, openScorerFromDir, parseEngine, requireEngine, scorerEngines } from './scorer.js';
import type { Scorer, ScoringEngine } from './scorer-types.js';
import { rejection } from '../util/__fixtures__/rejection.js';

afterAll(removeTempDirs);

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

  it('lets the event loop run between the chunks of a large batch (ONNX Runtime runs in place)', async () => {
    const rows = 10;
    const chunked = await openScorerFromDir(bundleDir, { chunkRows: 3 });
    try {
      let turns = 0;
      const tick = (): void => {
        turns += 1;
        if (turns < 100) setImmediate(tick);
      };
      setImmediate(tick);
      const before = turns;
      await chunked.score(randomRows(rows, 3, 5), rows);
      // 4 chunks: at least one loop turn between each pair of them.
      expect(turns - before).toBeGreaterThanOrEqual(3);
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

describe('scorer engines', () => {
  const models = tempDir('engines');
  let scorer: Scorer;
  let bundleDir: string;
  beforeAll(async () => {
    bundleDir = (await exportBundle(tinyExportInput(models, 'ae-both'))).dir;
    await exportBundle({ ...tinyExportInput(models, 'ae-float-only'), int8: false });
    writeV1Bundle(models);
    scorer = await loadScorer(models, 'ae-both');
  });
  afterAll(async () => {
    await scorer.dispose();
  });

  it('loads both variants once and scores each call with the engine it names', async () => {
    expect(scorer.engines).toEqual(['float32', 'int8']);
    const rows = 40;
    const x = randomRows(rows, 3, 53);
    const float32 = await scorer.score(x, rows);
    const int8 = await scorer.score(x, rows, { engine: 'int8' });
    expect(Array.from((await scorer.score(x, rows, { engine: 'float32' })).scores)).toEqual(
      Array.from(float32.scores),
    );
    // The int8 call really ran model.int8.onnx: same scores as ONNX Runtime on that file…
    const direct = await openOnnxSession(join(bundleDir, 'model.int8.onnx'));
    try {
      const out = await direct.run({ input: { data: x, dims: [rows, 3] } });
      expect(Array.from(int8.scores)).toEqual(Array.from(out.score!.data));
    } finally {
      await direct.dispose();
    }
    // …which differ from float32 (quantization), but rank the rows alike, with contributions of the same shape.
    expect(Array.from(int8.scores)).not.toEqual(Array.from(float32.scores));
    expect(spearman(int8.scores, float32.scores)).toBeGreaterThan(0.99);
    expect(int8.contributions).toHaveLength(rows * 3);
    // Chunked int8 scoring (weight-only: rows are independent) gives the same answer.
    const chunked = await openScorerFromDir(bundleDir, { chunkRows: 7, engine: 'int8' });
    try {
      expect(Array.from((await chunked.score(x, rows)).scores)).toEqual(Array.from(int8.scores));
    } finally {
      await chunked.dispose();
    }
  });

  it('answers an engine the bundle lacks with ENGINE_NOT_AVAILABLE (404) and a re-export hint', async () => {
    const floatOnly = await loadScorer(models, 'ae-float-only');
    try {
      expect(floatOnly.engines).toEqual(['float32']);
      const error = await rejection(floatOnly.score(new Float32Array(3), 1, { engine: 'int8' }));
      expect(error.code).toBe('ENGINE_NOT_AVAILABLE');
      expect(error.statusCode).toBe(404);
      expect(error.message).toBe(
        'model ae-float-only has no int8 variant (it has: float32; format_version 2); ' +
          're-export with `cardwatch export` to get the int8 variant',
      );
      expect(() => requireEngine(floatOnly, 'int8')).toThrow(/re-export with `cardwatch export`/);
      expect(() => requireEngine(floatOnly, 'float32')).not.toThrow();
    } finally {
      await floatOnly.dispose();
    }
    const asDefault = await rejection(loadScorer(models, 'ae-float-only', { engine: 'int8' }));
    expect(asDefault.code).toBe('ENGINE_NOT_AVAILABLE');
    // An untyped caller's typo is a bad argument, not a missing variant.
    const typo = await rejection(scorer.score(new Float32Array(3), 1, { engine: 'fp16' as ScoringEngine }));
    expect(typo.code).toBe('INVALID_INPUT');
  });

  it('scores a format_version 1 bundle with float32 and refuses int8 with the hint', async () => {
    const v1 = await loadScorer(models, 'ae-v1');
    try {
      expect(v1.manifest).toMatchObject({
        format_version: 1,
        source: 'training',
        variants: { float32: { file: 'model.onnx', bytes: null, sha256: null } },
        parity: { reference: 'training_engine' },
      });
      expect(v1.engines).toEqual(['float32']);
      const x = randomRows(20, 3, 61);
      const expected = forwardScores(tinyGraph(), x, 20);
      const { scores } = await v1.score(x, 20);
      for (let r = 0; r < 20; r++) {
        expect(Math.abs(scores[r]! - expected[r]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, expected[r]!));
      }
      const error = await rejection(v1.score(x, 20, { engine: 'int8' }));
      expect(error.code).toBe('ENGINE_NOT_AVAILABLE');
      expect(error.message).toMatch(
        /ae-v1 has no int8 variant .*format_version 1\); re-export with `cardwatch export`/,
      );
    } finally {
      await v1.dispose();
    }
  });

  it('parses engine names and treats a scorer that does not list engines as float32 only', () => {
    expect(parseEngine(undefined)).toBe('float32');
    expect(parseEngine('int8')).toBe('int8');
    expect(() => parseEngine('INT8')).toThrow(/engine must be one of float32, int8; got "INT8"/);
    const legacy: Scorer = {
      manifest: scorer.manifest,
      inputColumns: scorer.inputColumns,
      threshold: scorer.threshold,
      score: (x, rows) => scorer.score(x, rows),
      dispose: async () => undefined,
    };
    expect(scorerEngines(legacy)).toEqual(['float32']);
    expect(scorerEngines(scorer)).toEqual(['float32', 'int8']);
  });
});

describe('a damaged int8 variant', () => {
  /** A fresh bundle whose model.int8.onnx is replaced by `bytes`; `rehash` also fixes the manifest's hashes. */
  async function damaged(bytes: Uint8Array | null, rehash: boolean): Promise<string> {
    const models = tempDir('damaged');
    const { dir } = await exportBundle(tinyExportInput(models, 'ae-1'));
    const path = join(dir, 'model.int8.onnx');
    chmodSync(path, 0o644);
    if (bytes === null) rmSync(path);
    else writeFileSync(path, bytes);
    if (rehash) {
      const manifestPath = join(dir, 'manifest.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BundleManifest;
      chmodSync(manifestPath, 0o644);
      const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
      manifest.variants.int8!.sha256 = sha;
      writeFileSync(manifestPath, JSON.stringify({ ...manifest, content_hash: computeContentHash(dir) }));
    }
    return dir;
  }

  it('is named as the damaged file when its bytes changed after export', async () => {
    const dir = await damaged(new Uint8Array([8, 8, 18, 3, 0xff, 0xfe]), false);
    const error = await rejection(openScorerFromDir(dir));
    expect(error.code).toBe('MODEL_CORRUPT');
    expect(error.message).toMatch(
      /modified after export.*damaged model file\(s\): model\.int8\.onnx \(sha256 differs/,
    );
    expect(error.message).not.toMatch(/model\.onnx,/);
  });

  it('fails to load with MODEL_CORRUPT naming the file even when the hashes were rewritten to match', async () => {
    const dir = await damaged(new Uint8Array([0xde, 0xad, 0xbe, 0xef]), true);
    const error = await rejection(openScorerFromDir(dir));
    expect(error.code).toBe('MODEL_CORRUPT');
    expect(error.message).toContain(join(dir, 'model.int8.onnx'));
    expect(error.message).toMatch(/not a valid ONNX model ONNX Runtime can load/);
  });

  it('is reported as missing when the file is gone', async () => {
    const dir = await damaged(null, false);
    const error = await rejection(openScorerFromDir(dir));
    expect(error.code).toBe('MODEL_CORRUPT');
    expect(error.message).toMatch(/model\.int8\.onnx is missing \(listed in .*manifest\.json\)/);
  });

  it('is refused when its graph lacks the outputs the manifest names', async () => {
    const otherOutputs = onnx.ModelProto.decode(buildInt8OnnxModel(tinyGraph()).bytes);
    otherOutputs.graph!.output = otherOutputs.graph!.output!.filter((o) => o.name === 'score');
    const dir = await damaged(onnx.ModelProto.encode(otherOutputs).finish(), true);
    const error = await rejection(openScorerFromDir(dir));
    expect(error.code).toBe('MODEL_CORRUPT');
    expect(error.message).toMatch(/model\.int8\.onnx lacks output contributions named in its manifest/);
  });
});
