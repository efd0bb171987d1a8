// Training-engine bench: seconds per epoch (per 200k rows) of the reference autoencoder
// 28→32(ReLU)→dropout(0.1)→16(ReLU)→32(ReLU)→28, MSE, Adam, batch 1024, on 1 and 2 workers, plus peak RSS.
// Runs the BUILT engine (dist/nn): `npx tsc -p tsconfig.build.json` first. Each configuration runs in its
// own process (bench/epoch-run.mjs) so that its peak RSS is its own. Validation is not part of an epoch.
//
// Usage: node bench/epoch.mjs [rows=200000] [epochs=3]
// The kernels are WebAssembly SIMD where supported; CARDWATCH_NN_KERNELS=js measures the plain-JS fallback.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchRows } from './epoch-data.mjs';

const rows = Number(process.argv[2] ?? 200_000);
const epochs = Number(process.argv[3] ?? 3);
const PER_ROWS = 200_000;

/**
 * Figures measured by the issue author on this machine (PyTorch cannot be installed here, so they cannot be
 * re-measured by this script): seconds per epoch per 200k rows, same network and batch size.
 */
const ISSUE_AUTHOR_FIGURES = [
  { engine: 'PyTorch, DataLoader (issue author, this machine)', workers: '-', seconds: 0.59 },
  { engine: 'PyTorch, plain batches (issue author, this machine)', workers: '-', seconds: 0.2 },
  { engine: 'plain Float32Array JS trainer (issue author)', workers: '1', seconds: 0.9 },
  { engine: 'plain Float32Array JS trainer (issue author)', workers: '2', seconds: 0.5 },
];

// The rows are made once and handed to each run as a raw float32 file, so a run's peak RSS is the engine
// and its data, not the CSV generator.
const data = await benchRows(rows);
const folder = mkdtempSync(join(tmpdir(), 'cardwatch-epoch-'));
const dataFile = join(folder, 'rows.f32');
writeFileSync(dataFile, data.x);
const loadBefore = loadavg()[0];
const runner = fileURLToPath(new URL('./epoch-run.mjs', import.meta.url));
const results = [];
try {
  for (const workers of [1, 2]) {
    const output = execFileSync(process.execPath, [runner, String(workers), dataFile, String(epochs)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    results.push(JSON.parse(output.trim().split('\n').pop()));
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const scale = PER_ROWS / rows;
const fmt = (s) => s.toFixed(3);
console.log(`data: ${data.source}`);
// Other processes share the cores: the load average says how much the figures below were disturbed.
console.log(
  `cores: ${availableParallelism()}; 1-minute load average before ${loadBefore.toFixed(2)}, after ${loadavg()[0].toFixed(2)}`,
);
console.log(
  `${rows} rows, batch 1024, ${epochs} timed epochs after 1 warm-up epoch; seconds scaled to 200k rows\n`,
);
console.log(
  'engine                                              workers  mean s/epoch  best s/epoch  peak RSS',
);
for (const r of results) {
  const perEpoch = r.seconds.map((s) => s * scale);
  const mean = perEpoch.reduce((a, b) => a + b, 0) / perEpoch.length;
  console.log(
    `${'cardwatch nn (measured now)'.padEnd(52)}${String(r.workers).padEnd(9)}${fmt(mean).padEnd(14)}` +
      `${fmt(Math.min(...perEpoch)).padEnd(14)}${(r.maxRssKb / 1024).toFixed(0)} MB`,
  );
}
for (const f of ISSUE_AUTHOR_FIGURES) {
  console.log(`${f.engine.padEnd(52)}${f.workers.padEnd(9)}${fmt(f.seconds).padEnd(14)}${'-'.padEnd(14)}-`);
}
console.log(
  `\nfinal training loss: ${results.map((r) => `${r.workers} worker(s) ${r.losses.at(-1).toFixed(4)}`).join(', ')}`,
);
