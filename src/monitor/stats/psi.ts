/**
 * Population Stability Index over shared bins, as Evidently's `psi_stat_test`:
 * Σ (ref_k − cur_k) · ln(ref_k / cur_k) over bin shares (empty bins at 0.0001). Rule of thumb: < 0.1 stable,
 * 0.1–0.25 moderate shift, > 0.25 major shift; Evidently's drift threshold is 0.1.
 */
export function psiFromShares(reference: Float64Array, current: Float64Array): number {
  let psi = 0;
  for (let k = 0; k < reference.length; k++) {
    const r = reference[k]!;
    const c = current[k]!;
    psi += (r - c) * Math.log(r / c);
  }
  return psi;
}
