// One bench configuration in its own process (so its peak RSS is its own): prints one JSON line.
// Usage: node bench/epoch-run.mjs <workers> <rows.f32: raw float32 rows × 28> <epochs>
import { existsSync, readFileSync } from 'node:fs';

/**
 * Peak RSS of this process in kB. On Linux from VmHWM: `process.resourceUsage().maxRSS` (getrusage) carries
 * over the parent's RSS at fork, since it survives exec, so a child of a big parent (epoch.mjs after
 * generating the data) reported the parent's peak rather than its own.
 */
function peakRssKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Number(match[1]);
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS;
}
import { fileURLToPath } from 'node:url';

const workers = Number(process.argv[2]);
const bytes = readFileSync(process.argv[3]);
const epochs = Number(process.argv[4]);
const x = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const rows = x.length / 28;
const entry = new URL('../dist/nn/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('dist/nn is not built: run `npx tsc -p tsconfig.build.json` first');
  process.exit(1);
}
const nn = await import(entry.href);

/** The reference autoencoder of the issue: 28→32(ReLU)→dropout(0.1)→16(ReLU)→32(ReLU)→28, MSE. */
const spec = {
  inputDim: 28,
  layers: [
    { kind: 'dense', units: 32 },
    { kind: 'relu' },
    { kind: 'dropout', rate: 0.1 },
    { kind: 'dense', units: 16 },
    { kind: 'relu' },
    { kind: 'dense', units: 32 },
    { kind: 'relu' },
    { kind: 'dense', units: 28 },
  ],
};

const trainer = await nn.createTrainer(
  { spec, loss: 'mse', lr: 1e-3, weightDecay: 1e-5, batchSize: 1024, workers, seed: 42 },
  { x, target: x, rows },
  nn.initParameters(spec, 42),
);
const seconds = [];
const losses = [];
try {
  // One warm-up epoch (JIT), not counted.
  await trainer.epoch();
  for (let e = 0; e < epochs; e++) {
    const result = await trainer.epoch();
    seconds.push(result.seconds);
    losses.push(result.loss);
  }
} finally {
  await trainer.close();
}
console.log(
  JSON.stringify({
    workers,
    rows,
    seconds,
    losses,
    maxRssKb: peakRssKb(),
  }),
);
