/**
 * The drift tests by name, each a pure function paired with a descriptor (Evidently's stattest registry):
 * what its score means (a p-value drifts *below* the threshold, a distance *above* it) and its default
 * threshold. Column-level metrics look tests up here, so an unknown name fails with the valid ones.
 */
import { CardwatchError } from '../../util/errors.js';
import { binPair, binShares } from './histogram.js';
import { jensenShannonDistance } from './jensen-shannon.js';
import { ksTwoSample } from './ks.js';
import { psiFromShares } from './psi.js';
import type { SortedSample } from './sample.js';
import { normedWasserstein } from './wasserstein.js';

export const STAT_TEST_NAMES = ['ks', 'wasserstein', 'psi', 'jensenshannon'] as const;
export type StatTestName = (typeof STAT_TEST_NAMES)[number];

export interface StatTest {
  readonly name: StatTestName;
  /** Shown in reports. */
  readonly title: string;
  /** `p_value`: drift when score < threshold; `distance`: drift when score > threshold. */
  readonly kind: 'p_value' | 'distance';
  readonly defaultThreshold: number;
  score(reference: SortedSample, current: SortedSample): number;
}

function binned(metric: (r: Float64Array, c: Float64Array) => number) {
  return (reference: SortedSample, current: SortedSample): number => {
    const pair = binPair(reference, current);
    return metric(binShares(pair.referenceCounts), binShares(pair.currentCounts));
  };
}

const TESTS: Readonly<Record<StatTestName, StatTest>> = {
  ks: {
    name: 'ks',
    title: 'K-S p-value',
    kind: 'p_value',
    defaultThreshold: 0.05,
    score: (reference, current) => ksTwoSample(reference, current).pValue,
  },
  wasserstein: {
    name: 'wasserstein',
    title: 'Wasserstein distance (normed)',
    kind: 'distance',
    defaultThreshold: 0.1,
    score: normedWasserstein,
  },
  psi: { name: 'psi', title: 'PSI', kind: 'distance', defaultThreshold: 0.1, score: binned(psiFromShares) },
  jensenshannon: {
    name: 'jensenshannon',
    title: 'Jensen-Shannon distance',
    kind: 'distance',
    defaultThreshold: 0.1,
    score: binned(jensenShannonDistance),
  },
};

/** The test called `name`; INVALID_INPUT listing the known ones otherwise. */
export function statTest(name: string): StatTest {
  if (!Object.hasOwn(TESTS, name)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `unknown drift test "${name}"; known tests: ${STAT_TEST_NAMES.join(', ')}`,
    );
  }
  return TESTS[name as StatTestName];
}

/** Whether `score` means drift for `test` at `threshold`. */
export function isDrift(test: StatTest, score: number, threshold: number): boolean {
  return test.kind === 'p_value' ? score < threshold : score > threshold;
}

/**
 * How far past its threshold a score is, comparable across tests (1 = exactly at the threshold, > 1 = drift):
 * distance / threshold, or log(p) / log(threshold) for p-values (p = threshold² scores 2). Thresholds are > 0
 * (the options schema refuses others).
 */
export function driftSeverity(test: StatTest, score: number, threshold: number): number {
  if (test.kind === 'distance') return score / threshold;
  // A p-value that underflowed to 0 still gets a finite (very large) severity, so reports stay valid JSON.
  return Math.log(Math.max(score, Number.MIN_VALUE)) / Math.log(threshold);
}
