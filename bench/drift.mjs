// Drift bench: the time of one full drift report (29 features + the score = 30 columns, KS/Wasserstein, PSI,
// Jensen-Shannon, histograms) of 100,000 current rows against a 5,000-row reference, the target being
// under 1 s; then the false-alarm rate of the drift verdict over repeated seeds (same distribution on both
// sides, so every alarm is false) and the detection of a real shift.
//
// Runs the BUILT code: `npm run build` first.
// Usage: node bench/drift.mjs [currentRows=100000] [referenceRows=5000] [seeds=20]
import { availableParallelism, cpus, loadavg } from 'node:os';

const { computeDrift } = await import('../dist/monitor/report.js');
const { syntheticTable } = await import('../dist/monitor/synthetic-table.js');
const { falseAlarmRate } = await import('../dist/monitor/false-alarms.js');
const { parseDriftSpec } = await import('../dist/data/drift-spec.js');

const currentRows = Number(process.argv[2] ?? 100_000);
const referenceRows = Number(process.argv[3] ?? 5_000);
const seeds = Number(process.argv[4] ?? 20);
const ROUNDS = 5;

console.log(
  `drift bench on ${cpus()[0]?.model ?? 'unknown CPU'} (${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)}), Node ${process.version}`,
);
const reference = syntheticTable({ rows: referenceRows, seed: 1 });
const current = syntheticTable({ rows: currentRows, seed: 2 });
const input = {
  reference,
  current,
  referenceSource: 'synthetic',
  currentSource: 'synthetic',
  modelVersion: null,
};

const times = [];
const cpuTimes = [];
let report;
for (let round = 0; round < ROUNDS; round++) {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  report = computeDrift(input);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  const used = process.cpuUsage(cpu);
  cpuTimes.push((used.user + used.system) / 1000);
}
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
const columns = report.features.length;
console.log(
  `report: ${columns} columns × ${currentRows.toLocaleString('en')} current rows vs ${referenceRows.toLocaleString('en')} reference rows ` +
    `(${report.features[0].method}): median ${times[Math.floor(ROUNDS / 2)].toFixed(0)} ms, ` +
    `min ${times[0].toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms over ${ROUNDS} runs (target < 1000 ms); ` +
    // CPU time is what the report costs when other processes compete for the cores (wall time then grows).
    `CPU time median ${cpuTimes[Math.floor(ROUNDS / 2)].toFixed(0)} ms`,
);
console.log(
  `  verdict on a fresh sample: dataset drift ${report.dataset.drift}, ${report.dataset.drifted_features}/${report.dataset.features} columns drifted`,
);

const shifted = syntheticTable({
  rows: currentRows,
  seed: 2,
  drift: parseDriftSpec('V1:shift=2,V4:scale=1.5'),
});
const shiftedReport = computeDrift({ ...input, current: shifted });
console.log(
  `  verdict with V1:shift=2,V4:scale=1.5: drifted columns ${shiftedReport.features
    .filter((f) => f.drift)
    .map((f) => f.name)
    .join(', ')}`,
);

for (const [label, refRows, curRows] of [
  ['Wasserstein (reference 5,000 rows)', 5_000, 10_000],
  ['KS (reference 1,000 rows)', 1_000, 10_000],
]) {
  const result = falseAlarmRate({ referenceRows: refRows, currentRows: curRows, seeds });
  console.log(
    `false alarms, ${label}, current ${curRows.toLocaleString('en')} rows, ${result.runs} seed pairs: ` +
      `dataset drift in ${result.datasetAlarms}/${result.runs} runs (${(100 * result.datasetAlarmRate).toFixed(1)}%), ` +
      `column alarms ${result.columnAlarms}/${result.columnTests} (${(100 * result.columnAlarmRate).toFixed(2)}%)`,
  );
}

// The service's path: the same rows read back from a SQLite prediction log (GET /drift and the schedule read
// the newest N predictions, then compute), timed apart so the read cost is visible.
{
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openPredictionLog, openPredictionReader, newPredictionId } =
    await import('../dist/predictions/index.js');
  const { readMonitorWindow, readMonitorWindowSql } = await import('../dist/predictions/monitor-queries.js');
  const { openReadonlyDatabase } = await import('../dist/predictions/database.js');
  const { windowTable } = await import('../dist/monitor/sources.js');
  const dir = mkdtempSync(join(tmpdir(), 'cardwatch-bench-drift-'));
  try {
    const path = join(dir, 'predictions.sqlite');
    const log = openPredictionLog({ path, maxQueue: currentRows + 1 });
    const names = Array.from({ length: 28 }, (_, i) => `V${i + 1}`);
    const columns = names.map((name) => current.columns.get(name));
    const amount = current.columns.get('Amount');
    const score = current.columns.get('score');
    const start = Date.now() - currentRows;
    for (let r = 0; r < currentRows; r++) {
      log.append({
        predictionId: newPredictionId(start + r),
        createdAt: start + r,
        modelVersion: 'bench',
        engine: 'float32',
        score: score[r],
        threshold: 2,
        isFraud: score[r] > 2,
        latencyMs: 1,
        features: columns.map((column) => column[r]),
        amount: amount[r],
      });
    }
    await log.close();
    const median = (values) => values.sort((a, b) => a - b)[1].toFixed(0);
    // Two reads: the log's row API (what the service has) and the one-query SQLite read (the CLI's).
    const reader = openPredictionReader(path);
    const db = openReadonlyDatabase(path, { busyTimeoutMs: 1000 });
    for (const [label, read] of [
      ['row API (service)', () => readMonitorWindow(reader, { limit: currentRows })],
      ['one SQL query (CLI)', () => readMonitorWindowSql(db, { limit: currentRows })],
    ]) {
      const readTimes = [];
      const totalTimes = [];
      for (let round = 0; round < 3; round++) {
        const t0 = process.hrtime.bigint();
        const window = await read();
        const t1 = process.hrtime.bigint();
        computeDrift({ ...input, current: windowTable(window, 'bench') });
        const t2 = process.hrtime.bigint();
        readTimes.push(Number(t1 - t0) / 1e6);
        totalTimes.push(Number(t2 - t0) / 1e6);
      }
      console.log(
        `from the prediction log, ${currentRows.toLocaleString('en')} newest rows via the ${label}: ` +
          `read ${median(readTimes)} ms, read + drift ${median(totalTimes)} ms (median of 3)`,
      );
    }
    db.close();
    reader.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
