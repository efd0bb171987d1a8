/**
 * The CLI side of sweeps (`train --multirun`, `sweep FILE`): check every trial's config before anything
 * runs, prepare the data once, run the trials in parallel processes and print one line per trial start
 * and finish, then the results table ranked by validation AUPRC.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import {
  bestTrial,
  runSweep,
  sweepDir,
  type SweepPlan,
  type SweepSummary,
  type TrialResult,
} from '../experiments/index.js';
import { newRunId } from '../runs/index.js';
import { resolveTrainingData } from '../train/index.js';
import { CardwatchError, describeError } from '../util/errors.js';
import { formatCount } from '../util/progress.js';
import { globalOptions, info, out, resolveConfig } from './context.js';
import { loadDatasetOption } from './dataset-option.js';
import { duration, formatTable, metric } from './table.js';

/** Keys a trial may not change: every trial trains on the one dataset prepared before the sweep starts. */
const FIXED_PREFIXES = ['data.synthetic_path', 'data.synthetic_rows', 'data.prepared_dir', 'paths.'];

export interface SweepCommandOptions {
  /** Trials at once (default: the sweep file's, else the core count). */
  parallel?: number;
  /** A prepared dataset's fingerprint (or prefix) to train every trial on (default: the current dataset). */
  dataset?: string;
}

function keyOf(override: string): string {
  return override.slice(0, override.indexOf('=')).trim();
}

function checkSweptKeys(plan: SweepPlan): void {
  for (const key of Object.keys(plan.trials[0]?.params ?? {})) {
    if (FIXED_PREFIXES.some((prefix) => key === prefix || key.startsWith(prefix))) {
      throw new CardwatchError(
        'CONFIG_OVERRIDE_SYNTAX',
        `a sweep cannot vary ${key}: every trial trains on the one dataset prepared before it starts ` +
          '(prepare another dataset and sweep again to compare data)',
      );
    }
  }
}

/** Validates every trial's config up front, so a typo in the fifth value fails now, not an hour in. */
function checkTrials(command: Command, plan: SweepPlan): Config[] {
  return plan.trials.map((trial) => {
    try {
      return resolveConfig(command, trial.overrides);
    } catch (error) {
      throw new CardwatchError(
        'CONFIG_INVALID',
        `trial ${trial.index} (${Object.entries(trial.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}): ${describeError(error)}`,
        { cause: error },
      );
    }
  });
}

function paramsText(trial: TrialResult): string {
  return Object.entries(trial.params)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

function counter(trial: TrialResult, total: number): string {
  const width = String(total).length;
  return `[${String(trial.index).padStart(width)}/${total}]`;
}

function finishedCount(summary: SweepSummary): number {
  return summary.trials.filter((t) => t.status === 'completed' || t.status === 'failed').length;
}

/** The results table: trials ranked by validation AUPRC (failed ones last), the best marked `*`. */
export function formatSweepTable(summary: SweepSummary): string {
  const keys = Object.keys(summary.trials[0]?.params ?? {});
  const best = bestTrial(summary.trials);
  const ranked = [...summary.trials].sort(
    (a, b) =>
      (b.validation?.average_precision ?? -1) - (a.validation?.average_precision ?? -1) || a.index - b.index,
  );
  return formatTable(
    [
      { header: '' },
      { header: '#', right: true },
      { header: 'run' },
      ...keys.map((key) => ({ header: key, right: true })),
      { header: 'val AUPRC', right: true },
      { header: 'val ROC AUC', right: true },
      { header: 'test AUPRC', right: true },
      { header: 'test ROC AUC', right: true },
      { header: 'epochs', right: true },
      { header: 'time', right: true },
      { header: 'status' },
    ],
    ranked.map((trial) => [
      trial === best ? '*' : '',
      String(trial.index),
      trial.run_id || '-',
      ...keys.map((key) => trial.params[key] ?? ''),
      metric(trial.validation?.average_precision),
      metric(trial.validation?.roc_auc),
      metric(trial.test?.average_precision),
      metric(trial.test?.roc_auc),
      trial.epochs === null ? '-' : String(trial.epochs),
      duration(trial.seconds),
      trial.status === 'failed' ? `failed: ${trial.error ?? ''}` : trial.status,
    ]),
  );
}

/** Runs a planned sweep from the CLI; sets a non-zero exit code when a trial failed. */
export async function runSweepCommand(
  command: Command,
  plan: SweepPlan,
  options: SweepCommandOptions = {},
): Promise<SweepSummary> {
  checkSweptKeys(plan);
  // One training worker per trial unless the sweep says otherwise: trials already fill the cores.
  const setsWorkers = plan.trials.some((t) => t.overrides.some((o) => keyOf(o) === 'training.workers'));
  if (!setsWorkers) for (const trial of plan.trials) trial.overrides.push('training.workers=1');
  const configs = checkTrials(command, plan);
  const cores = availableParallelism();
  const parallel = Math.max(1, Math.min(options.parallel ?? plan.parallel ?? cores, plan.trials.length));
  const workers = Math.max(...configs.map((c) => c.training.workers));
  if (parallel * workers > cores) {
    info(
      `sweep: warning: ${parallel} trials × ${workers} workers > ${cores} cores; trials will slow each other down`,
    );
  }

  // The data is resolved (generated and prepared on first use) once, so trials never race to write it.
  const base = resolveConfig(command, plan.fixed);
  const prepared =
    options.dataset === undefined
      ? await resolveTrainingData(base, { log: info })
      : loadDatasetOption(base, options.dataset);
  const sweepId = newRunId('sweep');
  const total = plan.trials.length;
  const axes = Object.keys(plan.trials[0]?.params ?? {}).join(' × ');
  info(
    `sweep ${sweepId}: ${total} trials (${plan.method}${plan.method === 'random' ? `, seed ${plan.seed}` : ''} over ${axes}), ` +
      `${parallel} at a time, ${setsWorkers ? 'training.workers as set' : '1 training worker each'}; ` +
      `data ${prepared.fingerprint.slice(0, 12)} (${formatCount(prepared.dataset.rows)} rows)`,
  );
  const verbose = globalOptions(command).verbose ?? false;
  const configFile = globalOptions(command).config;
  const summary = await runSweep({
    plan,
    sweepId,
    runsDir: base.paths.runs,
    dataFingerprint: prepared.fingerprint,
    parallel,
    workersPerTrial: setsWorkers ? null : 1,
    globalArgs: [...(configFile ? ['--config', configFile] : []), ...(verbose ? ['--verbose'] : [])],
    onTrialStart: (trial) => info(`${counter(trial, total)} start   ${trial.run_id}  ${paramsText(trial)}`),
    onTrialEnd: (trial, current) => {
      const progress = `${finishedCount(current)}/${total} finished`;
      if (trial.status === 'completed') {
        info(
          `${counter(trial, total)} done    ${trial.run_id}  val AUPRC ${metric(trial.validation?.average_precision)}` +
            `  val ROC AUC ${metric(trial.validation?.roc_auc)}  ${trial.epochs} epoch${trial.epochs === 1 ? '' : 's'}  ${duration(trial.seconds)}` +
            `  (${progress})`,
        );
      } else {
        info(`${counter(trial, total)} FAILED  ${trial.run_id}  ${trial.error ?? ''}  (${progress})`);
      }
    },
  });

  out(formatSweepTable(summary));
  const best = bestTrial(summary.trials);
  const failed = summary.trials.filter((t) => t.status === 'failed').length;
  out(
    `\nsweep ${summary.id}: ${total - failed}/${total} trials completed in ${duration(summary.wall_seconds)} ` +
      `(${parallel} at a time) → ${sweepDir(base.paths.runs, summary.id)}/summary.json`,
  );
  if (best) {
    out(
      `best by validation AUPRC: ${best.run_id} (${paramsText(best)}) — val AUPRC ${metric(best.validation?.average_precision)}, ` +
        `test AUPRC ${metric(best.test?.average_precision)} (test reported, never used to choose)`,
    );
  }
  if (failed > 0) {
    info(
      `sweep: ${failed} trial(s) failed; their logs are in ${sweepDir(base.paths.runs, summary.id)}/logs/`,
    );
    process.exitCode = 1;
  }
  return summary;
}
