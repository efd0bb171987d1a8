/** Pure drift statistics over sorted samples; each is tested against reference values. */
export { sortedSample, type SortedSample } from './sample.js';
export { ksTwoSample, ksStatistic, kolmogorovSurvival, type KsResult } from './ks.js';
export { wassersteinDistance, normedWasserstein, MIN_NORM_STD } from './wasserstein.js';
export { binPair, binShares, sturgesBins, EMPTY_BIN_SHARE, type BinnedPair } from './histogram.js';
export { psiFromShares } from './psi.js';
export { jensenShannonDistance } from './jensen-shannon.js';
export {
  statTest,
  isDrift,
  driftSeverity,
  STAT_TEST_NAMES,
  type StatTest,
  type StatTestName,
} from './registry.js';
