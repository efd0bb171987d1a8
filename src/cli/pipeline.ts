/**
 * The steps `train`, `export` and `start` share: train a run with progress, and turn a run into a verified
 * model bundle. They sit at the top floor because they join training (train) and packaging (bundle).
 */
import type { Config } from '../config/index.js';
import {
  selectColumns,
  type Dataset,
  type PreparedDataset,
  type SplitIndices,
  KAGGLE_COLUMNS,
  INPUT_COLUMNS,
} from '../data/index.js';
import { exportBundle, type BundleManifest } from '../bundle/index.js';
import { scoreModel } from '../models/index.js';
import { describeModel, modelGraph } from './model-graph.js';
import { latestRunId } from '../runs/index.js';
import { evaluationReportSchema } from '../evaluate/index.js';
import {
  openRun,
  runDataset,
  splitFor,
  trainRun,
  type TrainRunOptions,
  type TrainRunResult,
  resolveTrainingData,
} from '../train/index.js';
import { formatEvaluationSummary } from '../evaluate/index.js';
import { CardwatchError } from '../util/errors.js';
import { Prng } from '../util/prng.js';
import { createProgress, formatCount } from '../util/progress.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PipelineIo {
  /** Human-readable lines (stderr by default). */
  log: (line: string) => void;
  silent?: boolean;
}

export const stderrIo: PipelineIo = { log: (line) => process.stderr.write(`${line}\n`) };

export interface TrainWithProgressOptions {
  /** Train on this dataset instead of the current one (sweeps and `reproduce` pin it by fingerprint). */
  prepared?: PreparedDataset;
  /** Seconds the caller spent loading `prepared` (recorded as the run's `data` timing). */
  preparedSeconds?: number;
  /** Passed on to trainRun; its epoch hooks run before the progress display's
   * (so a profile's clock does not count drawing the bar). */
  run?: Pick<TrainRunOptions, 'runId' | 'origin' | 'onEpoch' | 'onEpochProgress'>;
  /** Data phases (`load`, `generate`, `prepare: parse` …) as they end (profiling). */
  onDataPhase?: (name: string, seconds: number) => void;
}

export async function trainWithProgress(
  config: Config,
  io: PipelineIo = stderrIo,
  options: TrainWithProgressOptions = {},
): Promise<TrainRunResult> {
  const dataStarted = performance.now();
  const prepared =
    options.prepared ??
    (await resolveTrainingData(config, {
      ...io,
      ...(options.onDataPhase ? { onPhase: options.onDataPhase } : {}),
    }));
  const dataSeconds = Number(((performance.now() - dataStarted) / 1000).toFixed(3));
  let bar: ReturnType<typeof createProgress> | null = null;
  const epochs = config.training.epochs;
  io.log(
    `train: ${describeModel(config.model)}, ${config.training.workers} worker(s), ` +
      `batch ${config.training.batch_size}, lr ${config.training.lr}, up to ${epochs} epochs`,
  );
  const result = await trainRun(config, prepared, {
    ...(options.run?.runId ? { runId: options.run.runId } : {}),
    ...(options.run?.origin ? { origin: options.run.origin } : {}),
    // Loading (or generating and preparing) the data is part of what a run costs; a pinned dataset was
    // loaded by the caller.
    timings: options.prepared
      ? options.preparedSeconds === undefined
        ? {}
        : { data: Number(options.preparedSeconds.toFixed(3)) }
      : { data: dataSeconds },
    onRunCreated: (run) => io.log(`train: run ${run.id} → ${run.dir}`),
    onEpochProgress: (epoch, done, total, phase) => {
      options.run?.onEpochProgress?.(epoch, done, total, phase);
      if (!bar)
        bar = createProgress({
          // The hybrid trains two networks in turn: its epochs are labelled with the one they train.
          label: `${phase === undefined ? '' : `${phase} `}epoch ${epoch}/${epochs}`,
          total,
          unit: 'rows',
          silent: io.silent ?? false,
        });
      bar.update(done);
    },
    onEpoch: (record) => {
      options.run?.onEpoch?.(record);
      const ap = record.val_average_precision;
      const detail =
        `loss ${record.train_loss.toFixed(5)}  val ${record.val_loss.toFixed(5)}  ` +
        (ap === undefined ? '' : `val AUPRC ${ap.toFixed(4)}  `) +
        `${formatCount(record.rows_per_second)} rows/s${record.improved ? '  *best' : ''}`;
      if (bar) bar.finish(detail);
      else
        io.log(
          `${record.phase === undefined ? '' : `${record.phase} `}epoch ${record.epoch}/${epochs}: ${detail}`,
        );
      bar = null;
    },
  });
  if (result.fit.stoppedEarly) {
    io.log(
      `train: early stop after epoch ${result.fit.history.length}; best epoch ${result.fit.bestEpoch} kept`,
    );
  }
  io.log(formatEvaluationSummary(result.evaluation.report));
  return result;
}

function sampleIndices(indices: Uint32Array, count: number, seed: number): Uint32Array {
  if (indices.length <= count) return indices.slice();
  const copy = indices.slice();
  new Prng(seed, 7).shuffle(copy);
  return copy.subarray(0, count).sort();
}

function rowsOf(dataset: Dataset, indices: Uint32Array, columns: readonly string[]): number[][] {
  const x = selectColumns(dataset, columns, indices);
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i++)
    out.push(Array.from(x.subarray(i * columns.length, (i + 1) * columns.length)));
  return out;
}

function byLabel(dataset: Dataset, indices: Uint32Array, label: number): Uint32Array {
  return indices.filter((index) => dataset.y?.[index] === label);
}

export interface ExportedBundle {
  id: string;
  dir: string;
  manifest: BundleManifest;
}

/** Packages a completed run as an immutable, verified bundle under `config.paths.models`. */
export interface ExportRunOptions {
  /** Also write `model.int8.onnx` (default true). */
  int8?: boolean;
  /** Fraction of each layer's smallest weights zeroed before int8 quantization (default 0). */
  prune?: number;
}

export async function exportRun(
  runsDir: string,
  runId: string | undefined,
  modelsDir: string,
  options: ExportRunOptions = {},
): Promise<ExportedBundle> {
  const id = runId ?? latestRunId(runsDir);
  if (!id)
    throw new CardwatchError('RUN_NOT_FOUND', `no runs under ${runsDir}: run \`cardwatch train\` first`);
  const run = openRun(runsDir, id);
  const prepared = runDataset(run);
  const splits: SplitIndices = splitFor(run.config, prepared);
  const dataset = prepared.dataset;
  const report = evaluationReportSchema.parse(
    JSON.parse(readFileSync(join(run.dir, 'evaluation.json'), 'utf8')),
  );
  const seed = run.config.seed;

  // Reference sample for drift checks: training rows, all 30 input columns + Class + the model's score.
  const refIdx = sampleIndices(splits.train, 5000, seed);
  const refX = selectColumns(dataset, INPUT_COLUMNS, refIdx);
  const refScores = scoreModel(run.model, selectColumns(dataset, run.model.features, refIdx), refIdx.length, {
    contributions: false,
  }).scores;
  const width = KAGGLE_COLUMNS.length + 1;
  const reference = new Float32Array(refIdx.length * width);
  for (let i = 0; i < refIdx.length; i++) {
    reference.set(refX.subarray(i * INPUT_COLUMNS.length, (i + 1) * INPUT_COLUMNS.length), i * width);
    reference[i * width + INPUT_COLUMNS.length] = dataset.y?.[refIdx[i]!] ?? 0;
    reference[i * width + INPUT_COLUMNS.length + 1] = refScores[i]!;
  }

  // Parity rows: test rows, every fraud among them, scored by the training engine.
  const testFrauds = byLabel(dataset, splits.test, 1);
  const parityIdx = Uint32Array.from(
    new Set([...sampleIndices(testFrauds, 200, seed), ...sampleIndices(splits.test, 800, seed + 1)]),
  ).sort();
  const parityX = selectColumns(dataset, run.model.features, parityIdx);
  const expectedScores = scoreModel(run.model, parityX, parityIdx.length, { contributions: false }).scores;

  return exportBundle({
    modelsDir,
    id: `${run.model.type}-${id.replace(/^run-/, '')}`,
    modelType: run.model.type,
    graph: modelGraph(run.model),
    threshold: { value: report.threshold.value, strategy: report.threshold.strategy },
    metrics: { validation: report.validation, test: report.test },
    config: run.config as unknown as Record<string, unknown>,
    dataFingerprint: run.record.data_fingerprint,
    runId: id,
    gitCommit: readGitCommit(run.dir),
    referenceSample: { columns: [...KAGGLE_COLUMNS, 'score'], rows: reference, count: refIdx.length },
    examples: {
      normal: rowsOf(dataset, sampleIndices(byLabel(dataset, splits.test, 0), 5, seed), INPUT_COLUMNS),
      fraud: rowsOf(dataset, sampleIndices(testFrauds, 5, seed), INPUT_COLUMNS),
    },
    // Labels let the manifest record ROC AUC / AUPRC of both the float32 and the int8 variant.
    parity: {
      x: parityX,
      rows: parityIdx.length,
      expectedScores,
      labels: Uint8Array.from(parityIdx, (i) => dataset.y?.[i] ?? 0),
    },
    int8: options.int8 === false ? false : { prune: options.prune ?? 0 },
  });
}

function readGitCommit(runDir: string): string | null {
  try {
    const provenance = JSON.parse(readFileSync(join(runDir, 'provenance.json'), 'utf8')) as {
      git_commit?: unknown;
    };
    return typeof provenance.git_commit === 'string' ? provenance.git_commit : null;
  } catch {
    return null;
  }
}

export function describeBundle(bundle: ExportedBundle): string {
  const m = bundle.manifest;
  const test = m.metrics?.test;
  const metrics = test
    ? `test ROC AUC ${test.roc_auc.toFixed(4)}, AUPRC ${test.average_precision.toFixed(4)}`
    : 'no evaluation metrics (imported model)';
  return (
    `bundle ${m.id} → ${bundle.dir}\n` +
    `  threshold ${m.threshold.value.toPrecision(5)} (${m.threshold.strategy}); ${metrics}; ` +
    `ONNX parity max |Δ| ${m.parity.max_abs_diff.toExponential(2)} on ${m.parity.rows} rows`
  );
}
