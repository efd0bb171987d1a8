import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import { removeTempDirs, tempDir, tinyGraph } from './__fixtures__/tiny-bundle.js';
import { importOnnxBundle, IMPORT_VERIFY_ROWS, type ImportOnnxInput } from './import-bundle.js';
import type { ImportedBundleManifest } from './manifest.js';
import { buildDenseOnnxModel } from './onnx-graph.js';
import { onnx } from './onnx-protobuf.js';
import { listBundles, readManifest } from './registry.js';
import { compareScores } from './score-agreement.js';
import { loadScorer } from './scorer.js';
import type { Scorer } from './scorer-types.js';
import { rejection } from '../util/__fixtures__/rejection.js';

afterAll(removeTempDirs);

/** `../shared/fixtures/pytorch-onnx` relative to the repository root (two levels above src/bundle). */
const FIXTURE_DIR = fileURLToPath(new URL('../../../shared/fixtures/pytorch-onnx/', import.meta.url));
const ONNX_PATH = join(FIXTURE_DIR, 'model.onnx');
const SCALER_PATH = join(FIXTURE_DIR, 'scaler.json');

interface Golden {
  threshold: number;
  rows: Array<{ features: number[]; error_scaled: number }>;
}
interface ScalerJson {
  features: string[];
  mean: number[];
  std: number[];
}
const golden = JSON.parse(readFileSync(join(FIXTURE_DIR, 'golden.json'), 'utf8')) as Golden;
const scalerJson = JSON.parse(readFileSync(SCALER_PATH, 'utf8')) as ScalerJson;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('importOnnxBundle with the PyTorch-exported autoencoder', () => {
  const models = tempDir('import');
  let manifest: ImportedBundleManifest;
  let scorer: Scorer;
  const rows = golden.rows.length;
  const raw = Float32Array.from(golden.rows.flatMap((row) => row.features));
  beforeAll(async () => {
    const bundle = await importOnnxBundle({
      modelsDir: models,
      onnxPath: ONNX_PATH,
      scalerPath: SCALER_PATH,
      threshold: golden.threshold,
      id: 'pytorch-ae',
    });
    manifest = bundle.manifest;
    scorer = await loadScorer(models, 'pytorch-ae');
  });
  afterAll(async () => {
    await scorer.dispose();
  });

  it('serves error_scaled from RAW features (README tolerance ~1e-6)', async () => {
    const { scores } = await scorer.score(raw, rows);
    golden.rows.forEach((row, r) => {
      expect(Math.abs(scores[r]! - row.error_scaled)).toBeLessThanOrEqual(1e-6);
    });
  });

  it('serves an int8 engine that ranks and flags the golden rows like float32', async () => {
    expect(scorer.engines).toEqual(['float32', 'int8']);
    const float32 = (await scorer.score(raw, rows)).scores;
    const int8 = (await scorer.score(raw, rows, { engine: 'int8' })).scores;
    const agreement = compareScores(float32, int8, golden.threshold);
    expect(agreement.rank_correlation).toBeGreaterThan(0.99);
    expect(agreement.flag_agreement).toBe(1);
    // Quantization error: measured 1.4% on average and 5.5% on the worst of the 16 rows.
    expect(agreement.mean_rel_diff).toBeLessThan(0.02);
    expect(agreement.max_rel_diff).toBeLessThan(0.1);
  });

  it('writes an import manifest: no run, no metrics, the threshold given, provenance of both files', () => {
    expect(manifest).toMatchObject({
      format_version: 2,
      id: 'pytorch-ae',
      source: 'import',
      model_type: 'autoencoder',
      input_columns: scalerJson.features,
      threshold: { value: golden.threshold, strategy: 'given at import', chosen_on: 'user' },
      metrics: null,
      config: null,
      data_fingerprint: null,
      run_id: null,
      git_commit: null,
      files: { reference_sample: null, examples: null },
      parity: { rows: IMPORT_VERIFY_ROWS, reference: 'source_onnx' },
      import: {
        onnx_file: 'model.onnx',
        onnx_sha256: sha(ONNX_PATH),
        scaler_file: 'scaler.json',
        scaler_sha256: sha(SCALER_PATH),
        source_input: 'input',
        source_output: 'output',
        layers: ['28→32 relu', '32→16 relu', '16→32 relu', '32→28 none'],
      },
    });
    expect(manifest.parity.max_abs_diff).toBeLessThan(1e-5);
    expect(manifest.variants.int8).toMatchObject({ scheme: 'weight-only', rows: IMPORT_VERIFY_ROWS });
    const dir = join(models, 'pytorch-ae');
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'model.int8.onnx', 'model.onnx']);
    expect(readManifest(dir, { verifyHash: true })).toEqual(manifest);
    expect(listBundles(models)[0]).toMatchObject({
      id: 'pytorch-ae',
      source: 'import',
      engines: ['float32', 'int8'],
      test_roc_auc: null,
      threshold: golden.threshold,
    });
  });

  it('refuses to overwrite the bundle, and names a default id after the time and the ONNX hash', async () => {
    const again = await rejection(
      importOnnxBundle({
        modelsDir: models,
        onnxPath: ONNX_PATH,
        scalerPath: SCALER_PATH,
        threshold: 0.1,
        id: 'pytorch-ae',
      }),
    );
    expect(again.message).toMatch(/already exists.*immutable/);
    const { id, manifest: floatOnly } = await importOnnxBundle({
      modelsDir: tempDir('import-default'),
      onnxPath: ONNX_PATH,
      scalerPath: SCALER_PATH,
      threshold: 0.1,
      int8: false,
    });
    expect(id).toMatch(new RegExp(`^autoencoder-import-\\d{8}-\\d{6}-${sha(ONNX_PATH).slice(0, 8)}$`));
    expect(floatOnly.variants.int8).toBeUndefined();
  });
});

describe('importOnnxBundle errors', () => {
  const work = tempDir('import-bad');
  const models = join(work, 'models');
  const base: ImportOnnxInput = {
    modelsDir: models,
    onnxPath: ONNX_PATH,
    scalerPath: SCALER_PATH,
    threshold: 0.1,
    id: 'x',
  };
  const file = (name: string, content: string | Uint8Array): string => {
    const path = join(work, name);
    writeFileSync(path, content);
    return path;
  };
  const scalerFile = (name: string, value: unknown) => file(name, JSON.stringify(value));

  async function fails(input: Partial<ImportOnnxInput>, code: string, message: RegExp): Promise<void> {
    const error = await rejection(importOnnxBundle({ ...base, ...input }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(existsSync(models) ? readdirSync(models) : []).toEqual([]);
  }

  it('names a missing file', async () => {
    const missing = join(work, 'nope.onnx');
    await fails({ onnxPath: missing }, 'FILE_NOT_FOUND', /cannot read the ONNX model .*nope\.onnx: .*ENOENT/);
    await fails(
      { scalerPath: join(work, 'nope.json') },
      'FILE_NOT_FOUND',
      /cannot read the scaler .*nope\.json/,
    );
  });

  it('reports bytes that are not ONNX as MODEL_CORRUPT, naming the file', async () => {
    const truncated = file('truncated.onnx', readFileSync(ONNX_PATH).subarray(0, 500));
    await fails({ onnxPath: truncated }, 'MODEL_CORRUPT', /truncated\.onnx: not an ONNX model/);
    await fails(
      { onnxPath: file('text.onnx', 'hello, not a model\n') },
      'MODEL_CORRUPT',
      /text\.onnx: not an ONNX model/,
    );
  });

  it('refuses a graph that is not a dense autoencoder', async () => {
    // A cardwatch bundle graph: scaler inside and two outputs.
    const bundleGraph = file('bundle.onnx', buildDenseOnnxModel(tinyGraph()));
    await fails(
      { onnxPath: bundleGraph },
      'INVALID_INPUT',
      /bundle\.onnx: the ONNX graph is not a plain dense stack/,
    );
    // A dense encoder only: 28 → 16 does not reconstruct its input.
    const encoder = file('encoder.onnx', denseModel([28, 16], null));
    await fails(
      { onnxPath: encoder },
      'SHAPE_MISMATCH',
      /encoder\.onnx maps 28 → 16 values, but .*scaler\.json has 28/,
    );
  });

  it('refuses a scaler of the wrong length or shape, naming the file', async () => {
    const short = scalerFile('short.json', {
      features: scalerJson.features.slice(1),
      mean: scalerJson.mean.slice(1),
      std: scalerJson.std.slice(1),
    });
    await fails(
      { scalerPath: short },
      'SHAPE_MISMATCH',
      /model\.onnx maps 28 → 28 values, but .*short\.json has 27 features/,
    );
    const uneven = scalerFile('uneven.json', { ...scalerJson, std: scalerJson.std.slice(2) });
    await fails(
      { scalerPath: uneven },
      'SHAPE_MISMATCH',
      /uneven\.json has 28 means, 26 stds and 28 feature names/,
    );
    await fails(
      { scalerPath: file('bad.json', '{"mean": [1,') },
      'INVALID_INPUT',
      /bad\.json is not valid JSON/,
    );
    const noStd = scalerFile('nostd.json', { features: scalerJson.features, mean: scalerJson.mean });
    await fails({ scalerPath: noStd }, 'INVALID_INPUT', /nostd\.json is not a scaler file: std: /);
    const zeroStd = scalerFile('zero.json', {
      ...scalerJson,
      std: scalerJson.std.map((s, i) => (i === 4 ? 0 : s)),
    });
    await fails(
      { scalerPath: zeroStd },
      'INVALID_INPUT',
      /zero\.json: cannot build the ONNX graph: scaler\.std\[4\] \(V5\) is 0/,
    );
    const unnamed = scalerFile('unnamed.json', { mean: scalerJson.mean, std: scalerJson.std });
    await fails(
      { scalerPath: unnamed },
      'INVALID_INPUT',
      /unnamed\.json has no "features" list; name the 28 input columns/,
    );
    await fails(
      { inputColumns: ['a', 'b'] },
      'SHAPE_MISMATCH',
      /2 input columns were given but .*scaler\.json scales 28/,
    );
  });

  it('refuses a threshold that is not a finite number ≥ 0', async () => {
    for (const threshold of [Number.NaN, -0.5, Number.POSITIVE_INFINITY]) {
      await fails({ threshold }, 'INVALID_INPUT', /threshold must be a finite number ≥ 0/);
    }
  });

  it('imports a MatMul + Add network exported with a fixed batch of 1, with named columns', async () => {
    const path = file('fixed-batch.onnx', denseModel([3, 2, 3], 1));
    const scaler = scalerFile('s3.json', { mean: [1, -2, 0.5], std: [2, 0.5, 3] });
    const { manifest } = await importOnnxBundle({
      ...base,
      modelsDir: join(work, 'ok'),
      onnxPath: path,
      scalerPath: scaler,
      inputColumns: ['a', 'b', 'c'],
      int8: false,
    });
    expect(manifest.input_columns).toEqual(['a', 'b', 'c']);
    expect(manifest.import.layers).toEqual(['3→2 sigmoid', '2→3 none']);
    expect(manifest.parity.max_abs_diff).toBeLessThan(1e-5);
  });
});

/**
 * A foreign-style dense network: MatMul ([in][out] weights) + Add per layer, Sigmoid between; `batch` fixes
 * the input's first dimension (null = symbolic), as an export without dynamic axes does.
 */
function denseModel(dims: number[], batch: number | null): Uint8Array {
  const float = onnx.TensorProto.DataType.FLOAT;
  const rng = new Prng(3);
  const nodes: Array<{ opType: string; input: string[]; output: string[] }> = [];
  const initializers: Array<{ name: string; dims: number[]; dataType: number; floatData: number[] }> = [];
  let current = 'x';
  for (let i = 0; i + 1 < dims.length; i++) {
    const [inDim, outDim] = [dims[i]!, dims[i + 1]!];
    initializers.push(
      {
        name: `w${i}`,
        dims: [inDim, outDim],
        dataType: float,
        floatData: Array.from({ length: inDim * outDim }, () => rng.uniform(-1, 1)),
      },
      {
        name: `b${i}`,
        dims: [outDim],
        dataType: float,
        floatData: Array.from({ length: outDim }, () => rng.uniform(-0.1, 0.1)),
      },
    );
    nodes.push({ opType: 'MatMul', input: [current, `w${i}`], output: [`m${i}`] });
    nodes.push({ opType: 'Add', input: [`m${i}`, `b${i}`], output: [`a${i}`] });
    current = `a${i}`;
    if (i + 2 < dims.length) {
      nodes.push({ opType: 'Sigmoid', input: [current], output: [`s${i}`] });
      current = `s${i}`;
    }
  }
  nodes[nodes.length - 1]!.output = ['y'];
  const shape = (width: number) => ({
    dim: [batch === null ? { dimParam: 'n' } : { dimValue: batch }, { dimValue: width }],
  });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'foreign',
      node: nodes,
      initializer: initializers,
      input: [{ name: 'x', type: { tensorType: { elemType: float, shape: shape(dims[0]!) } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: float, shape: shape(dims.at(-1)!) } } }],
    },
  }).finish();
}
