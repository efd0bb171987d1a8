/**
 * One feature's reference-vs-current histogram as inline SVG: the two sides' bin shares as overlaid bars on
 * the shared bins. Text only, no DOM or scripts, so the page stays self-contained.
 */
import { escapeXml, FONT, PALETTE, px } from '../../evaluate/svg.js';
import type { FeatureDrift } from '../report-schema.js';

const WIDTH = 320;
const HEIGHT = 120;
const PAD = { left: 6, right: 6, top: 6, bottom: 18 };
export const REFERENCE_COLOR = PALETTE[0]!;
export const CURRENT_COLOR = PALETTE[3]!;

function compact(value: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 0.01 || abs >= 1e5)) return value.toExponential(1);
  return String(Math.round(value * 100) / 100);
}

export function histogramSvg(feature: FeatureDrift): string {
  const { edges, reference, current } = feature.histogram;
  const bins = reference.length;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const top = Math.max(...reference, ...current, 1e-12);
  const barWidth = plotWidth / bins;
  const bars: string[] = [];
  for (let k = 0; k < bins; k++) {
    const x = PAD.left + k * barWidth;
    for (const [share, color, offset] of [
      [reference[k]!, REFERENCE_COLOR, 0],
      [current[k]!, CURRENT_COLOR, 0.5],
    ] as const) {
      const h = (share / top) * plotHeight;
      bars.push(
        `<rect x="${px(x + offset * barWidth)}" y="${px(PAD.top + plotHeight - h)}" width="${px(barWidth / 2)}" ` +
          `height="${px(h)}" fill="${color}" fill-opacity="0.75"><title>${escapeXml(
            `${compact(edges[k]!)} … ${compact(edges[k + 1]!)}: ${(share * 100).toFixed(1)}%`,
          )}</title></rect>`,
      );
    }
  }
  const axisY = PAD.top + plotHeight;
  const label = (x: number, anchor: string, value: number, prefix: string) =>
    `<text x="${px(x)}" y="${HEIGHT - 4}" font-size="10" text-anchor="${anchor}" fill="#555">${escapeXml(prefix + compact(value))}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `font-family="${FONT}" role="img" aria-label="${escapeXml(`${feature.name}: reference vs current`)}">` +
    bars.join('') +
    `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${axisY}" y2="${axisY}" stroke="#999"/>` +
    // The end bins also hold the values beyond them (the 1% tails), hence ≤ and ≥.
    label(PAD.left, 'start', edges[0]!, '≤ ') +
    label(WIDTH - PAD.right, 'end', edges[edges.length - 1]!, '≥ ') +
    `</svg>`
  );
}
