// Bench data for bench/epoch.mjs: N standardized normal rows of the 28 V columns, from the data module's
// synthetic generator when it is built, otherwise seeded random normal rows (with a note saying so).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const V_COLUMNS = 28;

/** Seeded standard normals (Box–Muller over a tiny LCG; the figures do not depend on the values). */
function randomNormalRows(rows) {
  const x = new Float32Array(rows * V_COLUMNS);
  let state = 42;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 1) / 4294967297;
  };
  for (let i = 0; i < x.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(next()));
    const angle = 2 * Math.PI * next();
    x[i] = radius * Math.cos(angle);
    if (i + 1 < x.length) x[i + 1] = radius * Math.sin(angle);
  }
  return x;
}

/** Standardizes each column in place (mean 0, std 1 over the given rows). */
function standardize(x, rows, dim) {
  for (let c = 0; c < dim; c++) {
    let sum = 0;
    let squares = 0;
    for (let r = 0; r < rows; r++) sum += x[r * dim + c];
    const mean = sum / rows;
    for (let r = 0; r < rows; r++) squares += (x[r * dim + c] - mean) ** 2;
    const std = Math.sqrt(squares / rows) || 1;
    for (let r = 0; r < rows; r++) x[r * dim + c] = (x[r * dim + c] - mean) / std;
  }
}

/**
 * Returns { x, rows, source }: `rows` normal (Class 0) rows × 28 standardized V columns.
 */
export async function benchRows(rows) {
  const entry = new URL('../dist/data/index.js', import.meta.url);
  if (existsSync(fileURLToPath(entry))) {
    const data = await import(entry.href);
    if (typeof data.generateSyntheticCsv === 'function' && typeof data.parseKaggleCsv === 'function') {
      // A margin for the frauds that are dropped (0.17%).
      const csv = data.generateSyntheticCsv({ rows: Math.ceil(rows * 1.01) + 10, seed: 42 });
      const { dataset } = data.parseKaggleCsv(csv);
      const width = dataset.columns.length;
      const first = dataset.columns.indexOf('V1');
      const x = new Float32Array(rows * V_COLUMNS);
      let taken = 0;
      for (let r = 0; r < dataset.rows && taken < rows; r++) {
        if (dataset.y !== null && dataset.y[r] !== 0) continue;
        for (let c = 0; c < V_COLUMNS; c++) x[taken * V_COLUMNS + c] = dataset.x[r * width + first + c];
        taken += 1;
      }
      if (taken === rows) {
        standardize(x, rows, V_COLUMNS);
        return {
          x,
          rows,
          source:
            'synthetic Kaggle-schema rows (dist/data generateSyntheticCsv + parseKaggleCsv), normal class, standardized',
        };
      }
    }
  }
  return {
    x: randomNormalRows(rows),
    rows,
    source:
      'NOTE: dist/data/index.js (generateSyntheticCsv + parseKaggleCsv) is not built yet, so the rows are ' +
      'seeded random normals (the timing does not depend on the values)',
  };
}
