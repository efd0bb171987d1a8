/**
 * Drift metrics, Evidently's split: a metric *spec* is plain serialisable config (its key identifies it),
 * its *calculation* turns (reference, current) into a typed result through a shared context that sorts each
 * column once and memoises results, so a dataset-level metric reuses the column metrics' work.
 */
import { CardwatchError } from '../util/errors.js';
import type { ColumnStats, FeatureDrift } from './report-schema.js';
import {
  binPair,
  binShares,
  driftSeverity,
  isDrift,
  jensenShannonDistance,
  psiFromShares,
  sortedSample,
  statTest,
  type SortedSample,
  type StatTestName,
} from './stats/index.js';
import type { MonitorTable } from './table.js';

/** One column's drift; `method` left out = Evidently's default choice by reference size. */
export interface ValueDriftSpec {
  readonly metric: 'value_drift';
  readonly column: string;
  readonly kind: 'feature' | 'prediction';
  readonly method?: StatTestName;
  readonly threshold?: number;
  /** With no method: KS up to this many reference rows, normed Wasserstein above. */
  readonly ksMaxReferenceRows: number;
}

/** Dataset drift: at least `share` of the listed column metrics drift. */
export interface DatasetDriftSpec {
  readonly metric: 'dataset_drift';
  readonly columns: readonly ValueDriftSpec[];
  readonly share: number;
}

export type MetricSpec = ValueDriftSpec | DatasetDriftSpec;

export interface DatasetDriftResult {
  readonly drift: boolean;
  readonly driftShare: number;
  readonly driftedFeatures: number;
  readonly features: number;
  readonly threshold: number;
  /** Columns left out because a side had no values for them, with why. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** The key a metric is memoised under: its spec, serialised. */
export function metricKey(spec: MetricSpec): string {
  return JSON.stringify(spec);
}

/** What calculations share: sorted columns per side and finished results. */
export class DriftContext {
  private readonly sorted = new Map<string, SortedSample>();
  private readonly results = new Map<string, unknown>();

  constructor(
    readonly reference: MonitorTable,
    readonly current: MonitorTable,
  ) {}

  /** The sorted finite values of a column (null when the table lacks it). */
  sample(side: 'reference' | 'current', column: string): SortedSample | null {
    const key = `${side}\u0000${column}`;
    const cached = this.sorted.get(key);
    if (cached !== undefined) return cached;
    const values = this[side].columns.get(column);
    if (values === undefined) return null;
    const sample = sortedSample(values);
    this.sorted.set(key, sample);
    return sample;
  }

  memo<T>(spec: MetricSpec, calculate: () => T): T {
    const key = metricKey(spec);
    if (this.results.has(key)) return this.results.get(key) as T;
    const result = calculate();
    this.results.set(key, result);
    return result;
  }
}

function columnStats(sample: SortedSample): ColumnStats {
  const n = sample.sorted.length;
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    rows: n,
    mean: n === 0 ? null : finite(sample.mean),
    std: n === 0 ? null : finite(sample.std),
    min: n === 0 ? null : sample.sorted[0]!,
    max: n === 0 ? null : sample.sorted[n - 1]!,
  };
}

/** Bins of the report's histograms (display only; PSI and Jensen-Shannon use Evidently's Sturges bins). */
export const DISPLAY_BINS = 20;
/** The display range leaves out this share of each tail: V columns have outliers 20 std out. */
const DISPLAY_TAIL = 0.005;

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** Shares per bin of a sorted sample over [low, high], values outside counted in the end bins. */
function displayShares(sorted: Float64Array, low: number, high: number): number[] {
  const counts = new Array<number>(DISPLAY_BINS).fill(0);
  const scale = DISPLAY_BINS / (high - low);
  for (const value of sorted) {
    const bin = Math.min(DISPLAY_BINS - 1, Math.max(0, Math.floor((value - low) * scale)));
    counts[bin]!++;
  }
  return counts.map((count) => count / sorted.length);
}

/**
 * The histogram drawn in reports: equal bins over the central 99% of both samples, so a few extreme values
 * do not squeeze the whole distribution into one bar.
 */
function displayHistogram(reference: SortedSample, current: SortedSample): FeatureDrift['histogram'] {
  let low = Math.min(quantile(reference.sorted, DISPLAY_TAIL), quantile(current.sorted, DISPLAY_TAIL));
  let high = Math.max(
    quantile(reference.sorted, 1 - DISPLAY_TAIL),
    quantile(current.sorted, 1 - DISPLAY_TAIL),
  );
  if (low === high) {
    low -= 0.5;
    high += 0.5;
  }
  const edges = Array.from({ length: DISPLAY_BINS + 1 }, (_, k) => low + ((high - low) * k) / DISPLAY_BINS);
  return {
    edges,
    reference: displayShares(reference.sorted, low, high),
    current: displayShares(current.sorted, low, high),
  };
}

/** Why a column cannot be compared, or null when it can. */
function missingReason(reference: SortedSample | null, current: SortedSample | null): string | null {
  if (reference === null) return 'not in the reference sample';
  if (current === null) return 'not in the current data';
  if (reference.sorted.length === 0) return 'no finite reference values';
  if (current.sorted.length === 0) return 'no finite current values (not logged for this model)';
  return null;
}

/** One column's drift, or the reason it was skipped. */
export function calculateValueDrift(
  context: DriftContext,
  spec: ValueDriftSpec,
): FeatureDrift | { skipped: string } {
  return context.memo(spec, () => {
    const reference = context.sample('reference', spec.column);
    const current = context.sample('current', spec.column);
    const reason = missingReason(reference, current);
    if (reason !== null || reference === null || current === null) return { skipped: reason ?? '' };
    const method: StatTestName =
      spec.method ?? (reference.sorted.length <= spec.ksMaxReferenceRows ? 'ks' : 'wasserstein');
    const test = statTest(method);
    const threshold = spec.threshold ?? test.defaultThreshold;
    // One shared binning serves PSI and Jensen-Shannon.
    const pair = binPair(reference, current);
    const referenceShares = binShares(pair.referenceCounts);
    const currentShares = binShares(pair.currentCounts);
    const psi = psiFromShares(referenceShares, currentShares);
    const js = jensenShannonDistance(referenceShares, currentShares);
    const score = method === 'psi' ? psi : method === 'jensenshannon' ? js : test.score(reference, current);
    return {
      name: spec.column,
      kind: spec.kind,
      method,
      score,
      threshold,
      drift: isDrift(test, score, threshold),
      severity: driftSeverity(test, score, threshold),
      psi,
      jensen_shannon: js,
      reference: columnStats(reference),
      current: columnStats(current),
      histogram: displayHistogram(reference, current),
    } satisfies FeatureDrift;
  });
}

/** The dataset verdict over its column metrics (computed once each, through the context). */
export function calculateDatasetDrift(context: DriftContext, spec: DatasetDriftSpec): DatasetDriftResult {
  if (!(spec.share > 0 && spec.share <= 1)) {
    throw new CardwatchError('INVALID_INPUT', `the dataset drift share must be in (0, 1], got ${spec.share}`);
  }
  return context.memo(spec, () => {
    let drifted = 0;
    let compared = 0;
    const skipped: { name: string; reason: string }[] = [];
    for (const column of spec.columns) {
      const result = calculateValueDrift(context, column);
      if ('skipped' in result) {
        skipped.push({ name: column.column, reason: result.skipped });
        continue;
      }
      compared++;
      if (result.drift) drifted++;
    }
    const driftShare = compared === 0 ? 0 : drifted / compared;
    return {
      drift: compared > 0 && driftShare >= spec.share,
      driftShare,
      driftedFeatures: drifted,
      features: compared,
      threshold: spec.share,
      skipped,
    };
  });
}
