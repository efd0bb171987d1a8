/** A compact text chart of a series (loss per epoch) for terminals: one block character per point. */

const BLOCKS = '▁▂▃▄▅▆▇█';

/**
 * One character per value (buckets averaged when there are more than `width` values), scaled between the
 * series' min and max; a non-finite value shows as `·`. A flat series draws at the bottom.
 * @example sparkline([4, 3, 2, 1.5, 1.4]) // → '█▅▂▁▁'
 */
export function sparkline(values: readonly number[], width = 60): string {
  const points = bucketMeans(values, width);
  const finite = points.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return '·'.repeat(points.length);
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  const span = high - low;
  return points
    .map((v) => {
      if (!Number.isFinite(v)) return '·';
      const level = span === 0 ? 0 : Math.round(((v - low) / span) * (BLOCKS.length - 1));
      return BLOCKS[level]!;
    })
    .join('');
}

function bucketMeans(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * values.length) / width);
    const to = Math.floor(((b + 1) * values.length) / width);
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i]!;
    out.push(sum / (to - from));
  }
  return out;
}
