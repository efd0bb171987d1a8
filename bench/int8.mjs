// int8 vs float32 bench: file size, single-row latency, batch rows/s, ROC AUC / AUPRC and agreement with
// float32, for the variants cardwatch can write (src/bundle/onnx-int8.ts), all run by ONNX Runtime through the
// same session wrapper the scorer uses (src/bundle/onnx-runtime.ts).
//
// Model A is the PyTorch-trained autoencoder of ../shared/fixtures/pytorch-onnx (28→32→16→32→28, the Kaggle
// default size), imported as a cardwatch graph; it is scored on the built-in synthetic Kaggle dataset (all rows
// are held out for it: it was trained elsewhere). Model B is a wide random-weight autoencoder
// (28→512→128→512→28) that shows how the schemes scale with layer width; its AUC means nothing and is not shown.
//
// Optional C: with `--trained DIR` (a folder where `cardwatch train && cardwatch export` ran), the newest bundle
// there is loaded through the real front door (loadScorer, both engines) and scored on its run's TEST split.
//
// Runs the BUILT code: `npx tsc -p tsconfig.build.json` first (dist/bundle, dist/data, dist/evaluate, and
// dist/train for --trained).
// Usage: node bench/int8.mjs [rows=284807] [--trained DIR]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const trainedAt = args.indexOf('--trained');
const trainedDir = trainedAt >= 0 ? args.splice(trainedAt, 2)[1] : null;
const rowsWanted = Number(args[0] ?? 284_807);
const FIXTURE = fileURLToPath(new URL('../../shared/fixtures/pytorch-onnx/', import.meta.url));
const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const CHUNK = 65_536;
const LATENCY_ROUNDS = 5;
const LATENCY_CALLS = 2_000;
const BATCH_ROUNDS = 5;
const INDEPENDENCE_ROWS = 2_000;

for (const module of ['bundle', 'data', 'evaluate']) {
  if (!existsSync(fileURLToPath(new URL(`../dist/${module}/index.js`, import.meta.url)))) {
    console.error(`dist/${module} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
    process.exit(1);
  }
}
const bundle = await import('../dist/bundle/index.js');
const data = await import('../dist/data/index.js');
const { rocAuc, averagePrecision } = await import('../dist/evaluate/metrics.js');

// ---- data: the synthetic Kaggle dataset, V1..V28 raw, with Class --------------------------------------------
const scalerJson = JSON.parse(readFileSync(join(FIXTURE, 'scaler.json'), 'utf8'));
const golden = JSON.parse(readFileSync(join(FIXTURE, 'golden.json'), 'utf8'));
const sourceBytes = readFileSync(join(FIXTURE, 'model.onnx'));
const spec = bundle.importDenseAutoencoder(sourceBytes, scalerJson);
const { dataset } = data.parseKaggleCsv(data.generateSyntheticCsv({ rows: rowsWanted, seed: 42 }));
const rows = dataset.rows;
const features = spec.inputColumns.length;
const x = data.selectColumns(dataset, spec.inputColumns);
const y = dataset.y;
const frauds = y.reduce((a, b) => a + b, 0);
const threshold = golden.threshold;

// ---- variants -----------------------------------------------------------------------------------------------
const INT8_CONFIGS = [
  { name: 'int8 weight-only', options: { scheme: 'weight-only' } },
  { name: 'int8 weight-only, prune 0.2', options: { scheme: 'weight-only', prune: 0.2 } },
  { name: 'int8 dynamic', options: { scheme: 'dynamic' } },
];
function variantsOf(graph) {
  return [
    { name: 'float32', bytes: bundle.buildDenseOnnxModel(graph), options: null },
    ...INT8_CONFIGS.map((c) => ({ ...c, bytes: bundle.buildInt8OnnxModel(graph, c.options).bytes })),
  ];
}

/** A wide random-weight autoencoder on the fixture's scaler (so the same raw rows are meaningful input). */
function wideGraph() {
  let state = 7;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const dims = [28, 512, 128, 512, 28];
  const layers = dims.slice(1).map((outDim, i) => {
    const inDim = dims[i];
    return {
      inDim,
      outDim,
      weight: Float32Array.from(
        { length: inDim * outDim },
        () => ((next() * 2 - 1) * 1.7) / Math.sqrt(inDim),
      ),
      bias: Float32Array.from({ length: outDim }, () => (next() * 2 - 1) * 0.05),
      activation: i < dims.length - 2 ? 'relu' : 'none',
    };
  });
  return { ...spec, layers };
}

// ---- measurement --------------------------------------------------------------------------------------------
/** Scores of all rows, chunked like the scorer, `score` output only (what bulk scoring fetches). */
async function scoreAll(session, n) {
  const scores = new Float32Array(n);
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    await session.run(
      { input: { data: x.subarray(start * features, end * features), dims: [end - start, features] } },
      { score: { data: scores.subarray(start, end), dims: [end - start] } },
    );
  }
  return scores;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function measure(model, n) {
  const opened = [];
  for (const v of model) {
    // One thread for a single request (as the API runs it); ORT's default pool for batches.
    v.single = await bundle.openOnnxSession(v.bytes, { intraOpThreads: 1 });
    v.batch = await bundle.openOnnxSession(v.bytes);
    opened.push(v.single, v.batch);
    v.latencies = [];
    v.throughputs = [];
    v.throughputs1 = [];
  }
  const one = { input: { data: x.subarray(0, features), dims: [1, features] } };
  for (const v of model) for (let i = 0; i < 300; i++) await v.single.run(one); // warm-up
  // Rounds interleave the variants so that a noisy neighbour slows all of them, not one.
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const v of model) {
      for (let i = 0; i < LATENCY_CALLS; i++) {
        const row = x.subarray((i % 1000) * features, ((i % 1000) + 1) * features);
        const t = performance.now();
        await v.single.run({ input: { data: row, dims: [1, features] } }); // score + contributions, as /predict
        v.latencies.push((performance.now() - t) * 1000);
      }
    }
  }
  for (let round = 0; round < BATCH_ROUNDS; round++) {
    for (const v of model) {
      let t = performance.now();
      v.scores = await scoreAll(v.batch, n);
      v.throughputs.push(n / ((performance.now() - t) / 1000));
      t = performance.now();
      await scoreAll(v.single, n);
      v.throughputs1.push(n / ((performance.now() - t) / 1000));
    }
  }
  // Does a row's score depend on the rest of the batch? Row alone vs the same row inside the 65,536-row chunk.
  for (const v of model) {
    let worst = 0;
    for (let r = 0; r < INDEPENDENCE_ROWS; r++) {
      const out = await v.single.run({
        input: { data: x.subarray(r * features, (r + 1) * features), dims: [1, features] },
      });
      worst = Math.max(worst, Math.abs(out.score.data[0] - v.scores[r]) / Math.max(v.scores[r], 1e-12));
    }
    v.batchDependence = worst;
  }
  for (const session of opened) await session.dispose();
  const reference = model[0].scores;
  for (const v of model) {
    v.agreement = bundle.compareScores(reference, v.scores, threshold);
    delete v.single;
    delete v.batch;
  }
}

/** Would `cardwatch models import` (and so export) accept this int8 configuration? Runs the real gate. */
async function exportGate(options) {
  const dir = mkdtempSync(join(tmpdir(), 'cardwatch-int8-bench-'));
  try {
    const { manifest } = await bundle.importOnnxBundle({
      modelsDir: dir,
      onnxPath: join(FIXTURE, 'model.onnx'),
      scalerPath: join(FIXTURE, 'scaler.json'),
      threshold,
      id: 'bench',
      int8: options,
    });
    return `pass (ρ ${manifest.variants.int8.rank_correlation.toFixed(4)})`;
  } catch (error) {
    const rho = /Spearman (-?[\d.]+)/.exec(String(error.message))?.[1];
    return error.code === 'EXPORT_PARITY' ? `refused (ρ ${rho})` : `error: ${error.message}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- run ----------------------------------------------------------------------------------------------------
const loadBefore = loadavg()[0];
const modelA = variantsOf(spec);
await measure(modelA, rows);
for (const v of modelA) {
  v.rocAuc = rocAuc(v.scores, y);
  v.ap = averagePrecision(v.scores, y);
  v.gate = v.options === null ? '—' : await exportGate(v.options);
}
const wideRows = Math.min(rows, 4 * CHUNK);
const modelB = variantsOf(wideGraph()).filter((v) => !v.name.includes('prune'));
await measure(modelB, wideRows);
const trained = trainedDir === null ? null : await measureTrained(trainedDir);

/** C: the newest bundle of a trained project folder, both engines through loadScorer, on its run's test split. */
async function measureTrained(dir) {
  const { openRun, runDataset, splitFor } = await import('../dist/train/index.js');
  process.chdir(dir); // the run's config names its data folders relative to the project
  const [newest] = bundle
    .listBundles('models')
    .filter((b) => b.error === undefined && b.source === 'training');
  if (newest === undefined)
    throw new Error(`${dir}/models has no trained bundle: run cardwatch train && export`);
  const scorer = await bundle.loadScorer('models', newest.id);
  try {
    const run = openRun('runs', scorer.manifest.run_id);
    const prepared = runDataset(run);
    const test = splitFor(run.config, prepared).test;
    const testX = data.selectColumns(prepared.dataset, scorer.inputColumns, test);
    const labels = Uint8Array.from(test, (i) => prepared.dataset.y[i]);
    const result = {
      id: newest.id,
      rows: test.length,
      frauds: labels.reduce((a, b) => a + b, 0),
      engines: {},
    };
    for (const engine of scorer.engines) {
      const { scores } = await scorer.score(testX, test.length, { engine, contributions: false });
      result.engines[engine] = {
        scores,
        rocAuc: rocAuc(scores, labels),
        ap: averagePrecision(scores, labels),
      };
    }
    if (result.engines.int8 !== undefined) {
      result.agreement = bundle.compareScores(
        result.engines.float32.scores,
        result.engines.int8.scores,
        scorer.threshold,
      );
    }
    result.manifestInt8 = scorer.manifest.variants.int8 ?? null;
    return result;
  } finally {
    await scorer.dispose();
  }
}

// ---- report -------------------------------------------------------------------------------------------------
const fmt = (value, digits) => (value === null ? 'n/a' : value.toFixed(digits));
const signed = (value, digits) => (value >= 0 ? '+' : '') + value.toFixed(digits);
function table(title, model, n, withMetrics) {
  const base = model[0];
  const lines = model.map((v) => ({
    variant: v.name,
    bytes: String(v.bytes.length),
    'vs f32': (v.bytes.length / base.bytes.length).toFixed(2),
    '1-row p50 µs': fmt(median(v.latencies), 1),
    '1-row p99 µs': fmt(percentile(v.latencies, 99), 1),
    'batch rows/s 1 thr': Math.round(median(v.throughputs1)).toLocaleString('en-US'),
    'batch rows/s ORT thr': Math.round(median(v.throughputs)).toLocaleString('en-US'),
    ...(withMetrics
      ? {
          'ROC AUC': `${v.rocAuc.toFixed(5)} (${signed(v.rocAuc - base.rocAuc, 5)})`,
          AUPRC: `${v.ap.toFixed(5)} (${signed(v.ap - base.ap, 5)})`,
        }
      : {}),
    'Spearman vs f32': v.agreement.rank_correlation.toFixed(6),
    'mean/max rel Δ': `${v.agreement.mean_rel_diff.toExponential(1)} / ${v.agreement.max_rel_diff.toExponential(1)}`,
    'flags agree': `${(v.agreement.flag_agreement * 100).toFixed(3)}%`,
    'batch-dep. max rel Δ': v.batchDependence.toExponential(1),
    ...(withMetrics ? { 'export gate': v.gate } : {}),
  }));
  const keys = Object.keys(lines[0]);
  const widths = keys.map((k) => Math.max(k.length, ...lines.map((l) => l[k].length)));
  const row = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${title} — ${n.toLocaleString('en-US')} rows`);
  console.log(row(keys));
  console.log(row(widths.map((w) => '-'.repeat(w))));
  for (const l of lines) console.log(row(keys.map((k) => l[k])));
}

const ortVersion = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../node_modules/onnxruntime-node/package.json', import.meta.url)),
    'utf8',
  ),
).version;
console.log(
  `cardwatch int8 bench: node ${process.version}, onnxruntime-node ${ortVersion}, ${cpus()[0]?.model ?? '?'} ` +
    `× ${availableParallelism()}, load ${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
);
console.log(
  `data: built-in synthetic Kaggle set, seed 42, ${rows.toLocaleString('en-US')} rows, ${frauds} frauds; ` +
    `flags at the fixture threshold ${threshold.toPrecision(4)}`,
);
table('A: PyTorch autoencoder 28→32→16→32→28 (imported fixture)', modelA, rows, true);
table('B: wide random-weight autoencoder 28→512→128→512→28', modelB, wideRows, false);
console.log(
  '\n1-row: one ORT call (1 intra-op thread) returning score + contributions, as /predict does; batch: score ' +
    `only, ${CHUNK}-row chunks, 1 intra-op thread and ORT's default pool (one per core). Latency = all ${LATENCY_ROUNDS}×${LATENCY_CALLS} calls; ` +
    `rows/s = median of ${BATCH_ROUNDS} passes. batch-dep.: first ${INDEPENDENCE_ROWS} rows scored alone vs ` +
    'inside their chunk. export gate: the real import of the fixture with that int8 option (Spearman ≥ 0.99 on ' +
    'its 512 verification rows).',
);
if (trained !== null) {
  const f = trained.engines.float32;
  const q = trained.engines.int8;
  console.log(
    `\nC: trained bundle ${trained.id}, its run's test split — ${trained.rows.toLocaleString('en-US')} rows, ` +
      `${trained.frauds} frauds (loadScorer, engine per call)`,
  );
  console.log(`  float32  ROC AUC ${f.rocAuc.toFixed(5)}  AUPRC ${f.ap.toFixed(5)}`);
  if (q === undefined) console.log('  (no int8 variant: exported before int8 existed)');
  else {
    const a = trained.agreement;
    console.log(
      `  int8     ROC AUC ${q.rocAuc.toFixed(5)} (${signed(q.rocAuc - f.rocAuc, 5)})  AUPRC ${q.ap.toFixed(5)} ` +
        `(${signed(q.ap - f.ap, 5)})  Spearman ${a.rank_correlation.toFixed(6)}  flags agree ` +
        `${(a.flag_agreement * 100).toFixed(3)}%  mean/max rel Δ ${a.mean_rel_diff.toExponential(1)} / ` +
        `${a.max_rel_diff.toExponential(1)}; at export (parity rows): ρ ${trained.manifestInt8.rank_correlation.toFixed(4)}`,
    );
  }
}

mkdirSync(OUT, { recursive: true });
const strip = (model) =>
  model.map((v) => ({
    variant: v.name,
    bytes: v.bytes.length,
    latency_us_p50: median(v.latencies),
    latency_us_p99: percentile(v.latencies, 99),
    rows_per_second_1_thread: median(v.throughputs1),
    rows_per_second: median(v.throughputs),
    roc_auc: v.rocAuc ?? null,
    average_precision: v.ap ?? null,
    agreement: v.agreement,
    batch_dependence_max_rel: v.batchDependence,
    export_gate: v.gate ?? null,
  }));
writeFileSync(
  join(OUT, 'int8.json'),
  `${JSON.stringify(
    {
      rows,
      frauds,
      ort: ortVersion,
      a: strip(modelA),
      b: strip(modelB),
      c:
        trained === null
          ? null
          : {
              id: trained.id,
              rows: trained.rows,
              frauds: trained.frauds,
              engines: Object.fromEntries(
                Object.entries(trained.engines).map(([k, v]) => [
                  k,
                  { roc_auc: v.rocAuc, average_precision: v.ap },
                ]),
              ),
              agreement: trained.agreement ?? null,
            },
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${join(OUT, 'int8.json')}`);
