import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../util/prng.js';
import { KAGGLE_COLUMNS, KAGGLE_FRAUDS, KAGGLE_ROWS } from './columns.js';
import { CsvBytes } from './csv-bytes.js';
import { parseKaggleCsv } from './csv-parse.js';
import { drawTransaction, fraudCount, TIME_MAX } from './synthetic-model.js';
import { generateSyntheticCsv, writeSyntheticCsv } from './synthetic.js';
import type { Dataset } from './types.js';

/** Overall std of V1..V28 in the real data. */
const TARGET_STD = [
  1.96, 1.65, 1.52, 1.42, 1.38, 1.33, 1.24, 1.19, 1.1, 1.09, 1.02, 1.0, 1.0, 0.96, 0.92, 0.88, 0.85, 0.84,
  0.81, 0.77, 0.73, 0.73, 0.62, 0.61, 0.52, 0.48, 0.4, 0.33,
];
/** Published fraud means of the shifted columns (V index → mean). */
const FRAUD_MEANS: Record<number, number> = {
  1: -4.8,
  2: 3.6,
  3: -7.0,
  4: 4.5,
  5: -3.2,
  7: -5.6,
  9: -2.6,
  10: -5.7,
  11: 3.8,
  12: -6.3,
  14: -7.0,
  16: -4.1,
  17: -6.7,
  18: -2.2,
};

function moments(values: ArrayLike<number>): { mean: number; std: number; kurtosis: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    m2 += d * d;
    m4 += d ** 4;
  }
  m2 /= values.length;
  m4 /= values.length;
  return { mean, std: Math.sqrt(m2), kurtosis: m4 / (m2 * m2) - 3 };
}

function column(dataset: Dataset, name: string): Float64Array {
  const c = dataset.columns.indexOf(name);
  return Float64Array.from({ length: dataset.rows }, (_, r) => dataset.x[r * 30 + c]!);
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length >> 1]!;
}

describe('generateSyntheticCsv', () => {
  const rows = 20_000;
  let text = '';
  let dataset: Dataset;
  beforeAll(() => {
    text = generateSyntheticCsv({ rows, seed: 42 });
    dataset = parseKaggleCsv(text).dataset;
  });

  it('writes the exact Kaggle schema, unquoted, one line per row', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe(KAGGLE_COLUMNS.join(','));
    expect(lines).toHaveLength(rows + 2);
    expect(lines.at(-1)).toBe('');
    expect(lines[1]).toMatch(/^0,(-?\d+(\.\d+)?,){29}[01]$/);
    expect(dataset.rows).toBe(rows);
  });

  it('writes V values compactly (at most 7 significant digits) and amounts in cents', () => {
    for (const line of text.split('\n').slice(1, 200)) {
      const fields = line.split(',');
      for (const field of fields.slice(1, 29))
        expect(field.replace(/^-?0?\.?0*|\./g, '').length).toBeLessThanOrEqual(7);
      expect(fields[29]).toMatch(/^\d+(\.\d{1,2})?$/);
    }
  });

  it('has the published fraud share: 492 at full size, proportional otherwise', () => {
    expect(fraudCount(KAGGLE_ROWS)).toBe(KAGGLE_FRAUDS);
    expect(fraudCount(600)).toBe(1);
    expect(fraudCount(100)).toBe(0);
    const frauds = dataset.y!.reduce((sum, label) => sum + label, 0);
    expect(frauds).toBe(fraudCount(rows));
    expect(frauds).toBe(35);
  });

  it('matches the published means and stds of V1..V28', () => {
    for (let j = 0; j < 28; j++) {
      const { mean, std, kurtosis } = moments(column(dataset, `V${j + 1}`));
      expect(Math.abs(mean), `V${j + 1} mean`).toBeLessThan(0.1 * TARGET_STD[j]!);
      // A few wide draws carry much of a heavy-tailed column's variance, so its std is noisier at 20k rows.
      const tolerance = kurtosis > 30 ? 0.25 : 0.1;
      expect(Math.abs(std / TARGET_STD[j]! - 1), `V${j + 1} std ${std}`).toBeLessThan(tolerance);
    }
  });

  it('has heavy tails where the real data does', () => {
    for (const name of ['V5', 'V7', 'V20', 'V23', 'V28']) {
      expect(moments(column(dataset, name)).kurtosis, name).toBeGreaterThan(10);
    }
    // and near-normal columns stay near normal
    expect(Math.abs(moments(column(dataset, 'V13')).kurtosis)).toBeLessThan(1);
  });

  it('has right-skewed amounts: mean ≈ 88, median ≈ 22, max ≤ 25,691.16, cents', () => {
    const amount = column(dataset, 'Amount');
    const { mean } = moments(amount);
    expect(mean).toBeGreaterThan(70);
    expect(mean).toBeLessThan(110);
    expect(median(amount)).toBeGreaterThan(18);
    expect(median(amount)).toBeLessThan(27);
    expect(Math.max(...amount)).toBeLessThanOrEqual(Math.fround(25691.16));
    expect(Math.min(...amount)).toBe(0);
  });

  it('has integer times from 0 to 172,792, ascending, with fewer transactions at night', () => {
    const time = column(dataset, 'Time');
    expect(time[0]).toBe(0);
    expect(time[rows - 1]).toBe(TIME_MAX);
    const perHour = new Array<number>(24).fill(0);
    for (let r = 0; r < rows; r++) {
      expect(Number.isInteger(time[r])).toBe(true);
      if (r > 0 && time[r]! < time[r - 1]!) expect.fail(`row ${r}: time goes back`);
      perHour[Math.floor(time[r]! / 3600) % 24]!++;
    }
    // 3–5 am against noon–2 pm.
    expect(perHour[3]! + perHour[4]!).toBeLessThan(0.3 * (perHour[12]! + perHour[13]!));
  });

  it('is seeded: byte-identical for the same arguments, different for another seed', () => {
    const a = generateSyntheticCsv({ rows: 3000, seed: 7 });
    expect(generateSyntheticCsv({ rows: 3000, seed: 7 })).toBe(a);
    const b = generateSyntheticCsv({ rows: 3000, seed: 8 });
    expect(b).not.toBe(a);
    expect(b.split('\n')[0]).toBe(a.split('\n')[0]);
    // A prefix is not simply the smaller table: the row count shapes times and fraud positions.
    expect(generateSyntheticCsv({ rows: 10, seed: 7 }).split('\n')).toHaveLength(12);
  });

  it('writes only the header for zero rows and refuses nonsense sizes', () => {
    expect(generateSyntheticCsv({ rows: 0, seed: 1 })).toBe(`${KAGGLE_COLUMNS.join(',')}\n`);
    expect(() => generateSyntheticCsv({ rows: -1, seed: 1 })).toThrow(/rows must be an integer/);
    expect(() => generateSyntheticCsv({ rows: 1.5, seed: 1 })).toThrow(/rows must be an integer/);
  });
});

describe('drawTransaction', () => {
  it('gives the published overall stds on a large sample (both classes at the real fraud rate)', () => {
    const prng = new Prng(17);
    const draws = 200_000;
    const values = Array.from({ length: 28 }, () => new Float64Array(draws));
    const out = new Float64Array(29);
    for (let i = 0; i < draws; i++) {
      drawTransaction(prng, prng.next() < KAGGLE_FRAUDS / KAGGLE_ROWS, out);
      for (let j = 0; j < 28; j++) values[j]![i] = out[j]!;
    }
    for (let j = 0; j < 28; j++) {
      const { mean, std } = moments(values[j]!);
      expect(Math.abs(mean), `V${j + 1} mean`).toBeLessThan(0.03 * TARGET_STD[j]!);
      expect(Math.abs(std / TARGET_STD[j]! - 1), `V${j + 1} std ${std}`).toBeLessThan(0.06);
    }
  });
});

describe('drawTransaction (the fraud model)', () => {
  const draws = 20_000;
  const frauds: Float64Array[] = [];
  beforeAll(() => {
    const prng = new Prng(9);
    for (let i = 0; i < draws; i++) {
      const out = new Float64Array(29);
      drawTransaction(prng, true, out);
      frauds.push(out);
    }
  });
  const of = (j: number) => Float64Array.from(frauds, (row) => row[j]!);

  it('shifts fraud means as published, with much wider spread', () => {
    for (const [v, mean] of Object.entries(FRAUD_MEANS)) {
      const m = moments(of(Number(v) - 1));
      expect(Math.abs(m.mean - mean), `V${v} mean ${m.mean}`).toBeLessThan(0.1 * Math.abs(mean) + 0.1);
      expect(m.std, `V${v} std`).toBeGreaterThan(1.8);
      expect(m.std, `V${v} std`).toBeLessThan(8);
    }
  });

  it('correlates fraud columns and leaves some frauds looking normal', () => {
    const v14 = of(13);
    const v17 = of(16);
    const a = moments(v14);
    const b = moments(v17);
    let covariance = 0;
    for (let i = 0; i < draws; i++) covariance += (v14[i]! - a.mean) * (v17[i]! - b.mean);
    expect(covariance / draws / (a.std * b.std)).toBeGreaterThan(0.3);
    const normalLooking =
      frauds.filter((row) => Math.abs(row[13]!) < 2.5 && Math.abs(row[11]!) < 2.5).length / draws;
    expect(normalLooking).toBeGreaterThan(0.1);
    expect(normalLooking).toBeLessThan(0.3);
  });

  it('gives frauds small amounts: median ≈ 9, mean ≈ 122, ~5% exactly 0', () => {
    const amount = of(28);
    expect(median(amount)).toBeGreaterThan(5);
    expect(median(amount)).toBeLessThan(15);
    const { mean } = moments(amount);
    expect(mean).toBeGreaterThan(90);
    expect(mean).toBeLessThan(160);
    const zeros = amount.filter((value) => value === 0).length / draws;
    expect(zeros).toBeGreaterThan(0.04);
    expect(zeros).toBeLessThan(0.06);
  });
});

describe('writeSyntheticCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cardwatch-synthetic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same bytes as generateSyntheticCsv, atomically, with advancing progress', async () => {
    const path = join(dir, 'nested', 'deeper', 'synthetic.csv');
    const progress: number[] = [];
    await writeSyntheticCsv(path, { rows: 20_000, seed: 5, onProgress: (done) => progress.push(done) });
    expect(readFileSync(path, 'latin1')).toBe(generateSyntheticCsv({ rows: 20_000, seed: 5 }));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(20_000);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]!);
    expect(readdirSync(join(dir, 'nested', 'deeper'))).toEqual(['synthetic.csv']);
  });

  it('leaves no file behind when the options are invalid', async () => {
    const path = join(dir, 'bad.csv');
    await expect(writeSyntheticCsv(path, { rows: -5, seed: 1 })).rejects.toThrow(/rows must be/);
    expect(existsSync(path)).toBe(false);
  });
});

describe('CsvBytes', () => {
  const format = (write: (out: CsvBytes) => void): string => {
    const out = new CsvBytes(4);
    write(out);
    return Buffer.from(out.buffer.subarray(0, out.length)).toString('latin1');
  };

  it('formats numbers compactly, without exponents or trailing zeros', () => {
    expect(format((o) => o.decimal(-1.3598071336738, 7, 12))).toBe('-1.359807');
    expect(format((o) => o.decimal(0.000045125412, 7, 12))).toBe('0.00004512541');
    expect(format((o) => o.decimal(149.62, 15, 2))).toBe('149.62');
    expect(format((o) => o.decimal(2.5, 15, 2))).toBe('2.5');
    expect(format((o) => o.decimal(12, 7, 12))).toBe('12');
    expect(format((o) => o.decimal(9.99999996, 7, 12))).toBe('10');
    expect(format((o) => o.decimal(0, 7, 12))).toBe('0');
    expect(format((o) => o.decimal(-1e-15, 7, 12))).toBe('0');
    expect(format((o) => o.uint(172792))).toBe('172792');
    expect(format((o) => o.uint(0))).toBe('0');
    expect(format((o) => o.ascii('Time,V1'))).toBe('Time,V1');
  });
});
