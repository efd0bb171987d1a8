/**
 * A few helpers for writing self-contained SVG charts as text: frame, axes, legend, escaping. d3 supplies
 * scales, ticks and path strings; this file only assembles elements, so charts render anywhere (files,
 * the web app, a report) without a DOM, external fonts or scripts.
 */

export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];
export const FONT = 'Helvetica, Arial, sans-serif';

/** Escape text for use in SVG element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate rounded to 0.01 px (keeps files small; a non-finite value would be a bug, so it shows as 0). */
export function px(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : '0';
}

export interface PlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

export interface Frame {
  width: number;
  height: number;
  /** The plot area, in SVG coordinates. */
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface LegendEntry {
  label: string;
  color: string;
  dash?: string;
  /** 'box' for filled areas (histogram classes), 'line' otherwise. */
  kind?: 'line' | 'box';
}

const LEGEND_ROW = 18;
const CHAR_WIDTH = 6.6; // average glyph width of a 12px sans-serif font, for laying out legend items

/** Lay legend entries out in rows that fit `width`; returns each entry's offset. */
function legendLayout(entries: readonly LegendEntry[], width: number): { x: number; row: number }[] {
  const placed: { x: number; row: number }[] = [];
  let x = 0;
  let row = 0;
  for (const entry of entries) {
    const itemWidth = 30 + entry.label.length * CHAR_WIDTH + 18;
    if (x > 0 && x + itemWidth > width) {
      x = 0;
      row++;
    }
    placed.push({ x, row });
    x += itemWidth;
  }
  return placed;
}

/**
 * The plot area for a chart of the given size, leaving room for the title, axis labels and a legend
 * strip under the x axis (below the plot, so it never hides a curve).
 */
export function makeFrame(options: PlotOptions, legend: readonly LegendEntry[]): Frame {
  const width = options.width ?? 640;
  const height = options.height ?? 440;
  const left = 64;
  const right = width - 24;
  const layout = legendLayout(legend, right - left);
  const legendRows = legend.length === 0 ? 0 : layout[layout.length - 1]!.row + 1;
  return { width, height, left, top: 44, right, bottom: height - 60 - legendRows * LEGEND_ROW };
}

export function legendSvg(frame: Frame, entries: readonly LegendEntry[]): string {
  if (entries.length === 0) return '';
  const layout = legendLayout(entries, frame.right - frame.left);
  const top = frame.bottom + 56;
  const items = entries.map((entry, i) => {
    const { x, row } = layout[i]!;
    const ox = frame.left + x;
    const oy = top + row * LEGEND_ROW;
    const swatch =
      entry.kind === 'box'
        ? `<rect x="${px(ox)}" y="${px(oy - 6)}" width="24" height="10" fill="${entry.color}" fill-opacity="0.35" stroke="${entry.color}"/>`
        : `<line x1="${px(ox)}" y1="${px(oy - 1)}" x2="${px(ox + 24)}" y2="${px(oy - 1)}" stroke="${entry.color}" stroke-width="2"${entry.dash === undefined ? '' : ` stroke-dasharray="${entry.dash}"`}/>`;
    return `${swatch}<text x="${px(ox + 30)}" y="${px(oy + 3)}">${escapeXml(entry.label)}</text>`;
  });
  return `<g class="legend" font-size="12">${items.join('')}</g>`;
}

export interface AxisSpec {
  /** Tick positions in SVG coordinates with their labels ('' for an unlabelled minor tick). */
  ticks: { at: number; label: string }[];
  title: string;
}

export function xAxisSvg(frame: Frame, axis: AxisSpec): string {
  const y = frame.bottom;
  const ticks = axis.ticks
    .map(
      (tick) =>
        `<line x1="${px(tick.at)}" y1="${px(y)}" x2="${px(tick.at)}" y2="${px(y + (tick.label === '' ? 3 : 5))}" stroke="#333"/>` +
        (tick.label === ''
          ? ''
          : `<text x="${px(tick.at)}" y="${px(y + 18)}" text-anchor="middle">${escapeXml(tick.label)}</text>`),
    )
    .join('');
  return (
    `<g class="x-axis" font-size="11" fill="#333">` +
    `<line x1="${px(frame.left)}" y1="${px(y)}" x2="${px(frame.right)}" y2="${px(y)}" stroke="#333"/>${ticks}` +
    `<text x="${px((frame.left + frame.right) / 2)}" y="${px(y + 36)}" text-anchor="middle" font-size="12">${escapeXml(axis.title)}</text></g>`
  );
}

export function yAxisSvg(frame: Frame, axis: AxisSpec): string {
  const x = frame.left;
  const ticks = axis.ticks
    .map(
      (tick) =>
        `<line x1="${px(x - 5)}" y1="${px(tick.at)}" x2="${px(x)}" y2="${px(tick.at)}" stroke="#333"/>` +
        `<line x1="${px(x)}" y1="${px(tick.at)}" x2="${px(frame.right)}" y2="${px(tick.at)}" stroke="#000" stroke-opacity="0.07"/>` +
        `<text x="${px(x - 8)}" y="${px(tick.at + 4)}" text-anchor="end">${escapeXml(tick.label)}</text>`,
    )
    .join('');
  const midY = (frame.top + frame.bottom) / 2;
  return (
    `<g class="y-axis" font-size="11" fill="#333">` +
    `<line x1="${px(x)}" y1="${px(frame.top)}" x2="${px(x)}" y2="${px(frame.bottom)}" stroke="#333"/>${ticks}` +
    `<text transform="translate(${px(x - 48)},${px(midY)}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(axis.title)}</text></g>`
  );
}

/** A centred grey note in the plot area (for empty inputs). */
export function noteSvg(frame: Frame, text: string): string {
  return `<text x="${px((frame.left + frame.right) / 2)}" y="${px((frame.top + frame.bottom) / 2)}" text-anchor="middle" font-size="14" fill="#888" stroke="#fff" stroke-width="4" paint-order="stroke">${escapeXml(text)}</text>`;
}

/** Wrap chart parts in a standalone `<svg>` document with a white background and a title. */
export function svgDocument(frame: Frame, title: string, parts: readonly string[]): string {
  const safeTitle = escapeXml(title);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" font-family="${FONT}" role="img">` +
    `<title>${safeTitle}</title>` +
    `<rect width="${frame.width}" height="${frame.height}" fill="#fff"/>` +
    `<text x="${px(frame.width / 2)}" y="26" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${safeTitle}</text>` +
    parts.join('') +
    `</svg>\n`
  );
}

/** A clip path for the plot area, so curves never draw over the axes. */
export function clipDef(frame: Frame, id: string): string {
  return `<defs><clipPath id="${id}"><rect x="${px(frame.left)}" y="${px(frame.top)}" width="${px(frame.right - frame.left)}" height="${px(frame.bottom - frame.top)}"/></clipPath></defs>`;
}
