/**
 * Export: turns a trained model into an immutable, verified bundle folder `<modelsDir>/<id>/`.
 *
 * Everything is written into `<modelsDir>/.tmp-<id>/` first, ONNX Runtime scores the parity rows from the
 * written `model.onnx`, and only a bundle that agrees with the training engine is renamed into place, so a
 * reader sees either no bundle or a complete one.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CardwatchError } from '../util/errors.js';
import { computeContentHash } from './content-hash.js';
import { buildExamples, type ExampleRows } from './examples.js';
import {
  EXAMPLES_FILE,
  isValidName,
  MANIFEST_FILE,
  MODEL_FILE,
  REFERENCE_FILE,
  TEMP_PREFIX,
} from './layout.js';
import { BUNDLE_FORMAT_VERSION, manifestSchema, type BundleManifest, type SplitMetrics } from './manifest.js';
import {
  buildDenseOnnxModel,
  CONTRIBUTIONS_OUTPUT,
  GRAPH_INPUT,
  ONNX_OPSET,
  SCORE_OUTPUT,
  type DenseGraphSpec,
} from './onnx-graph.js';
import { openOnnxSession } from './onnx-runtime.js';
import { formatReferenceCsv, type ReferenceSample } from './reference-sample.js';

/** Relative tolerance of the export check: |onnx − engine| ≤ PARITY_TOLERANCE · max(1, |engine|). */
export const PARITY_TOLERANCE = 1e-5;

export interface ParityRows {
  /** rows × graph.inputColumns.length raw values, row-major. */
  readonly x: Float32Array;
  readonly rows: number;
  /** The training engine's score of each row. */
  readonly expectedScores: Float32Array;
}

export interface ExportInput {
  readonly modelsDir: string;
  /** Bundle id chosen by the caller (e.g. from the run id); letters, digits, `.`, `_`, `-`. */
  readonly id: string;
  readonly modelType: string;
  readonly graph: DenseGraphSpec;
  readonly threshold: { readonly value: number; readonly strategy: string };
  readonly metrics: { readonly validation: SplitMetrics; readonly test: SplitMetrics };
  /** The resolved configuration of the run. */
  readonly config: Record<string, unknown>;
  readonly dataFingerprint: string;
  readonly runId: string;
  readonly gitCommit: string | null;
  /** All 30 input columns + `Class` + `score`, for drift monitoring. */
  readonly referenceSample: ReferenceSample;
  readonly examples: ExampleRows;
  readonly parity: ParityRows;
}

export interface ExportedBundle {
  readonly id: string;
  readonly dir: string;
  readonly manifest: BundleManifest;
}

/**
 * Writes, verifies and publishes a bundle. Refuses an id that already exists (bundles are immutable); an ONNX
 * model that disagrees with `parity.expectedScores` → `EXPORT_PARITY` and nothing is left behind.
 *
 * @example
 * const { dir, manifest } = await exportBundle({ modelsDir: 'models', id: 'autoencoder-20261126-164812', … });
 * // manifest.parity → { rows: 1000, max_abs_diff: 2.4e-7 }
 */
export async function exportBundle(input: ExportInput): Promise<ExportedBundle> {
  const { modelsDir, id } = input;
  if (!isValidName(id)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `bundle id ${JSON.stringify(id)} is not valid: use letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  const dir = join(modelsDir, id);
  if (existsSync(dir)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `bundle ${id} already exists in ${modelsDir}; bundles are immutable, export under a new id`,
    );
  }
  checkReferenceColumns(input);
  checkParityShape(input.parity, input.graph.inputColumns.length);
  // Everything that can reject the inputs runs before any file is written.
  const model = buildDenseOnnxModel(input.graph);
  const referenceCsv = formatReferenceCsv(input.referenceSample);
  const examples = buildExamples(input.examples);
  // Validates the caller's metadata (threshold, metrics…) now; hash and parity are filled in after writing.
  buildManifest(input, '0'.repeat(64), { rows: input.parity.rows, max_abs_diff: 0 });

  const temp = join(modelsDir, `${TEMP_PREFIX}${id}`);
  mkdirSync(modelsDir, { recursive: true });
  // A leftover temp folder can only come from an export that crashed: it was never a bundle.
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  try {
    writeFileSync(join(temp, MODEL_FILE), model);
    const parity = await checkParity(join(temp, MODEL_FILE), input.graph.inputColumns.length, input.parity);
    writeFileSync(join(temp, REFERENCE_FILE), referenceCsv);
    writeFileSync(join(temp, EXAMPLES_FILE), `${JSON.stringify(examples)}\n`);
    const manifest = buildManifest(input, computeContentHash(temp), parity);
    writeFileSync(join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    // Read-only files signal immutability; the folder stays writable so `rm -r` still works without chmod.
    for (const name of readdirSync(temp)) chmodSync(join(temp, name), 0o444);
    renameSync(temp, dir);
    return { id, dir, manifest };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** The reference sample must carry the model's inputs and its score, or drift monitoring has nothing to compare. */
function checkReferenceColumns(input: ExportInput): void {
  const columns = input.referenceSample.columns;
  if (new Set(columns).size !== columns.length) {
    throw new CardwatchError('INVALID_INPUT', `the reference sample repeats a column: ${columns.join(', ')}`);
  }
  const missing = [...input.graph.inputColumns, 'score'].filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `the reference sample lacks column(s) ${missing.join(', ')}; it has ${columns.join(', ')}`,
    );
  }
}

function checkParityShape(parity: ParityRows, features: number): void {
  const { x, rows, expectedScores } = parity;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new CardwatchError('INVALID_INPUT', `parity needs at least one row, got rows = ${rows}`);
  }
  if (x.length !== rows * features || expectedScores.length !== rows) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `parity rows: x has ${x.length} values and expectedScores ${expectedScores.length}; ` +
        `expected ${rows} × ${features} = ${rows * features} and ${rows}`,
    );
  }
}

/** Scores the parity rows with ONNX Runtime from the written file and compares with the engine's scores. */
async function checkParity(
  modelPath: string,
  features: number,
  parity: ParityRows,
): Promise<BundleManifest['parity']> {
  const { x, rows, expectedScores } = parity;
  const session = await openOnnxSession(modelPath);
  let scores: Float32Array;
  try {
    const out = await session.run({ [GRAPH_INPUT]: { data: x, dims: [rows, features] } });
    const score = out[SCORE_OUTPUT];
    if (score === undefined)
      throw new CardwatchError('INTERNAL', `the exported graph has no ${SCORE_OUTPUT} output`);
    scores = score.data;
  } finally {
    await session.dispose();
  }
  let maxAbsDiff = 0;
  let worst = { row: -1, ratio: 0 };
  for (let r = 0; r < rows; r++) {
    const expected = expectedScores[r] as number;
    const diff = Math.abs((scores[r] as number) - expected);
    const allowed = PARITY_TOLERANCE * Math.max(1, Math.abs(expected));
    // A NaN on either side fails `diff <= allowed` and so counts as infinitely far off.
    const ratio = diff <= allowed ? diff / allowed : Number.POSITIVE_INFINITY;
    if (diff > maxAbsDiff) maxAbsDiff = diff;
    if (worst.row < 0 || ratio > worst.ratio) worst = { row: r, ratio };
  }
  if (!(worst.ratio <= 1)) {
    const r = worst.row;
    throw new CardwatchError(
      'EXPORT_PARITY',
      `the exported ONNX model disagrees with the training engine on parity row ${r} of ${rows}: ` +
        `ONNX Runtime ${scores[r]}, engine ${expectedScores[r]} ` +
        `(allowed |Δ| ≤ ${PARITY_TOLERANCE}·max(1, |engine|)); the bundle was not written`,
    );
  }
  return { rows, max_abs_diff: maxAbsDiff };
}

function buildManifest(
  input: ExportInput,
  contentHash: string,
  parity: BundleManifest['parity'],
): BundleManifest {
  const manifest: BundleManifest = {
    format_version: BUNDLE_FORMAT_VERSION,
    id: input.id,
    model_type: input.modelType,
    created_at: new Date().toISOString(),
    input_columns: [...input.graph.inputColumns],
    onnx: {
      file: MODEL_FILE,
      input: GRAPH_INPUT,
      score_output: SCORE_OUTPUT,
      contributions_output: CONTRIBUTIONS_OUTPUT,
      opset: ONNX_OPSET,
    },
    threshold: { value: input.threshold.value, strategy: input.threshold.strategy, chosen_on: 'validation' },
    score: { name: input.graph.output, higher_is_riskier: true },
    metrics: input.metrics,
    config: input.config,
    data_fingerprint: input.dataFingerprint,
    run_id: input.runId,
    git_commit: input.gitCommit,
    content_hash: contentHash,
    files: { reference_sample: REFERENCE_FILE, examples: EXAMPLES_FILE },
    parity,
  };
  const result = manifestSchema.safeParse(manifest);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new CardwatchError(
      'INVALID_INPUT',
      `cannot export bundle ${input.id}: the manifest is invalid: ${problems}`,
    );
  }
  // The JSON round trip also drops anything JSON cannot hold (the manifest must read back identical).
  return JSON.parse(JSON.stringify(result.data)) as BundleManifest;
}
