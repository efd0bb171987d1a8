#!/usr/bin/env node
/**
 * Ingest benchmark: read + parse + validate the full Kaggle-sized CSV into Float32Arrays, with cardwatch's
 * parser (two threads and one), beside a naive JS baseline (readFileSync + split + parseFloat, no
 * validation) and pandas' read_csv run live.
 *
 *   npm run build && node bench/ingest.mjs [file.csv | --kaggle-shaped]
 *
 * Without a file it generates the 284,807-row synthetic CSV into bench/out/ (once); `--kaggle-shaped` rewrites
 * it in the real download's shape (quoted header and labels, 15 significant digits, ~150 MB). Each method runs in its
 * own child process (so peak RSS is its own): one warm-up run (reported as "first"), then the best of 3.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist', 'data', 'index.js');
const RUNS = 3;

/** Runs `fn` once as warm-up and RUNS times more; seconds of the first and of the best. */
async function time(fn) {
  const t0 = performance.now();
  let rows = await fn();
  const first = (performance.now() - t0) / 1000;
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    rows = await fn();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { first, best, rows };
}

/** Child mode: `node ingest.mjs --child <method> <file>` prints one JSON line. */
async function child(method, path) {
  const data = await import(pathToFileURL(dist).href);
  const methods = {
    ours: async () => (await data.readKaggleCsvFileAsync(path)).dataset.rows,
    'ours-1-thread': async () => data.readKaggleCsvFile(path).dataset.rows,
    'ours-2-threads': async () => (await data.readKaggleCsvFileAsync(path, { threads: 2 })).dataset.rows,
    naive: async () => naive(path),
  };
  const result = await time(methods[method]);
  console.log(JSON.stringify({ ...result, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

/** The JS baseline: no quote handling, no validation beyond parseFloat. */
function naive(path) {
  const lines = readFileSync(path, 'latin1').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const rows = lines.length - 1;
  const x = new Float32Array(rows * 30);
  const y = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const fields = lines[r + 1].split(',');
    for (let j = 0; j < 30; j++) x[r * 30 + j] = parseFloat(fields[j]);
    y[r] = fields[30].includes('1') ? 1 : 0;
  }
  return rows;
}

const PANDAS = `
import json, resource, sys, time
import pandas as pd
path = sys.argv[1]
def run():
    return len(pd.read_csv(path))
t = time.perf_counter(); rows = run(); first = time.perf_counter() - t
best = float('inf')
for _ in range(${RUNS}):
    t = time.perf_counter(); rows = run(); best = min(best, time.perf_counter() - t)
print(json.dumps({"first": first, "best": best, "rows": rows,
                  "maxRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "version": pd.__version__}))
`;

/** The first python that can import pandas (/usr/bin/python3 first: a pyenv python3 may lack it). */
function findPandasPython() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import pandas'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return null;
}

/**
 * The real download's shape, which the compact synthetic file is not: quoted header and labels, V values with
 * 15 significant digits (about 149 MB at full size, like creditcard.csv). Same rows, same values to float32.
 */
function writeKaggleShaped(data, from, to) {
  process.stderr.write(`writing ${to} (Kaggle-shaped: quoted header and labels, 15 significant digits) … `);
  const { dataset } = data.readKaggleCsvFile(from);
  const width = dataset.columns.length;
  const lines = [[...dataset.columns, 'Class'].map((c) => `"${c}"`).join(',')];
  for (let r = 0; r < dataset.rows; r++) {
    const fields = [];
    for (let c = 0; c < width; c++) {
      const value = dataset.x[r * width + c];
      // Time as an integer, Amount in cents, V columns as the 15-digit doubles pandas would print.
      fields.push(
        c === 0
          ? String(value)
          : c === width - 1
            ? value.toFixed(2)
            : Number(value.toPrecision(15)).toString(),
      );
    }
    fields.push(`"${dataset.y[r]}"`);
    lines.push(fields.join(','));
  }
  writeFileSync(to, `${lines.join('\n')}\n`);
  process.stderr.write('done\n');
}

function runChild(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

async function main() {
  if (!existsSync(dist)) {
    console.error(`missing ${dist}: build first with \`npx tsc -p tsconfig.build.json\``);
    process.exit(1);
  }
  let path = process.argv[2];
  if (path === '--kaggle-shaped' || path === undefined) {
    const data = await import(pathToFileURL(dist).href);
    const compact = join(here, 'out', `synthetic-${data.KAGGLE_ROWS}.csv`);
    if (!existsSync(compact)) {
      process.stderr.write(`generating ${compact} … `);
      const t = performance.now();
      await data.writeSyntheticCsv(compact, { rows: data.KAGGLE_ROWS, seed: 42 });
      process.stderr.write(`${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    }
    path = compact;
    if (process.argv[2] === '--kaggle-shaped') {
      path = join(here, 'out', `kaggle-shaped-${data.KAGGLE_ROWS}.csv`);
      if (!existsSync(path)) writeKaggleShaped(data, compact, path);
    }
  }
  const bytes = statSync(path).size;
  console.log(
    `file: ${path} (${(bytes / 1e6).toFixed(1)} MB), node ${process.version}, ${availableParallelism()} cores, ` +
      `load average ${loadavg()[0].toFixed(2)} (other processes compete for the cores)`,
  );
  console.log(`each: one warm-up run ("first"), then best of ${RUNS}; read + parse into Float32Arrays\n`);

  const results = [];
  const script = fileURLToPath(import.meta.url);
  for (const [label, method] of [
    ['cardwatch (auto threads)', 'ours'],
    ['cardwatch (1 thread, sync)', 'ours-1-thread'],
    ['cardwatch (2 threads)', 'ours-2-threads'],
    ['naive JS split+parseFloat', 'naive'],
  ]) {
    results.push({ label, ...runChild(process.execPath, [script, '--child', method, path]) });
  }
  const python = findPandasPython();
  let pandasNote = '';
  if (python === null) {
    pandasNote = 'pandas not available: apt-get install python3-pandas';
  } else {
    const pandas = runChild(python, ['-c', PANDAS, path]);
    results.push({ label: `pandas ${pandas.version} read_csv`, ...pandas });
  }

  const header = ['method', 'first s', 'best s', 'MB/s', 'rows/s', 'peak RSS MB'];
  const rows = results.map((r) => [
    r.label,
    r.first.toFixed(3),
    r.best.toFixed(3),
    (bytes / 1e6 / r.best).toFixed(0),
    Math.round(r.rows / r.best).toLocaleString('en-US'),
    r.maxRssMb.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const format = (row) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(format(row));
  const counts = new Set(results.map((r) => r.rows));
  if (counts.size !== 1) console.log(`\nWARNING: row counts differ: ${[...counts].join(', ')}`);
  const pandas = results.find((r) => r.label.startsWith('pandas'));
  if (pandas) {
    const ours = results[0];
    console.log(`\ncardwatch / pandas (best): ${(ours.best / pandas.best).toFixed(2)}× the time`);
  } else {
    console.log(`\n${pandasNote}`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
