#!/usr/bin/env node
/**
 * Prediction writer benchmark: the CPU the SQLite writer thread spends per logged prediction. Writes N rows
 * (default 200,000) in batches of B (default 80, the typical batch at ~12,000 predictions/s) to a fresh WAL
 * database on disk, on this thread, the way sqlite-writer-worker.ts does it for each batch it receives, and
 * prints CPU µs per row (user + system, so the WAL's write syscalls count) and rows/s for:
 *
 *   old          what the worker did before: `unpackBatch` (one object per prediction), then one single-row
 *                INSERT per prediction with `insert.run(...predictionValues(p))` (a copy of that writer is
 *                below, since batch-writer.ts no longer has it)
 *   multi-row    createBatchWriter on `unpackBatch`'s objects: multi-row INSERTs, still one object per row
 *   columns      what the worker does now: createRowsWriter(db)(packedRows(packed)), multi-row INSERTs filled
 *                straight from the packed columns
 *
 * Batches are packed and structured-cloned (as postMessage delivers them) before the clock starts; building
 * them is not measured. Variants run in a rotating order each repetition, each into a fresh file; the figures
 * are the median (and the minimum) over the repetitions. The machine's other load shows as noise: compare
 * variants within one run.
 *
 *   cd /work/main && npx tsc -p tsconfig.build.json && node --expose-gc bench/prediction-writer.mjs [rows] [batch] [reps]
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = (file) => import(pathToFileURL(join(here, '..', 'dist', 'predictions', file)).href);
const { packBatch, unpackBatch, packedRows } = await dist('writer-thread-protocol.js');
const { createBatchWriter, createRowsWriter, predictionValues } = await dist('batch-writer.js');
const { openWritableDatabase } = await dist('database.js');
const { toQueuedPrediction } = await dist('queued-prediction.js');
const { newPredictionId } = await dist('prediction-id.js');

const ROWS = Number(process.argv[2] ?? 200_000);
const BATCH = Number(process.argv[3] ?? 80);
const REPS = Number(process.argv[4] ?? 7);

/** 1,000 distinct feature rows, reused: building inputs is not what is measured. */
const FEATURE_ROWS = Array.from({ length: 1000 }, (_, r) =>
  Array.from({ length: 28 }, (_, k) => Math.sin(r * 31 + k) * 3),
);

/** Row i as the service would log it: ~12,000 a second apart in time, ids time-ordered, three top features. */
function record(i, t0) {
  const now = t0 + Math.floor(i / 12);
  const score = (i % 997) / 300;
  return {
    predictionId: newPredictionId(now),
    createdAt: now,
    transactionId: `tx-${i}`,
    modelVersion: 'ae-20240501-abcdef',
    engine: 'float32',
    score,
    threshold: 2.5,
    isFraud: score > 2.5,
    latencyMs: 0.31,
    features: FEATURE_ROWS[i % FEATURE_ROWS.length],
    amount: i % 7 === 0 ? null : (i % 5000) / 10,
    time: i,
    topFeatures: [
      { name: 'V14', contribution: 3.2 * score },
      { name: 'V4', contribution: 1.1 },
      { name: 'V12', contribution: -0.7 },
    ],
  };
}

function packedBatches() {
  const t0 = Date.now();
  const batches = [];
  for (let start = 0; start < ROWS; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(ROWS, start + BATCH); i++) batch.push(toQueuedPrediction(record(i, t0)));
    // What the worker receives: postMessage's structured clone (flat strings, fresh typed arrays).
    batches.push(structuredClone(packBatch(batch)));
  }
  return batches;
}

/** The worker's writer before this change, verbatim but for types: one single-row INSERT per prediction. */
function oldWriter(db) {
  const insert = db.prepare(
    `INSERT INTO predictions (prediction_id, created_at, transaction_id, model_version, engine, score,
       threshold, is_fraud, latency_ms, features, amount, time, top_features)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const writeAll = db.transaction((batch) => {
    let written = 0;
    const rejected = [];
    for (const p of batch) {
      try {
        insert.run(...predictionValues(p, p.transactionId));
        written += 1;
      } catch (error) {
        if (!String(error?.code).startsWith('SQLITE_CONSTRAINT')) throw error;
        rejected.push({ predictionId: p.predictionId, error });
      }
    }
    return { written, rejected };
  });
  return (packed) => writeAll.immediate(unpackBatch(packed));
}

const VARIANTS = {
  old: oldWriter,
  'multi-row': (db) => {
    const write = createBatchWriter(db);
    return (packed) => write(unpackBatch(packed));
  },
  columns: (db) => {
    const write = createRowsWriter(db);
    return (packed) => write(packedRows(packed));
  },
};

const path = join(here, 'out', 'prediction-writer-bench.sqlite');
mkdirSync(dirname(path), { recursive: true });

function runOnce(name, batches) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const db = openWritableDatabase(path, { busyTimeoutMs: 1_000 });
  try {
    const write = VARIANTS[name](db);
    globalThis.gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let written = 0;
    for (const batch of batches) written += write(batch).written;
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const stored = db.prepare('SELECT count(*) FROM predictions').pluck().get();
    if (written !== ROWS || stored !== ROWS) throw new Error(`${name}: wrote ${written}, stored ${stored}`);
    return { cpuUs: (cpu.user + cpu.system) / ROWS, wallUs: (wallMs * 1000) / ROWS };
  } finally {
    db.close();
  }
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

console.log(
  `prediction writer bench: node ${process.version}, ${ROWS.toLocaleString('en')} rows in batches of ${BATCH}, ` +
    `${REPS} repetitions${globalThis.gc ? '' : ' (run with --expose-gc for a collection before each run)'}`,
);
const batches = packedBatches();
const names = Object.keys(VARIANTS);
const results = Object.fromEntries(names.map((name) => [name, []]));
for (let rep = 0; rep < REPS; rep++) {
  // Rotate the order so no variant always runs first (cold) or right after another's file was deleted.
  for (let k = 0; k < names.length; k++) {
    const name = names[(rep + k) % names.length];
    results[name].push(runOnce(name, batches));
  }
}
// The machine's speed drifts between repetitions (other load, the VM): besides each variant's median, compare
// it with `old` within each repetition, where the two ran seconds apart, and take the median of those ratios.
console.log(
  '\nvariant      CPU µs/row  (min)     rows/s per core   wall µs/row   vs old (median of per-repetition ratios)',
);
for (const name of names) {
  const cpu = results[name].map((r) => r.cpuUs);
  const mid = median(cpu);
  const ratio = median(results[name].map((r, rep) => r.cpuUs / results.old[rep].cpuUs));
  console.log(
    `${name.padEnd(12)} ${mid.toFixed(2).padStart(6)}  ${`(${Math.min(...cpu).toFixed(2)})`.padEnd(8)}` +
      `${Math.round(1e6 / mid)
        .toLocaleString('en')
        .padStart(12)}   ` +
      `${median(results[name].map((r) => r.wallUs))
        .toFixed(2)
        .padStart(12)}   ${`${((ratio - 1) * 100).toFixed(0)}%`.padStart(8)}`,
  );
}
console.log(`\nCPU µs/row per repetition:`);
for (const name of names) {
  console.log(`  ${name.padEnd(12)} ${results[name].map((r) => r.cpuUs.toFixed(2)).join(' ')}`);
}
