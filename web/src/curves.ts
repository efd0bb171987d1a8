/**
 * Lines with different x values on one uPlot chart: uPlot wants one ascending x array shared by every series,
 * so each curve's points are merged into it and the other series get gaps (null) there, which lines span.
 * Pure re-arrangement of the server's curve points; nothing is interpolated or recomputed.
 */

export interface Curve {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface AlignedCurves {
  readonly x: number[];
  readonly ys: (number | null)[][];
}

/**
 * @example alignCurves([{ x: [0, 1], y: [1, 0.5] }, { x: [0.5, 1], y: [0.8, 0.7] }])
 * // → { x: [0, 0.5, 1], ys: [[1, null, 0.5], [null, 0.8, 0.7]] }
 */
export function alignCurves(curves: readonly Curve[]): AlignedCurves {
  const points: { x: number; y: number; curve: number; order: number }[] = [];
  curves.forEach((curve, c) => {
    const n = Math.min(curve.x.length, curve.y.length);
    for (let i = 0; i < n; i++)
      points.push({ x: curve.x[i] as number, y: curve.y[i] as number, curve: c, order: i });
  });
  points.sort((a, b) => a.x - b.x || a.order - b.order || a.curve - b.curve);
  const x: number[] = [];
  const ys: (number | null)[][] = curves.map(() => []);
  for (const point of points) {
    const last = x.length - 1;
    // Curves share a row at equal x; a curve's own repeated x (a vertical step) opens a new row. Fewer repeated
    // x values also keep uPlot's index window from dropping the points at the ends of the axis.
    if (last >= 0 && x[last] === point.x && ys[point.curve]?.[last] === null) {
      (ys[point.curve] as (number | null)[])[last] = point.y;
      continue;
    }
    x.push(point.x);
    ys.forEach((values, c) => values.push(c === point.curve ? point.y : null));
  }
  return { x, ys };
}

/** A PR curve as stored (sklearn order: recall falling) turned into recall-ascending points. */
export function prCurve(pr: {
  readonly precision: readonly number[];
  readonly recall: readonly number[];
}): Curve {
  return { x: [...pr.recall].reverse(), y: [...pr.precision].reverse() };
}
