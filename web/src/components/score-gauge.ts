/**
 * Score vs threshold as a horizontal gauge (SVG): the low / moderate / high zones (the API's risk levels:
 * below half the threshold, up to it, above it), the threshold line and the score marker. The axis is
 * log(1 + score/threshold), so a score a hundred times the threshold and one just below it both read clearly.
 */
import { num } from '../format.js';

const SVG = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Position (0..1) of a value on the gauge whose right end is `max`. */
export function gaugePosition(value: number, threshold: number, max: number): number {
  if (threshold <= 0) return Math.min(1, Math.max(0, value / max));
  return Math.min(1, Math.max(0, Math.log1p(value / threshold) / Math.log1p(max / threshold)));
}

export function scoreGauge(score: number, threshold: number): SVGSVGElement {
  const max = Math.max(score, threshold) * 1.3;
  const width = 560;
  const left = 10;
  const span = width - 2 * left;
  const x = (value: number): number => left + span * gaugePosition(value, threshold, max);
  const svg = el('svg', {
    viewBox: `0 0 ${width} 74`,
    class: 'gauge',
    role: 'img',
    'aria-label': `Score ${num(score)} against threshold ${num(threshold)}: ${score > threshold ? 'above' : 'at or below'} the threshold`,
  }) as SVGSVGElement;
  const zones: [number, number, string, string][] = [
    [0, threshold / 2, 'zone-low', 'low'],
    [threshold / 2, threshold, 'zone-moderate', 'moderate'],
    [threshold, max, 'zone-high', 'high'],
  ];
  for (const [from, to, cls, label] of zones) {
    const x0 = x(from);
    const x1 = x(to);
    svg.append(el('rect', { x: x0, y: 22, width: Math.max(0, x1 - x0), height: 16, class: cls }));
    if (x1 - x0 > 44) svg.append(el('text', { x: (x0 + x1) / 2, y: 34, class: 'zone-label' }, label));
  }
  const t = x(threshold);
  svg.append(el('line', { x1: t, x2: t, y1: 16, y2: 44, class: 'gauge-threshold' }));
  svg.append(
    el(
      'text',
      { x: t, y: 58, class: 'gauge-caption', 'text-anchor': t > width - 90 ? 'end' : 'middle' },
      `threshold ${num(threshold)}`,
    ),
  );
  const s = x(score);
  svg.append(el('path', { d: `M${s - 7},4 L${s + 7},4 L${s},18 Z`, class: 'gauge-marker' }));
  svg.append(
    el(
      'text',
      {
        x: s,
        y: 72,
        class: 'gauge-caption gauge-score',
        'text-anchor': s > width - 90 ? 'end' : s < 90 ? 'start' : 'middle',
      },
      `score ${num(score)}`,
    ),
  );
  return svg;
}
