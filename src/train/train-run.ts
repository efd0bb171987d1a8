/**
 * One training run end to end: data → split → fit → evaluate → `runs/<id>/` (resolved config, per-epoch
 * metrics, model, evaluation, plots, provenance). Returns data; printing is the caller's business.
 */
import { mkdirSync } from 'node:fs';
import { stringify as toYaml } from 'yaml';
import type { Config } from '../config/index.js';
import { splitDataset, type PreparedDataset, type SplitIndices } from '../data/index.js';
import { toModelFile } from '../models/index.js';
import { collectProvenance, createRunDir, newRunId, type RunDir, runWeightsSha256 } from '../runs/index.js';
import { describeError } from '../util/errors.js';
import { fitModel } from './fit-model.js';
import type { EpochRecord, FitEvents, FitResult } from './fit-types.js';
import { evaluateModel, type ModelEvaluation, writeEvaluation } from './evaluate-model.js';
import type { RunRecord } from './run-record.js';

export interface TrainRunResult {
  runId: string;
  dir: string;
  fit: FitResult;
  evaluation: ModelEvaluation;
  record: RunRecord;
}

export function splitFor(config: Config, prepared: PreparedDataset): SplitIndices {
  return splitDataset(prepared.dataset, {
    strategy: config.data.split,
    testFraction: config.data.test_fraction,
    valFraction: config.data.val_fraction,
    seed: config.seed,
  });
}

export interface TrainRunOptions extends FitEvents {
  /** Called once the run folder exists, before training starts. */
  onRunCreated?: (run: RunDir) => void;
  /** Preassigned run id (a sweep names its trials before they start); default: a fresh `run-…` id. */
  runId?: string;
  /** Recorded in run.json from the start: the sweep a trial belongs to, the run a reproduction re-runs. */
  origin?: { sweep_id?: string; reproduces?: string };
  /** Seconds spent before trainRun (e.g. loading the data), recorded first in run.json's timings. */
  timings?: Record<string, number>;
}

export async function trainRun(
  config: Config,
  prepared: PreparedDataset,
  options: TrainRunOptions = {},
): Promise<TrainRunResult> {
  const started = performance.now();
  const lap = (() => {
    let last = started;
    return () => {
      const now = performance.now();
      const seconds = (now - last) / 1000;
      last = now;
      return Number(seconds.toFixed(3));
    };
  })();
  const run = createRunDir(config.paths.runs, options.runId ?? newRunId('run'));
  mkdirSync(run.path('scores'), { recursive: true });
  options.onRunCreated?.(run);
  const record: RunRecord = {
    id: run.id,
    status: 'running',
    model_type: config.model.type,
    created_at: new Date().toISOString(),
    finished_at: null,
    duration_seconds: null,
    data_fingerprint: prepared.fingerprint,
    epochs_run: 0,
    best_epoch: 0,
    stopped_early: false,
    train_rows: 0,
    val_rows: 0,
    error: null,
    timings: { ...options.timings },
    ...options.origin,
  };
  run.writeJson('run.json', record);
  run.writeText('config.yaml', toYaml(config));
  run.writeJson(
    'provenance.json',
    collectProvenance({
      seed: config.seed,
      dataFingerprint: prepared.fingerprint,
      workers: config.training.workers,
      dataSource: prepared.meta.source,
    }),
  );
  try {
    const splits = splitFor(config, prepared);
    record.timings.split = lap();
    const fit = await fitModel(config, prepared.dataset, splits, {
      ...options,
      onEpoch: (epoch: EpochRecord) => {
        run.appendJsonLine('metrics.jsonl', epoch);
        options.onEpoch?.(epoch);
      },
    });
    record.timings.fit = lap();
    run.writeJson('model.json', toModelFile(fit.model));
    const evaluation = evaluateModel(fit.model, prepared.dataset, splits, config.evaluation.threshold, {
      alertsPerDay: config.evaluation.alerts_per_day,
    });
    writeEvaluation(run, evaluation, fit.history);
    record.timings.evaluate = lap();
    Object.assign(record, {
      status: 'completed',
      finished_at: new Date().toISOString(),
      duration_seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
      epochs_run: fit.history.length,
      best_epoch: fit.bestEpoch,
      stopped_early: fit.stoppedEarly,
      train_rows: fit.trainRows,
      val_rows: fit.valRows,
      weights_sha256: runWeightsSha256(run.dir),
    } satisfies Partial<RunRecord>);
    run.writeJson('run.json', record);
    return { runId: run.id, dir: run.dir, fit, evaluation, record };
  } catch (error) {
    record.status = 'failed';
    record.error = describeError(error);
    record.finished_at = new Date().toISOString();
    run.writeJson('run.json', record);
    throw error;
  }
}
