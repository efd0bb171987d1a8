/**
 * The phase breakdown of a run as a horizontal bar chart (`plots/profile.svg`): one bar per phase, epochs
 * split into the training pass and the validation loss, so a slow phase stands out at a glance.
 */
import { scaleLinear } from 'd3-scale';
import { escapeXml, FONT, PALETTE, px } from '../evaluate/svg.js';

export interface ChartSegment {
  label: string;
  seconds: number;
}

export interface ChartBar {
  name: string;
  /** Drawn left to right; a segment's colour is that of its label in the legend. */
  segments: ChartSegment[];
}

const ROW = 18;
const LABEL_WIDTH = 170;
const WIDTH = 720;

/** A standalone SVG of `bars`; `total` (seconds) sets the percentages printed after each bar. */
export function phaseChartSvg(title: string, bars: readonly ChartBar[], total: number): string {
  const labels = [...new Set(bars.flatMap((bar) => bar.segments.map((s) => s.label)))];
  const color = (label: string): string => PALETTE[labels.indexOf(label) % PALETTE.length]!;
  const sums = bars.map((bar) => bar.segments.reduce((a, s) => a + s.seconds, 0));
  const left = LABEL_WIDTH + 12;
  const right = WIDTH - 110;
  const top = 48;
  const height = top + bars.length * ROW + 64;
  const x = scaleLinear()
    .domain([0, Math.max(1e-9, ...sums)])
    .range([left, right])
    .nice();
  const rows = bars.map((bar, i) => {
    const y = top + i * ROW;
    let at = 0;
    const rects = bar.segments.map((segment) => {
      const x0 = x(at);
      at += segment.seconds;
      return `<rect x="${px(x0)}" y="${px(y + 3)}" width="${px(Math.max(0.5, x(at) - x0))}" height="${ROW - 6}" fill="${color(segment.label)}"><title>${escapeXml(`${bar.name} — ${segment.label}: ${segment.seconds.toFixed(3)} s`)}</title></rect>`;
    });
    const share = total > 0 ? ` (${((100 * sums[i]!) / total).toFixed(1)}%)` : '';
    return (
      `<text x="${LABEL_WIDTH}" y="${px(y + ROW - 5)}" text-anchor="end">${escapeXml(bar.name)}</text>` +
      rects.join('') +
      `<text x="${px(x(sums[i]!) + 6)}" y="${px(y + ROW - 5)}" fill="#444">${sums[i]!.toFixed(2)} s${share}</text>`
    );
  });
  const axisY = top + bars.length * ROW + 4;
  const ticks = x
    .ticks(6)
    .map(
      (t) =>
        `<line x1="${px(x(t))}" y1="${px(top)}" x2="${px(x(t))}" y2="${px(axisY)}" stroke="#000" stroke-opacity="0.07"/>` +
        `<text x="${px(x(t))}" y="${px(axisY + 16)}" text-anchor="middle" fill="#333">${t}</text>`,
    );
  const legend = labels.map((label, i) => {
    const lx = left + i * 170;
    return `<rect x="${px(lx)}" y="${px(axisY + 34)}" width="14" height="10" fill="${color(label)}"/><text x="${px(lx + 20)}" y="${px(axisY + 43)}">${escapeXml(label)}</text>`;
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="${FONT}" font-size="11" role="img">` +
    `<title>${escapeXml(title)}</title><rect width="${WIDTH}" height="${height}" fill="#fff"/>` +
    `<text x="${WIDTH / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${escapeXml(title)}</text>` +
    ticks.join('') +
    `<line x1="${px(left)}" y1="${px(axisY)}" x2="${px(right)}" y2="${px(axisY)}" stroke="#333"/>` +
    `<text x="${px((left + right) / 2)}" y="${px(axisY + 28)}" text-anchor="middle" fill="#333">seconds</text>` +
    rows.join('') +
    legend.join('') +
    `</svg>\n`
  );
}
