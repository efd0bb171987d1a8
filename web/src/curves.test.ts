import { describe, expect, it } from 'vitest';
import { alignCurves, prCurve } from './curves.js';

describe('alignCurves', () => {
  it('merges the curves onto one ascending x, with gaps where a curve has no point', () => {
    expect(
      alignCurves([
        { x: [0, 1], y: [1, 0.5] },
        { x: [0.5, 1], y: [0.8, 0.7] },
      ]),
    ).toEqual({
      x: [0, 0.5, 1],
      ys: [
        [1, null, 0.5],
        [null, 0.8, 0.7],
      ],
    });
  });

  it("keeps a curve's vertical steps (repeated x) in order, sharing rows with the other curve", () => {
    const aligned = alignCurves([
      { x: [0, 0.5, 0.5, 1], y: [1, 1, 0.5, 0.4] },
      { x: [0.5, 1], y: [0.8, 0.7] },
    ]);
    expect(aligned.x).toEqual([0, 0.5, 0.5, 1]);
    expect(aligned.ys).toEqual([
      [1, 1, 0.5, 0.4],
      [null, 0.8, null, 0.7],
    ]);
  });

  it('puts every curve on the last x (uPlot would otherwise drop end points)', () => {
    const aligned = alignCurves([
      { x: [1, 2], y: [0.99, 0.98] },
      { x: [1, 2], y: [0.97, 0.93] },
    ]);
    expect(aligned).toEqual({
      x: [1, 2],
      ys: [
        [0.99, 0.98],
        [0.97, 0.93],
      ],
    });
  });
});

describe('prCurve', () => {
  it('turns the stored order (recall falling) into recall rising', () => {
    expect(prCurve({ precision: [0.1, 0.6, 1], recall: [1, 0.8, 0] })).toEqual({
      x: [0, 0.8, 1],
      y: [1, 0.6, 0.1],
    });
  });
});
