/**
 * Evaluation charts as self-contained SVG strings: ROC, precision–recall, score histogram, loss curve.
 * d3 computes scales, ticks, bins and path strings; `svg.ts` assembles them. Every function accepts empty or
 * degenerate input (no points, one point, all-equal scores, zero frauds) and still returns a valid chart.
 */
import { bin, max as d3Max, min as d3Min } from 'd3-array';
import { scaleLinear, scaleLog, type ScaleLinear } from 'd3-scale';
import { area, curveStepAfter, line } from 'd3-shape';
import {
  PALETTE,
  clipDef,
  escapeXml,
  legendSvg,
  makeFrame,
  noteSvg,
  px,
  svgDocument,
  xAxisSvg,
  yAxisSvg,
  type Frame,
  type LegendEntry,
  type PlotOptions,
} from './svg.js';

export type { PlotOptions } from './svg.js';

export interface RocPoints {
  fpr: readonly number[];
  tpr: readonly number[];
}

export interface PrPoints {
  precision: readonly number[];
  recall: readonly number[];
}

export interface EpochLoss {
  epoch: number;
  train_loss: number;
  val_loss: number;
}

type Point = [number, number];

const CLIP_TOKEN = '__CLIP_ID__';

/** FNV-1a of the chart body: a deterministic clip-path id that differs between charts on one page. */
function clipId(kind: string, body: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < body.length; i++) hash = Math.imul(hash ^ body.charCodeAt(i), 0x01000193);
  return `cw-${kind}-${(hash >>> 0).toString(16)}`;
}

/** Finish a chart: clip the plotted marks to the plot area and wrap everything in the document. */
function finish(kind: string, frame: Frame, title: string, axes: string[], marks: string[], extra: string[]) {
  const body = `<g clip-path="url(#${CLIP_TOKEN})">${marks.join('')}</g>`;
  const id = clipId(kind, title + body);
  return svgDocument(frame, title, [clipDef(frame, id), ...axes, body.replace(CLIP_TOKEN, id), ...extra]);
}

function finitePoints(xs: readonly number[], ys: readonly number[]): Point[] {
  const points: Point[] = [];
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (Number.isFinite(x) && Number.isFinite(y)) points.push([x, y]);
  }
  return points;
}

/** Trapezoid area under points sorted by x (AUC of a ROC curve given only its points). */
function trapezoid(points: readonly Point[]): number {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let sum = 0;
  for (let i = 1; i < sorted.length; i++) {
    sum += (sorted[i]![0] - sorted[i - 1]![0]) * (sorted[i]![1] + sorted[i - 1]![1]) * 0.5;
  }
  return sum;
}

function unitTicks(scale: (v: number) => number): { at: number; label: string }[] {
  return [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => ({ at: scale(v), label: String(v) }));
}

function pathOf(points: readonly Point[], x: (v: number) => number, y: (v: number) => number, step = false) {
  const generator = line<Point>()
    .x((p) => x(p[0]))
    .y((p) => y(p[1]))
    .digits(2);
  if (step) generator.curve(curveStepAfter);
  return generator(points as Point[]) ?? '';
}

function dots(points: readonly Point[], x: (v: number) => number, y: (v: number) => number, color: string) {
  return points
    .map((p) => `<circle cx="${px(x(p[0]))}" cy="${px(y(p[1]))}" r="2.5" fill="${color}"/>`)
    .join('');
}

/**
 * ROC curves (false positive rate vs true positive rate) with the chance diagonal; the legend shows each
 * curve's AUC (`auc` if given, else the trapezoid area of the given points).
 */
export function rocCurveSvg(
  curves: readonly { label: string; roc: RocPoints; auc?: number }[],
  options: PlotOptions = {},
): string {
  const title = options.title ?? 'ROC curve';
  const prepared = curves.map((curve, i) => {
    const points = finitePoints(curve.roc.fpr, curve.roc.tpr);
    const auc = curve.auc ?? trapezoid(points);
    return { label: curve.label, points, auc, color: PALETTE[i % PALETTE.length]! };
  });
  const legend: LegendEntry[] = [
    ...prepared.map((c) => ({
      label: `${c.label} (AUC ${Number.isFinite(c.auc) ? c.auc.toFixed(3) : 'n/a'})`,
      color: c.color,
    })),
    { label: 'chance (AUC 0.5)', color: '#999', dash: '5 4' },
  ];
  const frame = makeFrame(options, legend);
  const x = scaleLinear().domain([0, 1]).range([frame.left, frame.right]);
  const y = scaleLinear().domain([0, 1]).range([frame.bottom, frame.top]);
  const marks = [
    `<line x1="${px(x(0))}" y1="${px(y(0))}" x2="${px(x(1))}" y2="${px(y(1))}" stroke="#999" stroke-dasharray="5 4"/>`,
    ...prepared.map((c) => curveMark(c.points, x, y, c.color, false)),
  ];
  return finishUnitPlot(
    'roc',
    frame,
    title,
    { x, y },
    ['False positive rate', 'True positive rate (recall)'],
    {
      marks,
      legend,
      empty: prepared.every((c) => c.points.length === 0),
    },
  );
}

/** One curve: a line through its points (steps for PR), or a dot when it is a single point. */
function curveMark(
  points: readonly Point[],
  x: ScaleLinear<number, number>,
  y: ScaleLinear<number, number>,
  color: string,
  steps: boolean,
): string {
  return points.length === 1
    ? dots(points, x, y, color)
    : `<path d="${pathOf(points, x, y, steps)}" fill="none" stroke="${color}" stroke-width="2"/>`;
}

/** Axes over [0, 1] with their titles, the legend, a note when no curve has points, and the SVG document. */
function finishUnitPlot(
  kind: string,
  frame: Frame,
  title: string,
  scales: { x: ScaleLinear<number, number>; y: ScaleLinear<number, number> },
  [xTitle, yTitle]: readonly [string, string],
  content: { marks: readonly string[]; legend: readonly LegendEntry[]; empty: boolean },
): string {
  const axes = [
    xAxisSvg(frame, { ticks: unitTicks(scales.x), title: xTitle }),
    yAxisSvg(frame, { ticks: unitTicks(scales.y), title: yTitle }),
  ];
  const extra = [legendSvg(frame, content.legend)];
  if (content.empty) extra.push(noteSvg(frame, 'no curve to show'));
  return finish(kind, frame, title, axes, [...content.marks], extra);
}

/** Average precision from PR points in sklearn order (recall decreasing): Σ (R_k − R_{k+1}) · P_k. */
function stepArea(points: readonly Point[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < points.length; i++) sum += (points[i]![0] - points[i + 1]![0]) * points[i]![1];
  return sum;
}

/**
 * Precision–recall curves drawn as steps (as average precision integrates them), each with its dashed
 * prevalence baseline (a random model's precision) when `baseline` is given. The legend shows AP (`ap` if
 * given, else the step area of the given points).
 */
export function prCurveSvg(
  curves: readonly { label: string; pr: PrPoints; baseline?: number; ap?: number }[],
  options: PlotOptions = {},
): string {
  const title = options.title ?? 'Precision–recall curve';
  const prepared = curves.map((curve, i) => {
    const points = finitePoints(curve.pr.recall, curve.pr.precision);
    return {
      label: curve.label,
      points,
      ap: curve.ap ?? stepArea(points),
      baseline: curve.baseline !== undefined && Number.isFinite(curve.baseline) ? curve.baseline : undefined,
      color: PALETTE[i % PALETTE.length]!,
    };
  });
  const legend: LegendEntry[] = [];
  for (const c of prepared) {
    legend.push({
      label: `${c.label} (AP ${Number.isFinite(c.ap) ? c.ap.toFixed(3) : 'n/a'})`,
      color: c.color,
    });
    if (c.baseline !== undefined) {
      legend.push({
        label: `${c.label} random (prevalence ${c.baseline.toPrecision(2)})`,
        color: c.color,
        dash: '5 4',
      });
    }
  }
  const frame = makeFrame(options, legend);
  const x = scaleLinear().domain([0, 1]).range([frame.left, frame.right]);
  const y = scaleLinear().domain([0, 1.02]).range([frame.bottom, frame.top]);
  const marks: string[] = [];
  for (const c of prepared) {
    if (c.baseline !== undefined) {
      marks.push(
        `<line x1="${px(x(0))}" y1="${px(y(c.baseline))}" x2="${px(x(1))}" y2="${px(y(c.baseline))}" stroke="${c.color}" stroke-opacity="0.8" stroke-dasharray="5 4"/>`,
      );
    }
    marks.push(curveMark(c.points, x, y, c.color, true));
  }
  return finishUnitPlot('pr', frame, title, { x, y }, ['Recall', 'Precision'], {
    marks,
    legend,
    empty: prepared.every((c) => c.points.length === 0),
  });
}

const HISTOGRAM_BINS = 50;

/** Log10 of each score, with scores <= 0 (and below the axis) clamped to the axis' lower end. */
function logScores(scores: Float32Array, floorLog: number): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    out[i] = s > 0 ? Math.max(Math.log10(s), floorLog) : floorLog;
  }
  return out;
}

/** Smallest positive and largest value across arrays (ignoring non-finite values). */
function positiveExtent(arrays: readonly Float32Array[], extra: number): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  const visit = (v: number) => {
    if (Number.isFinite(v) && v > 0) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  };
  for (const array of arrays) for (let i = 0; i < array.length; i++) visit(array[i]!);
  visit(extra);
  return lo === Infinity ? null : [lo, hi];
}

/**
 * Per-class score histograms on a log10 score axis (reconstruction errors are right-skewed), each class
 * normalised to its own total so the rare fraud class is as visible as the normal one, with the decision
 * threshold as a vertical line. Scores <= 0 are counted in the lowest bin.
 */
export function scoreHistogramSvg(
  input: { normal: Float32Array; fraud: Float32Array; threshold: number },
  options: PlotOptions = {},
): string {
  const title = options.title ?? 'Score distribution by class';
  const classes = [
    {
      label: `normal (n=${input.normal.length.toLocaleString('en-US')})`,
      scores: input.normal,
      color: PALETTE[0]!,
    },
    {
      label: `fraud (n=${input.fraud.length.toLocaleString('en-US')})`,
      scores: input.fraud,
      color: PALETTE[3]!,
    },
  ];
  const legend: LegendEntry[] = [
    ...classes.map((c) => ({ label: c.label, color: c.color, kind: 'box' as const })),
    { label: 'threshold', color: '#222', dash: '6 3' },
  ];
  const frame = makeFrame(options, legend);

  const extent = positiveExtent([input.normal, input.fraud], input.threshold);
  // Pad to at least one decade so all-equal scores still get a readable axis.
  let [loLog, hiLog] = extent === null ? [-3, 0] : [Math.log10(extent[0]), Math.log10(extent[1])];
  if (hiLog - loLog < 1) {
    const mid = (loLog + hiLog) / 2;
    loLog = mid - 0.5;
    hiLog = mid + 0.5;
  }
  const x = scaleLog()
    .domain([10 ** loLog, 10 ** hiLog])
    .range([frame.left, frame.right]);
  const xLog = scaleLinear().domain([loLog, hiLog]).range([frame.left, frame.right]);
  const edges = Array.from(
    { length: HISTOGRAM_BINS - 1 },
    (_, i) => loLog + ((i + 1) * (hiLog - loLog)) / HISTOGRAM_BINS,
  );
  const binner = bin().domain([loLog, hiLog]).thresholds(edges);

  const series = classes.map((c) => {
    const bins = binner(logScores(c.scores, loLog));
    const total = c.scores.length;
    return {
      ...c,
      shares: bins.map((b) => ({
        x0: b.x0 ?? loLog,
        x1: b.x1 ?? hiLog,
        share: total === 0 ? 0 : b.length / total,
      })),
    };
  });
  const top = d3Max(series.flatMap((s) => s.shares.map((b) => b.share))) ?? 0;
  const y = scaleLinear()
    .domain([0, top > 0 ? top * 1.08 : 1])
    .nice()
    .range([frame.bottom, frame.top]);

  const marks: string[] = [];
  for (const s of series) {
    if (s.scores.length === 0) continue;
    const last = s.shares[s.shares.length - 1]!;
    const points: Point[] = [...s.shares.map((b): Point => [b.x0, b.share]), [last.x1, last.share]];
    const path =
      area<Point>()
        .x((p) => xLog(p[0]))
        .y0(frame.bottom)
        .y1((p) => y(p[1]))
        .curve(curveStepAfter)
        .digits(2)(points) ?? '';
    marks.push(
      `<path d="${path}" fill="${s.color}" fill-opacity="0.35" stroke="${s.color}" stroke-width="1.5"/>`,
    );
  }
  const extra = [legendSvg(frame, legend)];
  if (Number.isFinite(input.threshold)) {
    const at =
      input.threshold > 0 ? Math.min(Math.max(x(input.threshold), frame.left), frame.right) : frame.left;
    marks.push(
      `<line x1="${px(at)}" y1="${px(frame.top)}" x2="${px(at)}" y2="${px(frame.bottom)}" stroke="#222" stroke-width="1.5" stroke-dasharray="6 3"/>`,
    );
    const anchor = at > (frame.left + frame.right) / 2 ? 'end' : 'start';
    const dx = anchor === 'end' ? -6 : 6;
    extra.push(
      `<text x="${px(at + dx)}" y="${px(frame.top + 14)}" text-anchor="${anchor}" font-size="11" fill="#222">${escapeXml(`threshold ${input.threshold.toPrecision(3)}`)}</text>`,
    );
  }
  if (input.normal.length === 0 && input.fraud.length === 0) extra.push(noteSvg(frame, 'no scores to show'));

  const format = x.tickFormat(8, '~g');
  const axes = [
    xAxisSvg(frame, {
      ticks: x.ticks(8).map((t) => ({ at: x(t), label: format(t) })),
      title: 'Score (reconstruction error, log scale)',
    }),
    yAxisSvg(frame, {
      ticks: y.ticks(5).map((t) => ({ at: y(t), label: y.tickFormat(5, '~%')(t) })),
      title: 'Share of class per bin',
    }),
  ];
  return finish('hist', frame, title, axes, marks, extra);
}

/**
 * Training and validation loss per epoch, with the best epoch (the one kept) marked. Non-finite losses
 * (a diverged epoch) are left as gaps rather than breaking the axis.
 */
export function lossCurveSvg(
  epochs: readonly EpochLoss[],
  bestEpoch?: number,
  options: PlotOptions = {},
): string {
  const title = options.title ?? 'Loss per epoch';
  const series = [
    { label: 'train loss', key: 'train_loss' as const, color: PALETTE[0]! },
    { label: 'validation loss', key: 'val_loss' as const, color: PALETTE[1]! },
  ];
  const legend: LegendEntry[] = series.map((s) => ({ label: s.label, color: s.color }));
  if (bestEpoch !== undefined && Number.isFinite(bestEpoch)) {
    legend.push({ label: `best epoch ${bestEpoch}`, color: '#2ca02c', dash: '6 3' });
  }
  const frame = makeFrame(options, legend);

  const valid = epochs.filter((e) => Number.isFinite(e.epoch));
  const losses = valid.flatMap((e) => [e.train_loss, e.val_loss]).filter((v) => Number.isFinite(v));
  let [x0, x1] = [d3Min(valid, (e) => e.epoch) ?? 0, d3Max(valid, (e) => e.epoch) ?? 1];
  // Half an epoch of room on each side so the first and last points sit off the axes.
  [x0, x1] = x1 - x0 < 1 ? [x0 - 1, x1 + 1] : [x0 - 0.5, x1 + 0.5];
  let [y0, y1] = [d3Min(losses) ?? 0, d3Max(losses) ?? 1];
  const pad = y1 > y0 ? (y1 - y0) * 0.05 : Math.max(Math.abs(y0) * 0.1, 1e-3);
  [y0, y1] = [y0 - pad, y1 + pad];
  const x = scaleLinear().domain([x0, x1]).range([frame.left, frame.right]);
  const y = scaleLinear().domain([y0, y1]).nice().range([frame.bottom, frame.top]);

  const marks: string[] = [];
  for (const s of series) {
    const points: Point[] = valid.map((e): Point => [e.epoch, e[s.key]]);
    const path =
      line<Point>()
        .defined((p) => Number.isFinite(p[1]))
        .x((p) => x(p[0]))
        .y((p) => y(p[1]))
        .digits(2)(points) ?? '';
    if (path !== '') marks.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    if (valid.length <= 60)
      marks.push(
        dots(
          points.filter((p) => Number.isFinite(p[1])),
          x,
          y,
          s.color,
        ),
      );
  }
  if (bestEpoch !== undefined && Number.isFinite(bestEpoch)) {
    marks.push(
      `<line x1="${px(x(bestEpoch))}" y1="${px(frame.top)}" x2="${px(x(bestEpoch))}" y2="${px(frame.bottom)}" stroke="#2ca02c" stroke-width="1.5" stroke-dasharray="6 3"/>`,
    );
  }
  const extra = [legendSvg(frame, legend)];
  if (valid.length === 0) extra.push(noteSvg(frame, 'no epochs to show'));

  const xTicks = x.ticks(Math.min(10, Math.max(1, Math.round(x1 - x0)))).filter((t) => Number.isInteger(t));
  const yFormat = y.tickFormat(6);
  const axes = [
    xAxisSvg(frame, { ticks: xTicks.map((t) => ({ at: x(t), label: String(t) })), title: 'Epoch' }),
    yAxisSvg(frame, { ticks: y.ticks(6).map((t) => ({ at: y(t), label: yFormat(t) })), title: 'Loss' }),
  ];
  return finish('loss', frame, title, axes, marks, extra);
}
