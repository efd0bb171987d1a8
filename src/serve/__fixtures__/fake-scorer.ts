/**
 * A fake Scorer for API tests: score = mean of squared features, contributions = squared features. Simple
 * enough that tests compute expected values by hand, and it implements the whole interface.
 */
import { BUNDLE_FORMAT_VERSION, manifestSchema, type BundleManifest } from '../../bundle/manifest.js';
import type { ScoreBatch, ScoreOptions, Scorer, ScoringEngine } from '../../bundle/scorer-types.js';

export const V1_TO_V28: readonly string[] = Array.from({ length: 28 }, (_, i) => `V${i + 1}`);

const split = {
  roc_auc: 0.9,
  average_precision: 0.5,
  precision: 0.4,
  recall: 0.8,
  f1: 0.53,
  confusion: [
    [90, 5],
    [1, 4],
  ] as [[number, number], [number, number]],
  rows: 100,
  frauds: 5,
};

/** A schema-valid manifest (parsed, so a manifest change that breaks the fixture fails loudly). */
export function fakeManifest(id: string, inputColumns: readonly string[], threshold: number): BundleManifest {
  return manifestSchema.parse({
    format_version: BUNDLE_FORMAT_VERSION,
    id,
    model_type: 'fake-mean-square',
    created_at: '2026-01-01T00:00:00.000Z',
    input_columns: [...inputColumns],
    onnx: {
      file: 'model.onnx',
      input: 'x',
      score_output: 'score',
      contributions_output: 'contributions',
      opset: 17,
    },
    threshold: { value: threshold, strategy: 'fixed for tests', chosen_on: 'validation' },
    score: { name: 'mean_squared_value', higher_is_riskier: true },
    metrics: { validation: split, test: split },
    config: {},
    data_fingerprint: 'fixture',
    run_id: 'run-fixture',
    git_commit: null,
    content_hash: '0'.repeat(64),
    files: { reference_sample: 'reference.bin', examples: 'examples.json' },
    parity: { rows: 1, max_abs_diff: 0 },
  });
}

export interface FakeScorerOptions {
  readonly id?: string;
  readonly inputColumns?: readonly string[];
  readonly threshold?: number;
  /** When set, `score` rejects with it (to exercise the 500 path). */
  readonly failWith?: Error;
  /** When set, every score is this value (e.g. NaN, to exercise a broken model). */
  readonly fixedScore?: number;
  /** Engines it claims to run (default: leaves `engines` out, i.e. float32 only). */
  readonly engines?: readonly ScoringEngine[];
  /** Milliseconds each `score` call takes (a slow model: keeps requests in flight). */
  readonly delayMs?: number;
}

export class FakeScorer implements Scorer {
  readonly manifest: BundleManifest;
  readonly inputColumns: readonly string[];
  readonly threshold: number;
  /** Every call to `score`, for asserting what the handler passed. */
  readonly calls: { x: Float32Array; rows: number; options: ScoreOptions }[] = [];
  readonly engines?: readonly ScoringEngine[];
  disposed = false;
  /** `score` calls running now. */
  running = 0;
  private readonly options: FakeScorerOptions;

  constructor(options: FakeScorerOptions = {}) {
    this.options = options;
    this.inputColumns = options.inputColumns ?? V1_TO_V28;
    this.threshold = options.threshold ?? 0.5;
    if (options.engines !== undefined) this.engines = options.engines;
    this.manifest = fakeManifest(
      options.id ?? 'fake-20260101-000000-abcd',
      this.inputColumns,
      this.threshold,
    );
  }

  async score(x: Float32Array, rows: number, options: ScoreOptions = {}): Promise<ScoreBatch> {
    // A copy: the API reuses its input rows once a call has returned.
    this.calls.push({ x: Float32Array.from(x), rows, options });
    // Like ONNX Runtime: a disposed session fails, so a test catches a model released under a request.
    if (this.disposed) throw new Error(`model ${this.manifest.id} was disposed while still in use`);
    if (this.options.failWith) throw this.options.failWith;
    this.running += 1;
    try {
      if (this.options.delayMs !== undefined)
        await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
      // ONNX Runtime reads its input on a later tick; so does the fake (after the delay).
      await new Promise((resolve) => setImmediate(resolve));
      if (this.disposed) throw new Error(`model ${this.manifest.id} was disposed during a score call`);
      return this.compute(x, rows, options);
    } finally {
      this.running -= 1;
    }
  }

  private compute(x: Float32Array, rows: number, options: ScoreOptions): ScoreBatch {
    const width = this.inputColumns.length;
    if (x.length !== rows * width) throw new RangeError(`expected ${rows}×${width} values, got ${x.length}`);
    const scores = new Float32Array(rows);
    const contributions = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let c = 0; c < width; c++) {
        const square = (x[r * width + c] ?? 0) ** 2;
        contributions[r * width + c] = square;
        sum += square;
      }
      scores[r] = this.options.fixedScore ?? sum / width;
    }
    return { scores, contributions: options.contributions === false ? new Float32Array(0) : contributions };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}
