#!/usr/bin/env node
/**
 * Prediction log benchmark: appends N records (default 200,000) to a fresh SQLite log the way the service
 * would (a few hundred appends per event-loop turn, the flusher writing in between), then reports
 * records/s, the cost of one append, the flusher's time per batch, CPU used, the longest event-loop stall
 * and the database size. A second phase appends at a fixed rate (default 15,000/s, the service's target)
 * to show what logging costs the shared CPU at that rate.
 *
 *   cd /work/main && npx tsc -p tsconfig.build.json && node bench/prediction-log.mjs [records] [rate]
 */
import { rmSync, statSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
const { openPredictionLog, newPredictionId, predictionLogOptionsSchema } = await import(
  pathToFileURL(join(here, '..', 'dist', 'predictions', 'index.js')).href
);

const RECORDS = Number(process.argv[2] ?? 200_000);
const RATE = Number(process.argv[3] ?? 15_000);
/** Appends per event-loop turn in the throughput phase: requests arriving between flushes. */
const PER_TURN = 250;

/** 1,000 distinct feature rows, reused: building inputs is not what is measured. */
const FEATURE_ROWS = Array.from({ length: 1000 }, (_, r) =>
  Array.from({ length: 28 }, (_, k) => Math.sin(r * 31 + k) * 3),
);

function record(i) {
  const now = Date.now();
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
    amount: (i % 5000) / 10,
    time: i,
  };
}

function freshPath(name) {
  const path = join(here, 'out', name);
  mkdirSync(dirname(path), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return path;
}

function sizeOf(path) {
  return ['', '-wal'].reduce(
    (sum, suffix) => sum + (existsSync(path + suffix) ? statSync(path + suffix).size : 0),
    0,
  );
}

function cpuMs(since) {
  const usage = process.cpuUsage(since);
  return (usage.user + usage.system) / 1000;
}

/** Appends `count` records, `next()` deciding how many may go now; returns time spent inside append. */
async function drive(log, count, next) {
  let appendMs = 0;
  let waits = 0;
  for (let i = 0; i < count;) {
    const allowed = Math.min(next(i), count - i);
    if (allowed <= 0 || !log.hasCapacity(allowed)) {
      waits += 1;
      await (allowed <= 0 ? sleep(1) : tick());
      continue;
    }
    const t = performance.now();
    for (let j = 0; j < allowed; j++) log.append(record(i + j));
    appendMs += performance.now() - t;
    i += allowed;
    await tick();
  }
  return { appendMs, waits };
}

/** A stand-in with the log's interface that stores nothing: measures the bench driver alone. */
function nullLog() {
  let appended = 0;
  return {
    hasCapacity: () => true,
    append: () => void (appended += 1),
    flush: async () => undefined,
    close: async () => undefined,
    stats: () => ({
      written: appended,
      batches: 0,
      totalBatchMs: 0,
      maxBatchMs: 0,
      failedBatches: 0,
      rejected: 0,
    }),
  };
}

async function phase(name, count, pace, { store = true } = {}) {
  const path = freshPath(`predictions-bench-${store ? 'log' : 'null'}.sqlite`);
  const log = store ? openPredictionLog({ path }) : nullLog();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { appendMs, waits } = await drive(log, count, pace(t0));
  await log.flush();
  const wallMs = performance.now() - t0;
  const cpu = cpuMs(cpu0);
  loop.disable();
  const stats = log.stats();
  const openSize = sizeOf(path);
  await log.close();
  const closedSize = sizeOf(path);
  return { name, count, wallMs, appendMs, waits, cpu, stats, loop, openSize, closedSize, store };
}

function report(r, baseline) {
  const s = r.stats;
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const perSecond = Math.round(r.count / (r.wallMs / 1000)).toLocaleString('en');
  console.log(`\n## ${r.name}: ${r.count.toLocaleString('en')} records`);
  console.log(
    `  end-to-end        ${perSecond} records/s (${(r.wallMs / 1000).toFixed(2)} s wall, all committed)`,
  );
  console.log(
    `  append()          ${((r.appendMs * 1e6) / r.count).toFixed(0)} ns per call incl. building the record`,
  );
  if (!r.store) {
    console.log(
      `  CPU               ${((r.cpu / r.wallMs) * 100).toFixed(1)}% of one core (bench driver alone, no log)`,
    );
    return;
  }
  console.log(
    `  flusher           ${s.batches} batches, ${(s.written / s.batches).toFixed(0)} records/batch, ` +
      `${(s.totalBatchMs / s.batches).toFixed(2)} ms/batch mean, ${s.maxBatchMs.toFixed(1)} ms max, ` +
      `${((s.totalBatchMs * 1000) / s.written).toFixed(2)} µs/record`,
  );
  const net =
    baseline === undefined
      ? ''
      : `; the log's share: ${(((r.cpu - baseline.cpu) / r.wallMs) * 100).toFixed(1)}%`;
  console.log(`  CPU               ${((r.cpu / r.wallMs) * 100).toFixed(1)}% of one core over the run${net}`);
  console.log(
    `  event-loop delay  p50 ${(r.loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(r.loop.percentile(99) / 1e6).toFixed(1)} ms, ` +
      `max ${(r.loop.max / 1e6).toFixed(1)} ms`,
  );
  console.log(
    `  database          ${mb(r.closedSize)} after close (${(r.closedSize / r.count).toFixed(0)} B/record), ` +
      `${mb(r.openSize)} incl. WAL before close; failed batches ${s.failedBatches}, rejected ${s.rejected}`,
  );
}

const defaults = predictionLogOptionsSchema.parse({ path: 'x' });
console.log(
  `prediction log bench: node ${process.version}, ${RECORDS.toLocaleString('en')} records, defaults ` +
    `flushIntervalMs ${defaults.flushIntervalMs}, maxBatch ${defaults.maxBatch}, maxQueue ${defaults.maxQueue}`,
);
const asFastAsPossible = () => () => PER_TURN;
const paced = (t0) => (i) => Math.floor(((performance.now() - t0) / 1000) * RATE) - i;
report(await phase('throughput (as fast as the flusher allows)', RECORDS, asFastAsPossible));
const rate = RATE.toLocaleString('en');
const baseline = await phase(`paced at ${rate}/s, driver only`, RECORDS, paced, { store: false });
report(baseline);
report(await phase(`paced at ${rate}/s, with the log`, RECORDS, paced), baseline);
