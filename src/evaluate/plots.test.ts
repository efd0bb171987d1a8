import { describe, expect, it } from 'vitest';
import { lossCurveSvg, prCurveSvg, rocCurveSvg, scoreHistogramSvg } from './plots.js';
import { escapeXml } from './svg.js';

/**
 * A tiny well-formedness check: the document is one <svg> element whose tags nest and close properly, and
 * its text has no raw `<` or `&` (so escaping worked) and no NaN/undefined from a broken computation.
 */
function checkSvg(svg: string): void {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  expect(svg).not.toMatch(/NaN|undefined|Infinity|null/);
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let position = 0;
  for (let match = tag.exec(svg); match !== null; match = tag.exec(svg)) {
    const between = svg.slice(position, match.index);
    expect(between).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|apos);)/);
    position = match.index + match[0].length;
    const [, closing, name, , selfClosing] = match;
    if (selfClosing === '/') continue;
    if (closing === '/') expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(svg.slice(position).trim()).toBe('');
  expect(stack).toEqual([]);
}

function count(svg: string, pattern: RegExp): number {
  return svg.match(pattern)?.length ?? 0;
}

const roc = { fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1] };
const pr = { precision: [0.5, 2 / 3, 0.5, 1, 1], recall: [1, 1, 0.5, 0.5, 0] };

describe('rocCurveSvg', () => {
  it('draws one path per curve, the chance line, and AUC in the legend', () => {
    const svg = rocCurveSvg([
      { label: 'validation', roc },
      { label: 'test <holdout> & co', roc, auc: 0.7 },
    ]);
    checkSvg(svg);
    expect(count(svg, /<path /g)).toBe(2);
    expect(svg).toContain('validation (AUC 0.750)'); // trapezoid area of the points
    expect(svg).toContain(`${escapeXml('test <holdout> & co')} (AUC 0.700)`);
    expect(svg).toContain('chance (AUC 0.5)');
    expect(svg).toContain('<title>ROC curve</title>');
  });

  it('survives no curves, a single point and NaN points', () => {
    checkSvg(rocCurveSvg([]));
    expect(rocCurveSvg([])).toContain('no curve to show');
    checkSvg(rocCurveSvg([{ label: 'one', roc: { fpr: [0.5], tpr: [0.5] } }]));
    checkSvg(rocCurveSvg([{ label: 'bad', roc: { fpr: [0, NaN, 1], tpr: [0, 0.5, 1] } }]));
  });
});

describe('prCurveSvg', () => {
  it('draws curves with their prevalence baselines', () => {
    const svg = prCurveSvg([{ label: 'test', pr, baseline: 0.5 }], { title: 'PR "test"' });
    checkSvg(svg);
    expect(count(svg, /<path /g)).toBe(1);
    expect(svg).toContain('stroke-dasharray="5 4"');
    // Step area of the points: .5·... = Σ (R_k − R_{k+1}) P_k = 0·.5 + .5·(2/3) + 0·.5 + .5·1 = 0.833.
    expect(svg).toContain('test (AP 0.833)');
    expect(svg).toContain('test random (prevalence 0.50)');
    expect(svg).toContain('<title>PR &quot;test&quot;</title>');
  });

  it('survives empty and single-point input', () => {
    checkSvg(prCurveSvg([]));
    checkSvg(prCurveSvg([{ label: 'x', pr: { precision: [1], recall: [0] }, baseline: 0 }]));
  });
});

describe('scoreHistogramSvg', () => {
  it('draws one area per non-empty class and the threshold line', () => {
    const normal = Float32Array.from({ length: 1000 }, (_, i) => 0.01 + i / 1000);
    const fraud = Float32Array.from([2, 3, 5, 8]);
    const svg = scoreHistogramSvg({ normal, fraud, threshold: 1.2 });
    checkSvg(svg);
    expect(count(svg, /<path /g)).toBe(2);
    expect(svg).toContain('normal (n=1,000)');
    expect(svg).toContain('fraud (n=4)');
    expect(svg).toContain('threshold 1.20');
    expect(svg).toContain('log scale');
  });

  it('survives zero frauds, all-equal scores, zeros and an empty input', () => {
    const zeroFraud = scoreHistogramSvg({
      normal: Float32Array.from([0.5, 0.5]),
      fraud: new Float32Array(0),
      threshold: 0.5,
    });
    checkSvg(zeroFraud);
    expect(count(zeroFraud, /<path /g)).toBe(1);
    checkSvg(
      scoreHistogramSvg({
        normal: Float32Array.from([0, 0, 0]),
        fraud: Float32Array.from([0]),
        threshold: 0,
      }),
    );
    const empty = scoreHistogramSvg({
      normal: new Float32Array(0),
      fraud: new Float32Array(0),
      threshold: NaN,
    });
    checkSvg(empty);
    expect(empty).toContain('no scores to show');
  });
});

describe('lossCurveSvg', () => {
  const epochs = [1, 2, 3, 4].map((epoch) => ({ epoch, train_loss: 1 / epoch, val_loss: 1.1 / epoch }));

  it('draws train and validation lines and marks the best epoch', () => {
    const svg = lossCurveSvg(epochs, 3);
    checkSvg(svg);
    expect(count(svg, /<path /g)).toBe(2);
    expect(count(svg, /<circle /g)).toBe(8);
    expect(svg).toContain('best epoch 3');
  });

  it('survives no epochs, one epoch and diverged (NaN) losses', () => {
    checkSvg(lossCurveSvg([]));
    checkSvg(lossCurveSvg([{ epoch: 1, train_loss: 0.5, val_loss: 0.5 }], 1));
    const diverged = lossCurveSvg([...epochs, { epoch: 5, train_loss: NaN, val_loss: Infinity }]);
    checkSvg(diverged);
    expect(count(diverged, /<circle /g)).toBe(8);
  });
});
