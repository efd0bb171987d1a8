/**
 * uPlot wrappers: line charts (curves over a shared x) and bar charts (categories), sized to their container
 * and resized with it. Every chart sits in a <figure> with a text summary for screen readers, since a canvas
 * says nothing by itself.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';

export const COLORS = {
  blue: '#1d4ed8',
  orange: '#c2410c',
  red: '#b91c1c',
  green: '#15803d',
  purple: '#7e22ce',
  gray: '#4b5563',
} as const;

export interface LineSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly dash?: number[];
  /** Draw points as well as the line (sparse data). */
  readonly points?: boolean;
}

export interface Chart {
  /** The figure to put in the page. */
  readonly element: HTMLElement;
  /** Replaces the data (same series). */
  setData(x: readonly number[], series: readonly (readonly (number | null)[])[]): void;
  destroy(): void;
}

interface ChartFrame {
  readonly title: string;
  /** What the chart shows, in words (read by screen readers instead of the canvas). */
  readonly summary: string;
  readonly height?: number;
}

function figure(frame: ChartFrame): { element: HTMLElement; plot: HTMLElement } {
  const plot = h('div', { class: 'chart-plot' });
  const element = h(
    'figure',
    { class: 'chart', role: 'group', 'aria-label': `${frame.title}. ${frame.summary}` },
    h('figcaption', {}, frame.title),
    plot,
  );
  return { element, plot };
}

/** Builds the plot once the figure has a width, and keeps it sized to the figure. */
function mount(
  plot: HTMLElement,
  height: number,
  make: (width: number) => uPlot,
): { get(): uPlot | null; stop(): void } {
  let chart: uPlot | null = null;
  const observer = new ResizeObserver(() => {
    const width = Math.floor(plot.clientWidth);
    if (width <= 0) return;
    if (chart === null) chart = make(width);
    else if (Math.abs(chart.width - width) > 1) chart.setSize({ width, height });
  });
  observer.observe(plot);
  return {
    get: () => chart,
    stop: () => {
      observer.disconnect();
      chart?.destroy();
    },
  };
}

const AXIS = {
  stroke: '#374151',
  grid: { stroke: '#e5e7eb', width: 1 },
  ticks: { stroke: '#d1d5db', width: 1 },
};

export interface LineChartOptions extends ChartFrame {
  readonly x: readonly number[];
  readonly series: readonly LineSeries[];
  readonly xLabel: string;
  readonly yLabel: string;
  /** x values are Unix seconds (a live time axis). */
  readonly time?: boolean;
  readonly xRange?: [number, number];
  readonly yRange?: [number, number];
  /** x takes whole numbers only (epochs): ticks at integers. */
  readonly xIntegers?: boolean;
}

/** Clock time for a live axis: `14:03:27`, not uPlot's default `:27.000`. */
function clockLabels(_u: uPlot, splits: number[]): string[] {
  return splits.map((s) =>
    new Date(s * 1000).toLocaleTimeString([], {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }),
  );
}

/** A line chart of one or more series over a shared, ascending x; null values are gaps that lines span. */
export function lineChart(options: LineChartOptions): Chart {
  const { element, plot } = figure(options);
  const height = options.height ?? 220;
  let data: uPlot.AlignedData = [
    options.x as number[],
    ...options.series.map((s) => s.values as (number | null)[]),
  ];
  const handle = mount(
    plot,
    height,
    (width) =>
      new uPlot(
        {
          width,
          height,
          scales: {
            x: { time: options.time ?? false, ...(options.xRange ? { range: options.xRange } : {}) },
            y: options.yRange ? { range: options.yRange } : {},
          },
          axes: [
            {
              ...AXIS,
              label: options.xLabel,
              // Clock labels are wide: keep 80 px between ticks so they never overlap.
              ...(options.time ? { values: clockLabels, space: 80 } : {}),
              ...(options.xIntegers ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] } : {}),
            },
            { ...AXIS, label: options.yLabel, size: 60 },
          ],
          series: [
            { label: options.xLabel },
            ...options.series.map((s) => ({
              label: s.label,
              stroke: s.color,
              width: 2,
              spanGaps: true,
              ...(s.dash ? { dash: s.dash } : {}),
              points: { show: s.points ?? false, size: 5 },
            })),
          ],
          legend: { live: false },
          cursor: { drag: { x: false, y: false } },
        },
        data,
        plot,
      ),
  );
  return {
    element,
    setData(x, series) {
      data = [x as number[], ...series.map((values) => values as (number | null)[])];
      handle.get()?.setData(data);
    },
    destroy: handle.stop,
  };
}

export interface BarChartOptions extends ChartFrame {
  readonly labels: readonly string[];
  readonly values: readonly number[];
  readonly color: string;
  readonly yLabel: string;
  /** Tilt the category labels when they are long. */
  readonly longLabels?: boolean;
}

export interface BarChart {
  readonly element: HTMLElement;
  setBars(labels: readonly string[], values: readonly number[]): void;
  destroy(): void;
}

/** Vertical bars over categories (feature names, histogram bins). */
export function barChart(options: BarChartOptions): BarChart {
  const { element, plot } = figure(options);
  const height = options.height ?? 220;
  let labels = [...options.labels];
  const indices = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  let data: uPlot.AlignedData = [indices(labels.length), [...options.values]];
  const bars = uPlot.paths.bars?.({ size: [0.7, 64], align: 0 });
  const handle = mount(
    plot,
    height,
    (width) =>
      new uPlot(
        {
          width,
          height,
          scales: {
            x: { time: false, range: () => [-0.5, Math.max(labels.length, 1) - 0.5] },
            y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
          },
          axes: [
            {
              ...AXIS,
              splits: () => indices(labels.length),
              values: (_u, splits) => splits.map((i) => labels[i] ?? ''),
              ...(options.longLabels ? { rotate: -40, size: 70 } : {}),
              grid: { show: false },
            },
            { ...AXIS, label: options.yLabel, size: 60 },
          ],
          series: [
            {},
            {
              label: options.yLabel,
              stroke: options.color,
              fill: `${options.color}cc`,
              ...(bars ? { paths: bars } : {}),
              points: { show: false },
            },
          ],
          legend: { show: false },
          cursor: { show: false },
        },
        data,
        plot,
      ),
  );
  return {
    element,
    setBars(nextLabels, values) {
      labels = [...nextLabels];
      data = [indices(labels.length), [...values]];
      handle.get()?.setData(data);
    },
    destroy: handle.stop,
  };
}
