/**
 * Jensen–Shannon *distance* (the square root of the divergence, natural log) between two bin-share vectors,
 * as `scipy.spatial.distance.jensenshannon(p, q)` which Evidently's `jensenshannon` test calls. Both vectors
 * are normalised to sum 1 first, as scipy does. Bounded by √ln 2 ≈ 0.833; Evidently's threshold is 0.1.
 */
function normalise(shares: Float64Array): Float64Array {
  let total = 0;
  for (const share of shares) total += share;
  return shares.map((share) => share / total);
}

function klToMixture(p: Float64Array, mixture: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < p.length; k++) {
    const pk = p[k]!;
    if (pk > 0) sum += pk * Math.log(pk / mixture[k]!);
  }
  return sum;
}

/** @example jensenShannonDistance(new Float64Array([1, 0]), new Float64Array([0, 1])) // √ln2 = 0.8326 */
export function jensenShannonDistance(reference: Float64Array, current: Float64Array): number {
  const p = normalise(reference);
  const q = normalise(current);
  const m = p.map((pk, k) => (pk + q[k]!) / 2);
  const divergence = (klToMixture(p, m) + klToMixture(q, m)) / 2;
  return Math.sqrt(Math.max(0, divergence));
}
