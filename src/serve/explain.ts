/**
 * What a prediction tells besides its score: a risk band relative to the decision threshold, and the features
 * that contribute most to the reconstruction error (the autoencoder's per-feature squared errors, whose mean is
 * the score).
 */

export type Risk = 'low' | 'moderate' | 'high';

/** Below this fraction of the threshold a score is `low` risk. */
export const LOW_RISK_FRACTION = 0.5;

/** The risk bands, as documented in the OpenAPI description of the scoring routes. */
export const RISK_DESCRIPTION =
  'Risk band relative to the model threshold t: `low` when score < 0.5·t, `moderate` when 0.5·t ≤ score ≤ t, ' +
  '`high` when score > t (exactly when is_fraud is true).';

/**
 * The risk band of a score.
 * @example riskLevel(0.4, 1) // 'low'
 * @example riskLevel(1, 1) // 'moderate' (flagging needs score > threshold)
 */
export function riskLevel(score: number, threshold: number): Risk {
  if (score > threshold) return 'high';
  return score < LOW_RISK_FRACTION * threshold ? 'low' : 'moderate';
}

export interface FeatureContribution {
  /** Model input column, e.g. `V14`. */
  readonly feature: string;
  /** Its squared reconstruction error (standardized units), to {@link EXPLANATION_DECIMALS} decimals. */
  readonly contribution: number;
  /** Its part of the row's total error, 0..1, to {@link EXPLANATION_DECIMALS} decimals. */
  readonly share: number;
}

/**
 * Decimals an explanation keeps. The contributions come out of the model as float32 (about 7 significant
 * digits), so the 17 digits of their float64 text were noise; rounded, they are also written ~3× faster
 * (util/json-text.ts jsonNumber), which was the largest single item of a /predict answer.
 */
export const EXPLANATION_DECIMALS = 6;

/** `value` to 6 decimals; magnitudes past 1e9 (beyond any real contribution) are kept as they are. */
export function roundExplanation(value: number): number {
  return value > -1e9 && value < 1e9 ? Math.round(value * 1e6) / 1e6 : value;
}

/**
 * The `k` largest contributions of the row starting at `offset`, largest first (ties keep column order, and
 * order is decided before rounding), each with its share of the row's total, both rounded to 6 decimals.
 * @example topContributions(Float32Array.of(1, 3, 0, 4), 0, 4, ['a', 'b', 'c', 'd'], 2)
 * // [{ feature: 'd', contribution: 4, share: 0.5 }, { feature: 'b', contribution: 3, share: 0.375 }]
 */
export function topContributions(
  contributions: Float32Array,
  offset: number,
  width: number,
  columns: readonly string[],
  k: number,
): FeatureContribution[] {
  const count = Math.min(k, width);
  if (count <= 0 || contributions.length < offset + width) return [];
  // Insertion into `count` slots kept in module-level typed arrays: k is small (5 of 28), and this runs for
  // every scored row (~20 ns per column this way; a fresh JS array per call measured 3.5 µs per row).
  if (bestIndex.length < count) {
    bestIndex = new Int32Array(count);
    bestValue = new Float64Array(count);
  }
  let held = 0;
  let total = 0;
  for (let c = 0; c < width; c++) {
    const value = contributions[offset + c] as number;
    total += value;
    // Strictly greater: among equal contributions the earlier column stays ahead.
    if (held === count && !(value > (bestValue[held - 1] as number))) continue;
    let slot = held < count ? held++ : count - 1;
    while (slot > 0 && value > (bestValue[slot - 1] as number)) {
      bestValue[slot] = bestValue[slot - 1] as number;
      bestIndex[slot] = bestIndex[slot - 1] as number;
      slot--;
    }
    bestValue[slot] = value;
    bestIndex[slot] = c;
  }
  const out = new Array<FeatureContribution>(held);
  for (let i = 0; i < held; i++) {
    const contribution = bestValue[i] as number;
    out[i] = {
      feature: columns[bestIndex[i] as number] as string,
      // Extreme (finite) inputs overflow float32 inside the model; JSON has no Infinity.
      contribution: Number.isFinite(contribution) ? roundExplanation(contribution) : Number.MAX_VALUE,
      share: roundExplanation(shareOf(contribution, total)),
    };
  }
  return out;
}

/** Scratch for topContributions (single-threaded and not re-entrant, so one pair serves every call). */
let bestIndex = new Int32Array(8);
let bestValue = new Float64Array(8);

/** A contribution's part of the total; an overflowed (infinite) contribution takes all of it. */
function shareOf(contribution: number, total: number): number {
  if (!Number.isFinite(total)) return Number.isFinite(contribution) ? 0 : 1;
  return total > 0 ? contribution / total : 0;
}
