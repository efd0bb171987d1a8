import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TalliedHistogram } from './tallied-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const LABELS = ['method', 'route', 'status_code'] as const;

/** A seeded stream of values spread over (and beyond) the buckets, with exact bucket bounds among them. */
function values(count: number, seed: number): number[] {
  let state = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const u = state / 2_147_483_648;
    out.push(i % 7 === 0 ? (BUCKETS[i % BUCKETS.length] as number) : Math.exp(u * 12 - 9));
  }
  return out;
}

const SERIES = [
  { method: 'POST', route: '/predict', status_code: '200' },
  { method: 'GET', route: '/', status_code: '200' },
  { method: 'POST', route: '/predict', status_code: '400' },
];

function pair() {
  const theirs = new Registry();
  const ours = new Registry();
  const config = {
    name: 'x_seconds',
    help: 'Latency "of" requests\\n',
    labelNames: LABELS,
    buckets: BUCKETS,
  };
  const reference = new Histogram({ ...config, registers: [theirs] });
  const tallied = new TalliedHistogram({ ...config, registers: [ours] });
  return { theirs, ours, reference, tallied };
}

describe('TalliedHistogram', () => {
  it('exports exactly what prom-client’s Histogram exports for the same observations', async () => {
    const { theirs, ours, reference, tallied } = pair();
    const tallies = SERIES.map((labels) => tallied.tally(labels));
    values(5_000, 7).forEach((value, i) => {
      const k = i % SERIES.length;
      reference.observe(SERIES[k] as (typeof SERIES)[number], value);
      tallies[k]?.observe(value);
    });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    expect(await tallied.get()).toEqual(await reference.get());
    expect(await ours.metrics()).toContain(
      'x_seconds_count{method="POST",route="/predict",status_code="200"} 1667',
    );
  });

  it('hands out one tally per label set, whatever the key order', () => {
    const { tallied } = pair();
    const a = tallied.tally({ method: 'GET', route: '/', status_code: 200 });
    const b = tallied.tally({ status_code: '200', route: '/', method: 'GET' });
    expect(b).toBe(a);
    expect(tallied.tally({ method: 'GET', route: '/', status_code: 404 })).not.toBe(a);
  });

  it('refuses what prom-client would refuse, and its own recording methods', () => {
    const { tallied } = pair();
    const tally = tallied.tally({ method: 'GET', route: '/', status_code: 200 });
    expect(() => tally.observe(Number.NaN)).toThrow(/not a valid number/);
    expect(() => tally.observe(Number.POSITIVE_INFINITY)).toThrow(/not a valid number/);
    expect(() =>
      tallied.tally({ method: 'GET', route: '/', status_code: 200, extra: 1 } as unknown as Record<
        (typeof LABELS)[number],
        string
      >),
    ).toThrow(/unknown label "extra"/);
    expect(() => tallied.observe(1)).toThrow(/tally\(labels\)\.observe/);
    expect(() => tallied.labels({ method: 'GET' })).toThrow(/tally\(labels\)\.observe/);
    expect(() => new TalliedHistogram({ name: 'bad', help: 'h', buckets: [1, 1, 2], registers: [] })).toThrow(
      /buckets must increase/,
    );
  });

  it('counts a value above the largest bound in +Inf only, and keeps held tallies working after a reset', async () => {
    const { ours, tallied } = pair();
    const tally = tallied.tally({ method: 'GET', route: '/', status_code: 200 });
    tally.observe(50);
    let text = await ours.metrics();
    expect(text).toContain('x_seconds_bucket{le="10",method="GET",route="/",status_code="200"} 0');
    expect(text).toContain('x_seconds_bucket{le="+Inf",method="GET",route="/",status_code="200"} 1');
    expect(text).toContain('x_seconds_sum{method="GET",route="/",status_code="200"} 50');
    tallied.reset();
    tally.observe(0.003);
    text = await ours.metrics();
    expect(text).toContain('x_seconds_bucket{le="0.005",method="GET",route="/",status_code="200"} 1');
    expect(text).toContain('x_seconds_count{method="GET",route="/",status_code="200"} 1');
    expect(text).toContain('x_seconds_sum{method="GET",route="/",status_code="200"} 0.003');
  });
});
