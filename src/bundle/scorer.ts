/**
 * The scoring front door: open a bundle once, score raw rows many times. The wrapper stays thin (one size check
 * per call, one finiteness check per row's score) so ONNX Runtime's speed reaches the caller.
 *
 * One ONNX Runtime session per model variant the bundle has (float32, int8), all opened at load, so a request
 * picks its engine per call at no loading cost. The threshold is the manifest's for both engines; the int8
 * variant's flag agreement with float32 at that threshold is recorded in the manifest at export.
 */
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CardwatchError } from '../util/errors.js';
import { bundleEngines, SCORING_ENGINES, variantFile, type BundleManifest } from './manifest.js';
import { openOnnxSession, type OnnxSession } from './onnx-runtime.js';
import { readManifest, resolveBundle } from './registry.js';
import type { ScoreBatch, ScoreOptions, Scorer, ScoringEngine } from './scorer-types.js';

/** Rows per ONNX Runtime call: bounds the memory of one call (input + contributions ≈ 15 MB at 28 features). */
export const DEFAULT_CHUNK_ROWS = 65_536;

export interface ScorerOptions {
  /** Rows per ONNX Runtime call (default {@link DEFAULT_CHUNK_ROWS}). */
  readonly chunkRows?: number;
  readonly intraOpThreads?: number;
  /**
   * The engine of `score` calls that name none (default `float32`). Every engine the bundle has is loaded
   * either way; asking for one it lacks → `ENGINE_NOT_AVAILABLE`.
   */
  readonly engine?: ScoringEngine;
}

/**
 * Loads the bundle `idOrAlias` of `modelsDir` (content hash verified) and opens every variant it has for
 * scoring (float32, and int8 when present), so each call can pick its engine.
 *
 * @example
 * const scorer = await loadScorer('models', 'production');
 * const { scores } = await scorer.score(new Float32Array(28), 1); // one all-zero row of V1..V28
 * scores[0] > scorer.threshold; // → is it flagged?
 * scorer.engines; // → ['float32', 'int8']
 * await scorer.score(new Float32Array(28), 1, { engine: 'int8' });
 * await scorer.dispose();
 */
export async function loadScorer(
  modelsDir: string,
  idOrAlias: string,
  options: ScorerOptions = {},
): Promise<Scorer> {
  const { dir, manifest } = resolveBundle(modelsDir, idOrAlias, { verifyHash: true });
  return openScorer(dir, manifest, options);
}

/** Opens the bundle folder `dir` directly (no registry, no alias), verifying its content hash. */
export async function openScorerFromDir(dir: string, options: ScorerOptions = {}): Promise<Scorer> {
  return openScorer(dir, readManifest(dir, { verifyHash: true }), options);
}

/** What to tell a caller who asks a bundle for a variant it does not have. */
export function engineHint(manifest: BundleManifest, engine: ScoringEngine): string {
  return manifest.source === 'import'
    ? `re-import it with \`cardwatch models import\` to get the ${engine} variant`
    : `re-export with \`cardwatch export\` to get the ${engine} variant`;
}

/** `ENGINE_NOT_AVAILABLE` (HTTP 404) for `engine` on the bundle of `manifest`, with the engines it has. */
export function engineNotAvailable(manifest: BundleManifest, engine: ScoringEngine): CardwatchError {
  const available = bundleEngines(manifest);
  return new CardwatchError(
    'ENGINE_NOT_AVAILABLE',
    `model ${manifest.id} has no ${engine} variant (it has: ${available.join(', ')}; ` +
      `format_version ${manifest.format_version}); ${engineHint(manifest, engine)}`,
    { details: { engine, available, hint: engineHint(manifest, engine) } },
  );
}

/** The engines a scorer can run; a scorer that does not say (one written before int8) runs float32 only. */
export function scorerEngines(scorer: Scorer): readonly ScoringEngine[] {
  return scorer.engines ?? ['float32'];
}

/**
 * Checks that `scorer` can run `engine` (e.g. before the API parses a request body): `ENGINE_NOT_AVAILABLE`
 * otherwise.
 */
export function requireEngine(scorer: Scorer, engine: ScoringEngine): void {
  if (!scorerEngines(scorer).includes(engine)) throw engineNotAvailable(scorer.manifest, engine);
}

/**
 * Reads an engine name from a query parameter or CLI flag (`undefined` → `float32`); anything else than
 * `float32` / `int8` → `INVALID_INPUT` listing them.
 */
export function parseEngine(value: string | undefined): ScoringEngine {
  if (value === undefined) return 'float32';
  const engine = SCORING_ENGINES.find((name) => name === value);
  if (engine === undefined) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `engine must be one of ${SCORING_ENGINES.join(', ')}; got ${JSON.stringify(value)}`,
    );
  }
  return engine;
}

async function openScorer(dir: string, manifest: BundleManifest, options: ScorerOptions): Promise<Scorer> {
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) {
    throw new CardwatchError('INVALID_INPUT', `chunkRows must be an integer ≥ 1, got ${chunkRows}`);
  }
  const defaultEngine = options.engine ?? 'float32';
  if (!bundleEngines(manifest).includes(defaultEngine)) throw engineNotAvailable(manifest, defaultEngine);
  const sessions = new Map<ScoringEngine, OnnxSession>();
  try {
    for (const engine of bundleEngines(manifest)) {
      const file = variantFile(manifest, engine) as string;
      sessions.set(engine, await openVariant(join(dir, file), manifest, options));
    }
  } catch (error) {
    for (const session of sessions.values()) await session.dispose();
    throw error;
  }
  return new BundleScorer(manifest, sessions, defaultEngine, chunkRows);
}

/** Opens one variant's model file and checks it has the input and outputs the manifest names. */
async function openVariant(
  modelPath: string,
  manifest: BundleManifest,
  options: ScorerOptions,
): Promise<OnnxSession> {
  const session = await openOnnxSession(
    modelPath,
    options.intraOpThreads === undefined ? {} : { intraOpThreads: options.intraOpThreads },
  );
  const { input, score_output: scoreName, contributions_output: contributionsName } = manifest.onnx;
  const absent = [
    ...(session.inputNames.includes(input) ? [] : [`input ${input}`]),
    ...[scoreName, contributionsName]
      .filter((name) => !session.outputNames.includes(name))
      .map((n) => `output ${n}`),
  ];
  if (absent.length > 0) {
    await session.dispose();
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `${modelPath} lacks ${absent.join(', ')} named in its manifest (it has inputs ` +
        `[${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}])`,
    );
  }
  return session;
}

class BundleScorer implements Scorer {
  readonly inputColumns: readonly string[];
  readonly threshold: number;
  readonly engines: readonly ScoringEngine[];
  private readonly features: number;

  constructor(
    readonly manifest: BundleManifest,
    private readonly sessions: ReadonlyMap<ScoringEngine, OnnxSession>,
    private readonly defaultEngine: ScoringEngine,
    private readonly chunkRows: number,
  ) {
    this.inputColumns = Object.freeze([...manifest.input_columns]);
    this.threshold = manifest.threshold.value;
    this.features = manifest.input_columns.length;
    this.engines = Object.freeze([...sessions.keys()]);
  }

  async score(x: Float32Array, rows: number, options: ScoreOptions = {}): Promise<ScoreBatch> {
    const withContributions = options.contributions ?? true;
    const engine = options.engine ?? this.defaultEngine;
    const session = this.sessions.get(engine);
    if (session === undefined) {
      // A typo from an untyped caller is a bad argument; a real engine this bundle lacks is a missing variant.
      throw SCORING_ENGINES.includes(engine)
        ? engineNotAvailable(this.manifest, engine)
        : new CardwatchError(
            'INVALID_INPUT',
            `engine must be one of ${SCORING_ENGINES.join(', ')}; got ${JSON.stringify(engine)}`,
          );
    }
    const f = this.features;
    if (!Number.isInteger(rows) || rows < 0) {
      throw new CardwatchError('SHAPE_MISMATCH', `rows must be an integer ≥ 0, got ${rows}`);
    }
    if (x.length !== rows * f) {
      throw new CardwatchError(
        'SHAPE_MISMATCH',
        `expected ${rows} rows × ${f} features (${this.inputColumns.join(', ')}) = ${rows * f} values, ` +
          `received ${x.length}`,
      );
    }
    if (rows <= this.chunkRows && withContributions) {
      const out = await this.runChunk(session, x, rows, null);
      this.checkFinite(x, out.scores, 0);
      return out;
    }
    // ONNX Runtime writes each chunk straight into views of the result arrays (no copies).
    const scores = new Float32Array(rows);
    const contributions = new Float32Array(withContributions ? rows * f : 0);
    for (let start = 0; start < rows; start += this.chunkRows) {
      const end = Math.min(start + this.chunkRows, rows);
      // ONNX Runtime runs in the call (onnx-runtime.ts `synchronous`): between chunks of a large batch, let the
      // event loop serve what else is waiting (a service's other requests) rather than hold it for all of them.
      if (start > 0) await yieldToEventLoop();
      await this.runChunk(session, x.subarray(start * f, end * f), end - start, {
        scores: scores.subarray(start, end),
        contributions: withContributions ? contributions.subarray(start * f, end * f) : null,
      });
      this.checkFinite(x, scores.subarray(start, end), start);
    }
    return { scores, contributions };
  }

  /** One ONNX Runtime call; `into` = pre-allocated outputs (`contributions: null` → not fetched at all). */
  private async runChunk(
    session: OnnxSession,
    x: Float32Array,
    rows: number,
    into: { scores: Float32Array; contributions: Float32Array | null } | null,
  ): Promise<ScoreBatch> {
    const { input, score_output: scoreName, contributions_output: contributionsName } = this.manifest.onnx;
    const f = this.features;
    const feeds = { [input]: { data: x, dims: [rows, f] } };
    const out =
      into === null
        ? await session.run(feeds)
        : await session.run(feeds, {
            [scoreName]: { data: into.scores, dims: [rows] },
            ...(into.contributions === null
              ? {}
              : { [contributionsName]: { data: into.contributions, dims: [rows, f] } }),
          });
    const scores = out[scoreName];
    if (scores === undefined)
      throw new CardwatchError('INTERNAL', `ONNX Runtime returned no ${scoreName} output`);
    return { scores: scores.data, contributions: out[contributionsName]?.data ?? new Float32Array(0) };
  }

  /**
   * A NaN or ±Infinity input makes a non-finite score: checking the N scores (not the N×F inputs) keeps the
   * common path cheap, and only a non-finite score pays for finding the offending column. (Finite but huge inputs
   * may legitimately overflow to an Infinity score: most suspicious, and left as is.)
   */
  private checkFinite(x: Float32Array, scores: Float32Array, firstRow: number): void {
    for (let r = 0; r < scores.length; r++) {
      if (Number.isFinite(scores[r] as number)) continue;
      const row = firstRow + r;
      for (let c = 0; c < this.features; c++) {
        const value = x[row * this.features + c] as number;
        if (!Number.isFinite(value)) {
          throw new CardwatchError(
            'INVALID_INPUT',
            `row ${row}, column ${this.inputColumns[c]} is ${value}; feature values must be finite numbers`,
          );
        }
      }
    }
  }

  async dispose(): Promise<void> {
    for (const session of this.sessions.values()) await session.dispose();
  }
}
