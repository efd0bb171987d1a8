// Seeded inputs of the API bench (bench/api.mjs, bench/api-load.mjs): standard-normal feature rows and the
// request bodies built from them. Everything is made before the clock starts, so the client stays cheap.

export const FEATURES = 28;

/** A seeded N(0, 1) generator (mulberry32 + Box–Muller): the same seed gives the same numbers. */
export function normalGenerator(seed) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare = null;
  return function normal() {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** One row of V1..V28 as plain numbers. */
export function featureRow(normal) {
  return Array.from({ length: FEATURES }, normal);
}

/** `rows` × 28 values, row-major, for in-process scoring. */
export function featureMatrix(rows, seed) {
  const normal = normalGenerator(seed);
  const x = new Float32Array(rows * FEATURES);
  for (let i = 0; i < x.length; i++) x[i] = normal();
  return x;
}

/** The body of `POST /predict`, as the reference's Locust user sends it: `{"features": [28 floats]}`. */
export function predictBody(normal) {
  return JSON.stringify({ features: featureRow(normal) });
}

/** A `POST /predict/batch` JSON body: `{"rows": [{"features": [...]}, …]}`. */
export function batchJsonBody(rows, seed) {
  const normal = normalGenerator(seed);
  return JSON.stringify({ rows: Array.from({ length: rows }, () => ({ features: featureRow(normal) })) });
}

/**
 * A `POST /predict/batch` CSV body in the Kaggle schema and shape: header `Time,V1..V28,Amount,Class`, V values
 * with 15 significant digits as in creditcard.csv (what pandas printed), Amount in cents, Class 0.
 */
export function batchCsvBody(rows, seed) {
  const normal = normalGenerator(seed);
  const header = ['Time', ...Array.from({ length: FEATURES }, (_, k) => `V${k + 1}`), 'Amount', 'Class'];
  const lines = [header.join(',')];
  for (let i = 0; i < rows; i++) {
    const amount = Math.abs(normal() * 80 + 60).toFixed(2);
    const values = featureRow(normal).map((v) => Number(v.toPrecision(15)));
    lines.push(`${i},${values.join(',')},${amount},0`);
  }
  return `${lines.join('\n')}\n`;
}
