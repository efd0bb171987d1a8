/**
 * A prom-client histogram for the per-request series (request latency, prediction score): recording an
 * observation is a bucket search and three additions on a tally the caller keeps per label set.
 *
 * Why not prom-client's own `observe`: on every call it re-validates the labels, hashes them into a string and
 * keys its buckets by the bound converted to a string (~1.7 µs; 3.4 % of the request thread at ~14,000
 * requests/s, two observations per `POST /predict`). prom-client has no way to add counts in bulk, so the
 * counts live here and this class writes them out in prom-client's own value shape: the Registry formats and
 * serves them like any histogram's (`/metrics`, `getMetricsAsJSON`, `getSingleMetric(name).get()`), and a test
 * holds the exposition text to be exactly what prom-client's `Histogram` gives for the same observations.
 */
import {
  Histogram,
  type Aggregator,
  type HistogramConfiguration,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValueWithName,
} from 'prom-client';

/** The observations of one label set. */
export class HistogramTally {
  /** Observations per bucket (not cumulative); the last slot counts values above the largest bound. */
  private readonly perBucket: Float64Array;
  private total = 0;
  private observed = 0;

  constructor(
    readonly labels: Readonly<LabelValues<string>>,
    private readonly bounds: Float64Array,
  ) {
    this.perBucket = new Float64Array(bounds.length + 1);
  }

  /** Records one value (seconds, a score…); a non-finite value throws, as prom-client's does. */
  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket += 1;
    this.perBucket[bucket] = (this.perBucket[bucket] as number) + 1;
    this.total += value;
    this.observed += 1;
  }

  /** Back to no observations; the tally stays valid for whoever holds it. */
  clear(): void {
    this.perBucket.fill(0);
    this.total = 0;
    this.observed = 0;
  }

  get count(): number {
    return this.observed;
  }

  get sum(): number {
    return this.total;
  }

  /** Cumulative count of values ≤ bounds[i]. */
  cumulative(): number[] {
    const out: number[] = [];
    let running = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      running += this.perBucket[i] as number;
      out.push(running);
    }
    return out;
  }
}

/** One exported value as prom-client's Registry reads it (the series' labels are the shared ones). */
interface ExportedValue {
  readonly labels: Record<string, string | number>;
  readonly sharedLabels: Readonly<LabelValues<string>>;
  readonly value: number;
  readonly metricName: string;
  readonly exemplar?: null;
}

export type TalliedHistogramConfiguration<T extends string> = Omit<
  HistogramConfiguration<T>,
  'collect' | 'enableExemplars' | 'buckets'
> & { readonly buckets: readonly number[] };

/**
 * A histogram recorded through {@link TalliedHistogram.tally}; registered and exported like prom-client's.
 * @example
 * const latency = new TalliedHistogram({ name: 'x_seconds', help: '…', labelNames: ['route'], buckets: [0.01, 0.1], registers: [registry] });
 * const predict = latency.tally({ route: '/predict' }); // keep it: one per label set
 * predict.observe(0.004);
 */
export class TalliedHistogram<T extends string = string> extends Histogram<T> {
  private readonly bounds: Float64Array;
  private readonly tallies = new Map<string, HistogramTally>();
  private readonly names: readonly T[];
  private readonly seriesName: string;
  private readonly seriesHelp: string;
  private readonly seriesAggregator: Aggregator;

  constructor(config: TalliedHistogramConfiguration<T>) {
    const bounds = [...config.buckets];
    for (let i = 1; i < bounds.length; i++) {
      if (!((bounds[i] as number) > (bounds[i - 1] as number)))
        throw new Error(`${config.name}: buckets must increase, got ${bounds.join(', ')}`);
    }
    super({ ...config, buckets: bounds });
    this.bounds = Float64Array.from(bounds);
    this.names = config.labelNames ?? [];
    this.seriesName = config.name;
    this.seriesHelp = config.help;
    this.seriesAggregator = config.aggregator ?? 'sum';
    // prom-client's own recording methods would write counts this class never exports: refuse them loudly.
    const refuse = (): never => {
      throw new Error(`${config.name}: record through tally(labels).observe(value)`);
    };
    Object.assign(this, { observe: refuse, labels: refuse, zero: refuse, startTimer: refuse });
  }

  /** The tally of one label set (every label name given), made on first use; keep it instead of asking again. */
  tally(labels: Readonly<Record<T, string | number>>): HistogramTally {
    for (const name of Object.keys(labels)) {
      if (!(this.names as readonly string[]).includes(name))
        throw new Error(`${this.seriesName}: unknown label ${JSON.stringify(name)}`);
    }
    const key = JSON.stringify(this.names.map((name) => String(labels[name])));
    let tally = this.tallies.get(key);
    if (tally === undefined) {
      const own: Record<string, string | number> = {};
      for (const name of this.names) own[name] = labels[name];
      tally = new HistogramTally(Object.freeze(own), this.bounds);
      this.tallies.set(key, tally);
    }
    return tally;
  }

  /** What the Registry formats for `/metrics`: prom-client's value layout (bucket labels apart from the series'). */
  async getForPromString() {
    const metricBucket = `${this.seriesName}_bucket`;
    const values: ExportedValue[] = [];
    for (const tally of this.tallies.values()) {
      const shared = tally.labels;
      tally.cumulative().forEach((count, i) => {
        values.push({
          labels: { le: this.bounds[i] as number },
          sharedLabels: shared,
          value: count,
          metricName: metricBucket,
          exemplar: null,
        });
      });
      values.push(
        {
          labels: { le: '+Inf' },
          sharedLabels: shared,
          value: tally.count,
          metricName: metricBucket,
          exemplar: null,
        },
        { labels: {}, sharedLabels: shared, value: tally.sum, metricName: `${this.seriesName}_sum` },
        { labels: {}, sharedLabels: shared, value: tally.count, metricName: `${this.seriesName}_count` },
      );
    }
    return {
      name: this.seriesName,
      help: this.seriesHelp,
      type: 'histogram' as const,
      values,
      aggregator: this.seriesAggregator,
    };
  }

  /** The values with each series' labels merged in, as `registry.getMetricsAsJSON()` and summaries read them. */
  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    const data = await this.getForPromString();
    const read = {
      ...data,
      values: data.values.map(({ labels, sharedLabels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels } as LabelValues<T>,
      })),
    };
    // prom-client's typings name `type` an enum and require `collect`; at run time its own histograms return the
    // string 'histogram' and no collect, exactly as here.
    return read as unknown as MetricObjectWithValues<MetricValueWithName<T>>;
  }

  /**
   * Zeroes every series. Unlike prom-client's `reset` the series stay (at 0): callers keep their tallies, and an
   * observation after a reset must still be exported.
   */
  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields exist.
    const tallies = this.tallies as Map<string, HistogramTally> | undefined;
    if (tallies === undefined) return;
    for (const tally of tallies.values()) tally.clear();
  }
}
