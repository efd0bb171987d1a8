/**
 * The statistical model behind the built-in synthetic dataset: per-column parameters taken from the real
 * Kaggle data's published statistics, and `drawTransaction`, which samples V1..V28 and Amount of one row.
 *
 * - Normal rows: each V column is a scale mixture of normals (a small share of draws `k` times wider, some
 *   one-sided), which gives the heavy tails (excess kurtosis in the tens to hundreds) and skew of the real
 *   PCA components. V2, V7 and V20 load on the same latent as log(Amount), as in the real data.
 * - Frauds: 15% are drawn like normal rows (the ones real detectors miss); the rest are shifted by a
 *   per-row severity shared by all columns, so fraud columns are strongly correlated with each other.
 * - Normal-class means and stds are solved from the overall targets, so the whole table (normal + fraud)
 *   has the published overall mean ≈ 0 and std per column.
 */
import { KAGGLE_FRAUDS, KAGGLE_ROWS } from './columns.js';
import type { Prng } from '../util/prng.js';

/** Overall std of V1..V28 in the real data (PCA components, so it falls with the index). */
const OVERALL_STD = [
  1.96, 1.65, 1.52, 1.42, 1.38, 1.33, 1.24, 1.19, 1.1, 1.09, 1.02, 1.0, 1.0, 0.96, 0.92, 0.88, 0.85, 0.84,
  0.81, 0.77, 0.73, 0.73, 0.62, 0.61, 0.52, 0.48, 0.4, 0.33,
];

/** Mean of V1..V28 among frauds (0 where the real shift is small). */
const FRAUD_MEAN = [
  -4.8, 3.6, -7.0, 4.5, -3.2, 0, -5.6, 0, -2.6, -5.7, 3.8, -6.3, 0, -7.0, 0, -4.1, -6.7, -2.2, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0,
];

/** Std of V1..V28 among frauds (much wider than normal rows where the mean shifts). */
const FRAUD_STD = [
  6.78, 4.29, 7.11, 2.87, 5.37, 1.86, 7.21, 6.8, 2.5, 4.9, 2.68, 4.65, 1.1, 4.28, 1.05, 3.87, 6.97, 2.9, 1.54,
  1.35, 3.87, 1.49, 1.58, 0.52, 0.8, 0.47, 1.38, 0.55,
];

/** Target excess kurtosis of V1..V28 among normal rows (0: plain normal). */
const KURTOSIS = [
  15, 60, 10, 1, 100, 20, 150, 120, 2, 10, 1, 5, 0, 5, 0, 3, 5, 1, 1, 150, 100, 2, 150, 0, 3, 0, 120, 150,
];

/** Side of the wide draws: -1 long left tail, +1 long right tail, 0 symmetric (the real skews). */
const TAIL_SIDE = [-1, -1, -1, 0, -1, 1, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, -1, 0, 0, 0, -1, 1];

/** Loading of V columns on the log-Amount latent (real correlations: V2 −0.53, V7 0.40, V20 0.34). */
const AMOUNT_LOADING: Record<number, number> = { 1: -0.35, 6: 0.3, 19: 0.3 };

/** Share of draws taken `k` times wider in the scale mixture. */
const WIDE_SHARE = 0.005;

export const FRAUD_RATE = KAGGLE_FRAUDS / KAGGLE_ROWS;
/** Share of frauds drawn exactly like normal transactions. */
export const STEALTH_SHARE = 0.15;
/** Severity t = exp(0.5·n − 0.125): mean 1, variance e^0.25 − 1. */
const SEVERITY_VARIANCE = Math.exp(0.25) - 1;
export const AMOUNT_MAX = 25691.16;

interface ColumnModel {
  normalMean: number;
  normalStd: number;
  wideShare: number;
  wideScale: number;
  side: number;
  /** Mean and std of the raw mixture draw, to standardize it. */
  drawMean: number;
  drawStd: number;
  loading: number;
  fraudMean: number;
  fraudSeverityWeight: number;
  fraudResidualStd: number;
}

/** Squared scale `k²` of a normal scale mixture (share q at scale k) whose excess kurtosis is `kurtosis`. */
function wideScaleSquared(kurtosis: number, q: number): number {
  const r = (kurtosis + 3) / 3;
  const a = q * q * r - q;
  const b = 2 * r * q * (1 - q);
  const c = r * (1 - q) * (1 - q) - (1 - q);
  return (-b - Math.sqrt(b * b - 4 * a * c)) / (2 * a);
}

function columnModel(j: number): ColumnModel {
  const p = FRAUD_RATE;
  const overallVar = OVERALL_STD[j]! ** 2;
  const fraudMean = FRAUD_MEAN[j]!;
  const fraudVar = FRAUD_STD[j]! ** 2;
  // Normal mean and variance such that the mixture of both classes has mean 0 and the overall std.
  const normalMean = (-p * fraudMean) / (1 - p);
  const normalVar = (overallVar - p * fraudVar - p * (1 - p) * (fraudMean - normalMean) ** 2) / (1 - p);
  const kurtosis = KURTOSIS[j]!;
  const wideShare = kurtosis > 0 ? WIDE_SHARE : 0;
  const wideScale = kurtosis > 0 ? Math.sqrt(wideScaleSquared(kurtosis, WIDE_SHARE)) : 1;
  const side = TAIL_SIDE[j]!;
  const drawMean = side * wideShare * wideScale * Math.sqrt(2 / Math.PI);
  const drawVar = 1 - wideShare + wideShare * wideScale * wideScale - drawMean * drawMean;
  // Frauds: a stealth share drawn like normal rows, the core shifted so fraud mean and std come out right.
  const s = STEALTH_SHARE;
  const coreMean = (fraudMean - s * normalMean) / (1 - s);
  const coreVar = Math.max(
    0.25,
    (fraudVar - s * normalVar - s * (1 - s) * (coreMean - normalMean) ** 2) / (1 - s),
  );
  const severityVar = coreMean * coreMean * SEVERITY_VARIANCE;
  const fraudSeverityWeight = severityVar > 0 ? Math.min(1, Math.sqrt((0.8 * coreVar) / severityVar)) : 0;
  const fraudResidualStd = Math.sqrt(coreVar - severityVar * fraudSeverityWeight ** 2);
  return {
    normalMean,
    normalStd: Math.sqrt(normalVar),
    wideShare,
    wideScale,
    side,
    drawMean,
    drawStd: Math.sqrt(drawVar),
    loading: AMOUNT_LOADING[j] ?? 0,
    fraudMean: coreMean,
    fraudSeverityWeight,
    fraudResidualStd,
  };
}

const COLUMNS = Array.from({ length: 28 }, (_, j) => columnModel(j));

/** Amount of normal rows: 0.64% exactly 0, else log-normal solved for mean 88.35 and median 22. */
const NORMAL_ZERO_AMOUNT = 0.0064;
const NORMAL_LOG_MEAN = 3.1044;
const NORMAL_LOG_STD = 1.6633;

/**
 * Amount of frauds: 5% exactly 0, 42% small test charges (log-normal, median 2), the rest log-normal
 * (median 69.9): together median ≈ 10 and mean ≈ 122.
 */
function fraudAmount(prng: Prng): number {
  const u = prng.next();
  if (u < 0.05) return 0;
  if (u < 0.47) return Math.exp(Math.log(2) + prng.normal());
  return Math.exp(Math.log(69.9) + 1.53 * prng.normal());
}

function normalColumns(prng: Prng, amountLatent: number, out: Float64Array): void {
  for (let j = 0; j < 28; j++) {
    const m = COLUMNS[j]!;
    let z = prng.normal();
    if (m.wideShare > 0 && prng.next() < m.wideShare) {
      z = m.side === 0 ? z * m.wideScale : m.side * Math.abs(z) * m.wideScale;
    }
    const standardized = (z - m.drawMean) / m.drawStd;
    const mixed =
      m.loading === 0
        ? standardized
        : m.loading * amountLatent + Math.sqrt(1 - m.loading ** 2) * standardized;
    out[j] = m.normalMean + m.normalStd * mixed;
  }
}

/**
 * Fills `out[0..27]` with V1..V28 and `out[28]` with Amount (cents rounded) of one transaction.
 * Consumes a varying number of draws from `prng`, so a fixed seed gives a fixed sequence of rows.
 */
export function drawTransaction(prng: Prng, fraud: boolean, out: Float64Array): void {
  const amountLatent = prng.normal();
  if (!fraud || prng.next() < STEALTH_SHARE) {
    normalColumns(prng, amountLatent, out);
  } else {
    const severity = Math.exp(0.5 * prng.normal() - 0.125);
    for (let j = 0; j < 28; j++) {
      const m = COLUMNS[j]!;
      const shift = m.fraudMean * (1 + m.fraudSeverityWeight * (severity - 1));
      out[j] = shift + m.fraudResidualStd * prng.normal();
    }
  }
  let amount: number;
  if (fraud) {
    amount = fraudAmount(prng);
  } else {
    amount = prng.next() < NORMAL_ZERO_AMOUNT ? 0 : Math.exp(NORMAL_LOG_MEAN + NORMAL_LOG_STD * amountLatent);
  }
  out[28] = Math.round(Math.min(amount, AMOUNT_MAX) * 100) / 100;
}

/** Relative transaction volume per hour of day (midnight first): fewer at night, as in the real data. */
const HOURLY_VOLUME = [
  0.45, 0.3, 0.2, 0.14, 0.12, 0.14, 0.22, 0.38, 0.62, 0.85, 0.97, 1, 1, 1, 1, 0.99, 0.98, 0.98, 0.99, 1, 0.97,
  0.9, 0.8, 0.62,
];
/** The real data spans two days: 0..172,792 seconds. */
export const TIME_MAX = 172792;
const HOURS = 48;

function hourVolume(hour: number): number {
  // The second day is a little quieter.
  return HOURLY_VOLUME[hour % 24]! * (hour < 24 ? 1 : 0.95);
}

/** `rows` integer times in [0, TIME_MAX], sorted ascending, denser by day; the first 0 and last TIME_MAX. */
export function drawTimes(prng: Prng, rows: number): Uint32Array {
  const cumulative = new Float64Array(HOURS);
  let total = 0;
  for (let h = 0; h < HOURS; h++) {
    total += hourVolume(h) * (h === HOURS - 1 ? TIME_MAX + 1 - 3600 * h : 3600);
    cumulative[h] = total;
  }
  const times = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    const u = prng.next() * total;
    let h = 0;
    while (h < HOURS - 1 && cumulative[h]! <= u) h++;
    const before = h === 0 ? 0 : cumulative[h - 1]!;
    const seconds = Math.floor((u - before) / hourVolume(h));
    times[i] = Math.min(3600 * h + seconds, TIME_MAX);
  }
  times.sort();
  if (rows >= 2) {
    times[0] = 0;
    times[rows - 1] = TIME_MAX;
  }
  return times;
}

/** Number of frauds for a table of `rows`: 492 at full size, proportional otherwise. */
export function fraudCount(rows: number): number {
  return Math.round((rows * KAGGLE_FRAUDS) / KAGGLE_ROWS);
}

/**
 * Marks exactly `fraudCount(rows)` rows as frauds. Fraud is relatively more common at night (a row is kept
 * with probability √(quietest volume / its hour's volume)), as in the real data.
 */
export function drawFraudRows(prng: Prng, times: Uint32Array): Uint8Array {
  const rows = times.length;
  const flags = new Uint8Array(rows);
  const quietest = Math.min(...Array.from({ length: HOURS }, (_, h) => hourVolume(h)));
  let marked = 0;
  const wanted = fraudCount(rows);
  while (marked < wanted) {
    const row = prng.int(rows);
    if (flags[row] === 1) continue;
    const hour = Math.min(Math.floor(times[row]! / 3600), HOURS - 1);
    if (prng.next() < Math.sqrt(quietest / hourVolume(hour))) {
      flags[row] = 1;
      marked++;
    }
  }
  return flags;
}
