/**
 * The evaluation gate of a promotion: score the candidate and the baseline bundle on the same held-out rows
 * and refuse the candidate when it is worse by more than a margin. Both bundles run through ONNX Runtime,
 * exactly as they would serve, so the gate judges what ships rather than the training engine.
 *
 * The held-out rows are the test split of the candidate's training data, cut with the candidate's own split
 * settings (seed, strategy, fractions): rows the candidate never trained on or chose its threshold with.
 * Manifest metrics cannot be compared directly because two bundles may have been tested on different data.
 */
import { z } from 'zod';
import { loadScorer, resolveBundle, type BundleManifest, type Scorer } from '../bundle/index.js';
import { loadPreparedDataset, selectColumns, splitDataset, type SplitOptions } from '../data/index.js';
import { averagePrecision, rocAuc } from '../evaluate/index.js';
import { CardwatchError } from '../util/errors.js';

export const GATE_METRICS = ['average_precision', 'roc_auc'] as const;
export type GateMetric = (typeof GATE_METRICS)[number];

export interface RankMetrics {
  readonly roc_auc: number;
  readonly average_precision: number;
}

export interface GateVerdict {
  readonly metric: GateMetric;
  readonly max_drop: number;
  /** baseline − candidate on `metric`: positive means the candidate is worse. */
  readonly drop: number;
  readonly passed: boolean;
}

/** Absorbs float noise so that a drop of exactly `maxDrop` passes, as "not worse by more than" says. */
const EPSILON = 1e-12;

/**
 * @example gateVerdict({ roc_auc: 0.95, average_precision: 0.70 }, { roc_auc: 0.96, average_precision: 0.72 }, 'average_precision', 0.01)
 * // → { metric: 'average_precision', max_drop: 0.01, drop: 0.02, passed: false } (drop ≈ 0.02)
 */
export function gateVerdict(
  candidate: RankMetrics,
  baseline: RankMetrics,
  metric: GateMetric,
  maxDrop: number,
): GateVerdict {
  checkMaxDrop(maxDrop);
  const drop = baseline[metric] - candidate[metric];
  return { metric, max_drop: maxDrop, drop, passed: drop <= maxDrop + EPSILON };
}

function checkMaxDrop(maxDrop: number): void {
  if (!Number.isFinite(maxDrop) || maxDrop < 0 || maxDrop >= 1) {
    throw new CardwatchError('INVALID_INPUT', `--max-drop must be a number in [0, 1), got ${maxDrop}`);
  }
}

/** How the held-out split is cut: the same settings `train` used. */
export type SplitSettings = SplitOptions;

/** The part of a stored config the split needs; lenient so bundles from older schemas still gate. */
const splitConfigSchema = z.object({
  seed: z.number().int().min(0),
  data: z.object({
    split: z.enum(['stratified', 'time']),
    test_fraction: z.number().gt(0).lt(1),
    val_fraction: z.number().gt(0).lt(1),
  }),
});

function splitSettingsOf(manifest: BundleManifest): SplitSettings | null {
  const parsed = splitConfigSchema.safeParse(manifest.config);
  if (!parsed.success) return null;
  const { seed, data } = parsed.data;
  return { strategy: data.split, testFraction: data.test_fraction, valFraction: data.val_fraction, seed };
}

export interface GateInput {
  readonly modelsDir: string;
  readonly preparedDir: string;
  /** Bundle ids or aliases. */
  readonly candidate: string;
  readonly baseline: string;
  readonly maxDrop: number;
  readonly metric: GateMetric;
  /** Evaluate on this prepared dataset (full fingerprint) instead of the candidate's training data. */
  readonly dataset?: string;
  /** Split settings when the candidate records none (an imported bundle): the current config's. */
  readonly fallbackSplit: SplitSettings;
}

export interface GatedBundle {
  readonly id: string;
  readonly data_fingerprint: string | null;
  readonly metrics: RankMetrics;
}

export interface GateResult extends GateVerdict {
  readonly candidate: GatedBundle;
  readonly baseline: GatedBundle;
  readonly dataset: string;
  readonly rows: number;
  readonly frauds: number;
  readonly split: SplitSettings;
  /** Caveats worth reading next to the verdict. */
  readonly notes: readonly string[];
}

async function scoreRows(scorer: Scorer, x: Float32Array, rows: number): Promise<Float32Array> {
  return (await scorer.score(x, rows, { contributions: false })).scores;
}

async function metricsOf(
  modelsDir: string,
  idOrAlias: string,
  select: (columns: readonly string[]) => Float32Array,
  rows: number,
  labels: Uint8Array,
): Promise<RankMetrics> {
  const scorer = await loadScorer(modelsDir, idOrAlias);
  try {
    const scores = await scoreRows(scorer, select(scorer.inputColumns), rows);
    return { roc_auc: rocAuc(scores, labels), average_precision: averagePrecision(scores, labels) };
  } finally {
    await scorer.dispose();
  }
}

/**
 * Scores both bundles on the candidate's held-out split and applies {@link gateVerdict}.
 * @throws CardwatchError MODEL_NOT_FOUND for an unknown bundle or alias; DATA_NOT_FOUND when the dataset is
 *   not prepared here; INVALID_INPUT when nothing says which data to use (an imported candidate, no --dataset).
 */
export async function runGate(input: GateInput): Promise<GateResult> {
  checkMaxDrop(input.maxDrop);
  const candidate = resolveBundle(input.modelsDir, input.candidate);
  const baseline = resolveBundle(input.modelsDir, input.baseline);
  const fingerprint = input.dataset ?? candidate.manifest.data_fingerprint;
  if (fingerprint === null) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `candidate ${candidate.id} was imported and records no training data: pass --dataset FINGERPRINT`,
    );
  }
  const split = splitSettingsOf(candidate.manifest) ?? input.fallbackSplit;
  const prepared = loadPreparedDataset(input.preparedDir, fingerprint);
  const test = splitDataset(prepared.dataset, split).test;
  const y = prepared.dataset.y;
  if (y === null)
    throw new CardwatchError('DATA_INVALID', `dataset ${fingerprint.slice(0, 12)} has no labels`);
  const labels = new Uint8Array(test.length);
  for (let i = 0; i < test.length; i++) labels[i] = y[test[i]!]!;
  const frauds = labels.reduce((sum, label) => sum + label, 0);
  const select = (columns: readonly string[]): Float32Array => selectColumns(prepared.dataset, columns, test);

  const candidateMetrics = await metricsOf(input.modelsDir, candidate.id, select, test.length, labels);
  const baselineMetrics = await metricsOf(input.modelsDir, baseline.id, select, test.length, labels);

  const notes: string[] = [];
  if (candidate.id === baseline.id)
    notes.push(`candidate and baseline are the same bundle (${candidate.id})`);
  const baselineData = baseline.manifest.data_fingerprint;
  if (baselineData !== fingerprint) {
    // The baseline may have trained on some of these rows, which flatters it: the gate errs on the strict side.
    notes.push(
      baselineData === null
        ? `baseline ${baseline.id} was imported; it may have been trained on some of these rows`
        : `baseline ${baseline.id} was trained on other data (${baselineData.slice(0, 12)}); ` +
            'it may have seen some of these rows, which makes the gate stricter, not laxer',
    );
  } else {
    const baselineSplit = splitSettingsOf(baseline.manifest);
    if (baselineSplit !== null && JSON.stringify(baselineSplit) !== JSON.stringify(split)) {
      notes.push(
        `baseline ${baseline.id} used other split settings; some test rows may be its training rows`,
      );
    }
  }
  return {
    ...gateVerdict(candidateMetrics, baselineMetrics, input.metric, input.maxDrop),
    candidate: {
      id: candidate.id,
      data_fingerprint: candidate.manifest.data_fingerprint,
      metrics: candidateMetrics,
    },
    baseline: { id: baseline.id, data_fingerprint: baselineData, metrics: baselineMetrics },
    dataset: fingerprint,
    rows: test.length,
    frauds,
    split,
    notes,
  };
}
