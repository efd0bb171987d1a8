/**
 * Export: turns a trained model into an immutable, verified bundle folder `<modelsDir>/<id>/`.
 *
 * Everything is written into `<modelsDir>/.tmp-<id>/` first. ONNX Runtime scores the parity rows from the
 * written `model.onnx` (it must agree with the training engine) and from `model.int8.onnx` (it must rank them
 * like float32 does), and only a bundle that passes both is renamed into place, so a reader sees either no
 * bundle or a complete one. Imports (import-bundle.ts) go through the same writer.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CardwatchError } from '../util/errors.js';
import { computeContentHash } from './content-hash.js';
import { buildExamples, type ExampleRows } from './examples.js';
import {
  EXAMPLES_FILE,
  INT8_MODEL_FILE,
  isValidName,
  MANIFEST_FILE,
  MODEL_FILE,
  REFERENCE_FILE,
  TEMP_PREFIX,
} from './layout.js';
import {
  BUNDLE_FORMAT_VERSION,
  manifestSchema,
  MIN_INT8_RANK_CORRELATION,
  type BundleManifest,
  type Int8Variant,
  type SplitMetrics,
  type TrainedBundleManifest,
} from './manifest.js';
import { buildInt8OnnxModel, type Int8Model } from './onnx-int8.js';
import {
  buildDenseOnnxModel,
  CONTRIBUTIONS_OUTPUT,
  GRAPH_INPUT,
  ONNX_OPSET,
  SCORE_OUTPUT,
  type DenseGraphSpec,
} from './onnx-graph.js';
import { openOnnxSession } from './onnx-runtime.js';
import type { Int8Options } from './quantize.js';
import { formatReferenceCsv, type ReferenceSample } from './reference-sample.js';
import { compareScores, rankMetrics } from './score-agreement.js';

/** Relative tolerance of the export check: |onnx − engine| ≤ PARITY_TOLERANCE · max(1, |engine|). */
export const PARITY_TOLERANCE = 1e-5;

export interface ParityRows {
  /** rows × graph.inputColumns.length raw values, row-major. */
  readonly x: Float32Array;
  readonly rows: number;
  /** The training engine's score of each row. */
  readonly expectedScores: Float32Array;
  /**
   * Optional `Class` of each row (1 = fraud): with both classes present, the manifest records ROC AUC and
   * AUPRC of the float32 and int8 variants on these rows.
   */
  readonly labels?: ArrayLike<number>;
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
  /** The int8 variant: options (default `{}`: weight-only, no pruning), or false for a float32-only bundle. */
  readonly int8?: Int8Options | false;
}

export interface ExportedBundle<M extends BundleManifest = BundleManifest> {
  readonly id: string;
  readonly dir: string;
  readonly manifest: M;
}

/**
 * Writes, verifies and publishes a bundle. Refuses an id that already exists (bundles are immutable); an ONNX
 * model that disagrees with `parity.expectedScores`, or an int8 variant whose Spearman rank correlation with
 * float32 on the parity rows is below {@link MIN_INT8_RANK_CORRELATION} → `EXPORT_PARITY`, nothing left behind.
 *
 * @example
 * const { dir, manifest } = await exportBundle({ modelsDir: 'models', id: 'autoencoder-20261126-164812', … });
 * // manifest.parity → { rows: 1000, max_abs_diff: 2.4e-7, reference: 'training_engine' }
 * // manifest.variants.int8 → { file: 'model.int8.onnx', bytes: 5627, rank_correlation: 0.9999, … }
 */
export async function exportBundle(input: ExportInput): Promise<ExportedBundle<TrainedBundleManifest>> {
  checkReferenceColumns(input);
  // Everything that can reject the inputs runs before any file is written.
  const referenceCsv = formatReferenceCsv(input.referenceSample);
  const examples = buildExamples(input.examples);
  return publishBundle<TrainedBundleManifest>({
    modelsDir: input.modelsDir,
    id: input.id,
    graph: input.graph,
    int8: input.int8 ?? {},
    threshold: input.threshold.value,
    parity: input.parity,
    parityReference: 'training_engine',
    files: [
      [REFERENCE_FILE, referenceCsv],
      [EXAMPLES_FILE, `${JSON.stringify(examples)}\n`],
    ],
    manifest: (parts) => ({
      ...manifestHead(input.id, input.modelType, input.graph, parts),
      source: 'training',
      threshold: {
        value: input.threshold.value,
        strategy: input.threshold.strategy,
        chosen_on: 'validation',
      },
      metrics: input.metrics,
      config: input.config,
      data_fingerprint: input.dataFingerprint,
      run_id: input.runId,
      git_commit: input.gitCommit,
      files: { reference_sample: REFERENCE_FILE, examples: EXAMPLES_FILE },
    }),
  });
}

/** What the writer alone knows: filled into the manifest once the files are written and checked. */
export interface WrittenParts {
  readonly content_hash: string;
  readonly parity: BundleManifest['parity'];
  readonly variants: BundleManifest['variants'];
}

/** Everything a bundle needs besides the writer's own checks; shared by export and import. */
export interface BundlePlan<M extends BundleManifest> {
  readonly modelsDir: string;
  readonly id: string;
  readonly graph: DenseGraphSpec;
  readonly int8: Int8Options | false;
  /** The bundle's threshold, for the int8 flag agreement. */
  readonly threshold: number;
  readonly parity: ParityRows;
  /** What `parity.expectedScores` came from (named in the manifest and in a parity error). */
  readonly parityReference: BundleManifest['parity']['reference'];
  /** Other files of the bundle, written before the content hash is taken. */
  readonly files: ReadonlyArray<readonly [name: string, content: string | Uint8Array]>;
  /** The complete manifest (before validation) from the written parts. */
  readonly manifest: (parts: WrittenParts) => M;
}

/** The fields every manifest shares, from the graph and the written parts. */
export function manifestHead(
  id: string,
  modelType: string,
  graph: DenseGraphSpec,
  parts: WrittenParts,
): Omit<
  BundleManifest,
  'source' | 'threshold' | 'metrics' | 'config' | 'data_fingerprint' | 'run_id' | 'files'
> {
  return {
    format_version: BUNDLE_FORMAT_VERSION,
    id,
    model_type: modelType,
    created_at: new Date().toISOString(),
    input_columns: [...graph.inputColumns],
    onnx: {
      file: MODEL_FILE,
      input: GRAPH_INPUT,
      score_output: SCORE_OUTPUT,
      contributions_output: CONTRIBUTIONS_OUTPUT,
      opset: ONNX_OPSET,
    },
    variants: parts.variants,
    score: { name: graph.output, higher_is_riskier: true },
    git_commit: null,
    content_hash: parts.content_hash,
    parity: parts.parity,
  };
}

const REFERENCE_LABEL: Record<BundleManifest['parity']['reference'], string> = {
  training_engine: 'the training engine',
  source_onnx: 'the source ONNX network',
};

/**
 * The one bundle writer: models → float32 parity → int8 agreement → other files → hash → manifest → atomic
 * rename. Every check that needs no file runs first, so bad input leaves nothing behind.
 */
export async function publishBundle<M extends BundleManifest>(
  plan: BundlePlan<M>,
): Promise<ExportedBundle<M>> {
  const { modelsDir, id, graph } = plan;
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
  const features = graph.inputColumns.length;
  checkParityShape(plan.parity, features);
  const model = buildDenseOnnxModel(graph);
  const int8Model = plan.int8 === false ? null : buildInt8OnnxModel(graph, plan.int8);
  // Validates the caller's metadata (threshold, metrics…) now; hash, parity and variants are filled in later.
  finalizeManifest(
    plan.manifest({
      content_hash: '0'.repeat(64),
      parity: { rows: plan.parity.rows, max_abs_diff: 0, reference: plan.parityReference },
      variants: { float32: { file: MODEL_FILE, bytes: model.length, sha256: sha256(model) } },
    }),
    id,
  );

  const temp = join(modelsDir, `${TEMP_PREFIX}${id}`);
  mkdirSync(modelsDir, { recursive: true });
  // A leftover temp folder can only come from an export that crashed: it was never a bundle.
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp);
  try {
    writeFileSync(join(temp, MODEL_FILE), model);
    const { parity, scores } = await checkParity(join(temp, MODEL_FILE), features, plan);
    let int8: Int8Variant | undefined;
    if (int8Model !== null) {
      writeFileSync(join(temp, INT8_MODEL_FILE), int8Model.bytes);
      int8 = await checkInt8(join(temp, INT8_MODEL_FILE), int8Model, scores, plan);
    }
    for (const [name, content] of plan.files) writeFileSync(join(temp, name), content);
    const manifest = finalizeManifest(
      plan.manifest({
        content_hash: computeContentHash(temp),
        parity,
        variants: {
          float32: { file: MODEL_FILE, bytes: model.length, sha256: sha256(model) },
          ...(int8 === undefined ? {} : { int8 }),
        },
      }),
      id,
    );
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
  const { x, rows, expectedScores, labels } = parity;
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
  if (labels !== undefined && labels.length !== rows) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `parity labels has ${labels.length} values, expected one per parity row (${rows})`,
    );
  }
}

/** ONNX Runtime's `score` output for `rows` raw rows, from the model file at `path`. */
async function scoreFile(
  path: string,
  x: Float32Array,
  rows: number,
  features: number,
): Promise<Float32Array> {
  const session = await openOnnxSession(path);
  try {
    const out = await session.run({ [GRAPH_INPUT]: { data: x, dims: [rows, features] } });
    const score = out[SCORE_OUTPUT];
    if (score === undefined) {
      throw new CardwatchError('INTERNAL', `the exported graph ${path} has no ${SCORE_OUTPUT} output`);
    }
    return score.data;
  } finally {
    await session.dispose();
  }
}

/** Scores the parity rows with ONNX Runtime from the written float32 file and compares with the reference. */
async function checkParity(
  modelPath: string,
  features: number,
  plan: BundlePlan<BundleManifest>,
): Promise<{ parity: BundleManifest['parity']; scores: Float32Array }> {
  const { x, rows, expectedScores } = plan.parity;
  const scores = await scoreFile(modelPath, x, rows, features);
  const reference = REFERENCE_LABEL[plan.parityReference];
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
      `the exported ONNX model disagrees with ${reference} on parity row ${r} of ${rows}: ` +
        `ONNX Runtime ${scores[r]}, expected ${expectedScores[r]} ` +
        `(allowed |Δ| ≤ ${PARITY_TOLERANCE}·max(1, |expected|)); the bundle was not written`,
    );
  }
  return { parity: { rows, max_abs_diff: maxAbsDiff, reference: plan.parityReference }, scores };
}

/**
 * Scores the parity rows with the written int8 file and measures its agreement with the float32 scores.
 * Quantization moves scores by design, so the gate is on what serving needs, the ranking: Spearman ≥
 * {@link MIN_INT8_RANK_CORRELATION}. The size of the moves is recorded, not enforced.
 */
async function checkInt8(
  path: string,
  model: Int8Model,
  floatScores: Float32Array,
  plan: BundlePlan<BundleManifest>,
): Promise<Int8Variant> {
  const { x, rows, labels } = plan.parity;
  const features = plan.graph.inputColumns.length;
  const scores = await scoreFile(path, x, rows, features);
  const bad = scores.findIndex((s) => !Number.isFinite(s));
  if (bad >= 0) {
    throw new CardwatchError(
      'EXPORT_PARITY',
      `the int8 variant scores parity row ${bad} as ${scores[bad]} (float32: ${floatScores[bad]}); ` +
        'the bundle was not written',
    );
  }
  const agreement = compareScores(floatScores, scores, plan.threshold);
  if (!(agreement.rank_correlation >= MIN_INT8_RANK_CORRELATION)) {
    throw new CardwatchError(
      'EXPORT_PARITY',
      `the int8 variant (${model.scheme}, prune ${model.prune}) ranks the ${rows} parity rows with Spearman ` +
        `${agreement.rank_correlation.toFixed(4)} against float32, below the required ${MIN_INT8_RANK_CORRELATION}; ` +
        'export with a smaller prune fraction (or without int8); the bundle was not written',
    );
  }
  let metrics: Int8Variant['metrics'] = null;
  if (labels !== undefined) {
    const float32 = rankMetrics(floatScores, labels);
    const int8 = rankMetrics(scores, labels);
    if (float32 !== null && int8 !== null) {
      let frauds = 0;
      for (let i = 0; i < rows; i++) if (labels[i] === 1) frauds++;
      metrics = { rows, frauds, float32, int8 };
    }
  }
  return {
    file: INT8_MODEL_FILE,
    bytes: model.bytes.length,
    sha256: sha256(model.bytes),
    opset: ONNX_OPSET,
    scheme: model.scheme,
    batch_independent: model.scheme === 'weight-only',
    prune: model.prune,
    zero_weight_fraction: model.zeroWeightFraction,
    ...agreement,
    min_rank_correlation: MIN_INT8_RANK_CORRELATION,
    metrics,
  };
}

/** Schema-checks a manifest about to be written; a problem is the caller's input → `INVALID_INPUT`. */
function finalizeManifest<M extends BundleManifest>(manifest: M, id: string): M {
  const result = manifestSchema.safeParse(manifest);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new CardwatchError(
      'INVALID_INPUT',
      `cannot export bundle ${id}: the manifest is invalid: ${problems}`,
    );
  }
  // The JSON round trip also drops anything JSON cannot hold (the manifest must read back identical).
  const data = JSON.parse(JSON.stringify(result.data)) as Record<string, unknown>;
  // One key order for every bundle, identity and provenance first, so manifests read (and diff) alike.
  const ordered: Record<string, unknown> = {};
  for (const key of [...MANIFEST_KEY_ORDER, ...Object.keys(data)]) {
    if (key in data && !(key in ordered)) ordered[key] = data[key];
  }
  return ordered as M;
}

const MANIFEST_KEY_ORDER = [
  'format_version',
  'id',
  'source',
  'model_type',
  'created_at',
  'input_columns',
  'onnx',
  'variants',
  'threshold',
  'score',
  'metrics',
  'config',
  'data_fingerprint',
  'run_id',
  'git_commit',
  'import',
  'content_hash',
  'files',
  'parity',
];

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
