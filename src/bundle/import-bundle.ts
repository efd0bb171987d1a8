/**
 * `cardwatch models import`: wraps an autoencoder trained elsewhere (e.g. a PyTorch `torch.onnx.export` that
 * expects STANDARDIZED features) into a cardwatch bundle that takes RAW features, with its scaler inside the
 * graph, plus the int8 variant. Before publishing, ONNX Runtime checks on seeded rows that the bundle's score
 * equals the source network's reconstruction MSE in standardized space, the way it was trained and evaluated.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { CardwatchError, describeError, isCardwatchError } from '../util/errors.js';
import { Prng } from '../util/prng.js';
import { manifestHead, publishBundle, sha256, type ExportedBundle } from './export.js';
import { readDenseLayersFromOnnx, type ImportedDenseStack } from './import-onnx.js';
import type { ImportedBundleManifest } from './manifest.js';
import { validateSpec, type DenseGraphSpec } from './onnx-graph.js';
import { openOnnxSession, type OnnxSession } from './onnx-runtime.js';
import type { Int8Options } from './quantize.js';

/** Seeded rows the import is verified on (also the int8 variant's agreement rows). */
export const IMPORT_VERIFY_ROWS = 512;
const IMPORT_VERIFY_SEED = 20_240_601;

export interface ImportOnnxInput {
  readonly modelsDir: string;
  /** The source network: [N, F] standardized features in, [N, F] reconstruction out (no scaler inside). */
  readonly onnxPath: string;
  /** JSON `{ "features"?: [...], "mean": [...], "std": [...] }`, one value per network input. */
  readonly scalerPath: string;
  /** Score above which a row is flagged; it comes from wherever the model was evaluated. */
  readonly threshold: number;
  /** Bundle id (default `<modelType>-import-<UTC yyyymmdd-hhmmss>-<first 8 hex of the ONNX sha256>`). */
  readonly id?: string;
  /** Raw input column names; default the scaler's `features` (one of the two is required). */
  readonly inputColumns?: readonly string[];
  /** As for export: int8 options (default weight-only, no pruning) or false for float32 only. */
  readonly int8?: Int8Options | false;
  /** Default `autoencoder`. */
  readonly modelType?: string;
}

const scalerFileSchema = z.object({
  features: z.array(z.string()).optional(),
  mean: z.array(z.number()),
  std: z.array(z.number()),
});
type ScalerFile = z.infer<typeof scalerFileSchema>;

/**
 * Imports an external dense autoencoder as an immutable bundle `<modelsDir>/<id>/` (source `import`: no run,
 * no metrics, no reference data). A missing file → `FILE_NOT_FOUND`; bytes that are not ONNX →
 * `MODEL_CORRUPT`; a graph that is not a plain dense autoencoder, or a bad scaler file → `INVALID_INPUT`; widths
 * that disagree → `SHAPE_MISMATCH`; a bundle that does not reproduce the source network → `EXPORT_PARITY`.
 * Every message names the file.
 *
 * @example
 * const { id, manifest } = await importOnnxBundle({ modelsDir: 'models', onnxPath: 'model.onnx',
 *   scalerPath: 'scaler.json', threshold: 0.116 });
 * // manifest.source → 'import'; manifest.parity → { rows: 512, max_abs_diff: 6e-8, reference: 'source_onnx' }
 */
export async function importOnnxBundle(
  input: ImportOnnxInput,
): Promise<ExportedBundle<ImportedBundleManifest>> {
  const { onnxPath, scalerPath, threshold } = input;
  if (!Number.isFinite(threshold) || threshold < 0) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `threshold must be a finite number ≥ 0 (scores are mean squared errors), got ${threshold}`,
    );
  }
  const onnxBytes = readInput(onnxPath, 'ONNX model');
  const scalerBytes = readInput(scalerPath, 'scaler');
  const scaler = parseScaler(scalerBytes, scalerPath);
  let stack: ImportedDenseStack;
  try {
    stack = readDenseLayersFromOnnx(onnxBytes);
  } catch (error) {
    throw prefixed(error, onnxPath);
  }
  const columns = resolveColumns(input.inputColumns, scaler, scalerPath);
  const features = columns.length;
  if (stack.inputDim !== features || stack.outputDim !== features) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `${onnxPath} maps ${stack.inputDim} → ${stack.outputDim} values, but ${scalerPath} has ${features} ` +
        'features; an autoencoder must reconstruct exactly its scaled inputs',
    );
  }
  const onnxSha = sha256(onnxBytes);
  const graph: DenseGraphSpec = {
    inputColumns: columns,
    scaler: { mean: scaler.mean, std: scaler.std },
    layers: stack.layers,
    output: 'reconstruction_error',
    metadata: { 'cardwatch.source': 'import', 'cardwatch.import.onnx_sha256': onnxSha },
  };
  try {
    validateSpec(graph);
  } catch (error) {
    throw prefixed(error, scalerPath);
  }
  const verify = verificationRows(graph, IMPORT_VERIFY_ROWS);
  const expectedScores = await sourceScores(onnxBytes, onnxPath, stack, verify.z, verify.rows, features);
  const modelType = input.modelType ?? 'autoencoder';
  const id = input.id ?? defaultImportId(modelType, onnxSha);

  return publishBundle<ImportedBundleManifest>({
    modelsDir: input.modelsDir,
    id,
    graph,
    int8: input.int8 ?? {},
    threshold,
    parity: { x: verify.x, rows: verify.rows, expectedScores },
    parityReference: 'source_onnx',
    files: [],
    manifest: (parts) => ({
      ...manifestHead(id, modelType, graph, parts),
      source: 'import',
      threshold: { value: threshold, strategy: 'given at import', chosen_on: 'user' },
      metrics: null,
      config: null,
      data_fingerprint: null,
      run_id: null,
      files: { reference_sample: null, examples: null },
      import: {
        onnx_file: basename(onnxPath),
        onnx_sha256: onnxSha,
        scaler_file: basename(scalerPath),
        scaler_sha256: sha256(scalerBytes),
        source_input: stack.inputName,
        source_output: stack.outputName,
        layers: stack.layers.map((l) => `${l.inDim}→${l.outDim} ${l.activation}`),
      },
    }),
  });
}

function readInput(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CardwatchError('FILE_NOT_FOUND', `cannot read the ${what} ${path}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** Keeps a CardwatchError's code and says which file it is about. */
function prefixed(error: unknown, path: string): unknown {
  if (!isCardwatchError(error)) return error;
  return new CardwatchError(error.code, `${path}: ${error.message}`, { cause: error });
}

function parseScaler(bytes: Uint8Array, path: string): ScalerFile {
  const expected = 'expected {"features": [...], "mean": [...], "std": [...]} with one number per feature';
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `${path} is not valid JSON (${describeError(error)}); ${expected}`,
      {
        cause: error,
      },
    );
  }
  const result = scalerFileSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new CardwatchError('INVALID_INPUT', `${path} is not a scaler file: ${problems}; ${expected}`);
  }
  const { mean, std, features } = result.data;
  if (mean.length !== std.length || (features !== undefined && features.length !== mean.length)) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `${path} has ${mean.length} means, ${std.length} stds` +
        (features === undefined ? '' : ` and ${features.length} feature names`) +
        '; they must have one entry per feature',
    );
  }
  return result.data;
}

function resolveColumns(given: readonly string[] | undefined, scaler: ScalerFile, path: string): string[] {
  const columns = given ?? scaler.features;
  if (columns === undefined) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `${path} has no "features" list; name the ${scaler.mean.length} input columns (inputColumns)`,
    );
  }
  if (columns.length !== scaler.mean.length) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `${columns.length} input columns were given but ${path} scales ${scaler.mean.length} features`,
    );
  }
  return [...columns];
}

/**
 * Seeded raw rows for the check: x = mean + std·z with z ~ N(0, 1), every fourth row with z ×4 to reach the
 * tails where frauds live. Returns the raw rows and their standardized values computed in float32 exactly as
 * the graph's Sub and Div do, which is what the source network must be fed.
 */
function verificationRows(
  graph: DenseGraphSpec,
  rows: number,
): { x: Float32Array; z: Float32Array; rows: number } {
  const f = graph.inputColumns.length;
  const rng = new Prng(IMPORT_VERIFY_SEED);
  const x = new Float32Array(rows * f);
  const z = new Float32Array(rows * f);
  for (let r = 0; r < rows; r++) {
    const spread = r % 4 === 3 ? 4 : 1;
    for (let c = 0; c < f; c++) {
      const mean = Math.fround(graph.scaler.mean[c] as number);
      const std = Math.fround(graph.scaler.std[c] as number);
      const raw = Math.fround(mean + std * rng.normal() * spread);
      x[r * f + c] = raw;
      z[r * f + c] = Math.fround(Math.fround(raw - mean) / std);
    }
  }
  return { x, z, rows };
}

/** The source network's reconstruction MSE per row, fed standardized rows `z`, computed by ONNX Runtime. */
async function sourceScores(
  bytes: Uint8Array,
  path: string,
  stack: ImportedDenseStack,
  z: Float32Array,
  rows: number,
  f: number,
): Promise<Float32Array> {
  let session: OnnxSession;
  try {
    session = await openOnnxSession(bytes);
  } catch (error) {
    throw prefixed(error, path);
  }
  try {
    const scores = new Float32Array(rows);
    // A network exported with a fixed batch size runs in batches of exactly that size (the last one padded).
    const batch = stack.batchDim ?? rows;
    for (let start = 0; start < rows; start += batch) {
      const count = Math.min(batch, rows - start);
      const feed = new Float32Array(batch * f);
      feed.set(z.subarray(start * f, (start + count) * f));
      const out = await session.run({ [stack.inputName]: { data: feed, dims: [batch, f] } });
      const recon = out[stack.outputName]?.data;
      if (recon === undefined || recon.length !== batch * f) {
        throw new CardwatchError(
          'INVALID_INPUT',
          `${path}: output ${stack.outputName} did not give ${batch} × ${f} values`,
        );
      }
      for (let r = 0; r < count; r++) {
        let sum = 0;
        for (let c = 0; c < f; c++) {
          const d = (recon[r * f + c] as number) - (z[(start + r) * f + c] as number);
          sum += d * d;
        }
        scores[start + r] = sum / f;
      }
    }
    return scores;
  } finally {
    await session.dispose();
  }
}

function defaultImportId(modelType: string, onnxSha: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .replace(/\.\d+Z$/, '');
  return `${modelType}-import-${stamp}-${onnxSha.slice(0, 8)}`;
}
