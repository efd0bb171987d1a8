/**
 * Runs a sweep's trials in parallel, each in its own process of the built CLI (`cardwatch train` with a
 * preassigned run id): a process per trial isolates memory and crashes, and one trial per core with one
 * training worker each keeps the cores busy without oversubscribing them.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newRunId, readRunSummary, type RunSummary } from '../runs/index.js';
import { describeError } from '../util/errors.js';
import {
  bestTrial,
  type SweepSummary,
  sweepDir,
  type TrialResult,
  writeSweepSummary,
} from './sweep-summary.js';
import type { SweepPlan, TrialPlan } from './sweep-spec.js';

/** The package's CLI launcher (`bin/cardwatch.js`), the same path from `src/` (tests) and `dist/`. */
export const CLI_LAUNCHER = fileURLToPath(new URL('../../bin/cardwatch.js', import.meta.url));

export interface RunSweepOptions {
  plan: SweepPlan;
  sweepId: string;
  runsDir: string;
  /** Every trial trains on this prepared dataset (resolved once, before the first trial starts). */
  dataFingerprint: string;
  /** Trials running at once. */
  parallel: number;
  /** Training workers per trial when the sweep sets it (recorded in the summary), else null. */
  workersPerTrial: number | null;
  /** Options placed before the `train` command, e.g. ['--config', 'my.yaml']. */
  globalArgs?: readonly string[];
  /** The CLI launcher to run (default: this package's). */
  cli?: string;
  /** The working directory of the trials (default: this process's). */
  cwd?: string;
  onTrialStart?: (trial: TrialResult, summary: SweepSummary) => void;
  onTrialEnd?: (trial: TrialResult, summary: SweepSummary) => void;
}

function pendingTrial(plan: TrialPlan): TrialResult {
  return {
    index: plan.index,
    run_id: '',
    params: plan.params,
    overrides: plan.overrides,
    status: 'pending',
    started_at: null,
    finished_at: null,
    seconds: null,
    epochs: null,
    validation: null,
    test: null,
    error: null,
  };
}

/** The last `error: …` line a failed trial printed, else the tail of its log. */
function errorFromLog(logPath: string, exitCode: number | null, signal: string | null): string {
  const text = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const error = lines.filter((line) => /^(error|internal error):/.test(line)).at(-1);
  const how = signal === null ? `exit code ${exitCode}` : `signal ${signal}`;
  return error ?? `${how}: ${lines.at(-1) ?? 'no output'}`;
}

function outcome(run: RunSummary | null): Partial<TrialResult> {
  const evaluation = run?.evaluation;
  return {
    epochs: run?.record?.epochs_run ?? null,
    validation: evaluation
      ? {
          roc_auc: evaluation.validation.roc_auc,
          average_precision: evaluation.validation.average_precision,
        }
      : null,
    test: evaluation
      ? { roc_auc: evaluation.test.roc_auc, average_precision: evaluation.test.average_precision }
      : null,
  };
}

function readRunOrNull(runsDir: string, runId: string): RunSummary | null {
  try {
    return readRunSummary(runsDir, runId);
  } catch {
    return null; // the trial failed before it created its run (e.g. it could not start)
  }
}

/**
 * Runs every trial of `plan` (at most `parallel` at once), keeps `summary.json` current, and resolves with
 * the final summary. A failed trial is recorded and the others go on; the summary's status is then `failed`.
 */
export async function runSweep(options: RunSweepOptions): Promise<SweepSummary> {
  const { plan, runsDir, sweepId } = options;
  const started = performance.now();
  const logs = join(sweepDir(runsDir, sweepId), 'logs');
  mkdirSync(logs, { recursive: true });
  const summary: SweepSummary = {
    format_version: 1,
    id: sweepId,
    status: 'running',
    method: plan.method,
    source: plan.source,
    name: plan.name,
    seed: plan.seed,
    created_at: new Date().toISOString(),
    finished_at: null,
    wall_seconds: null,
    parallel: options.parallel,
    workers_per_trial: options.workersPerTrial,
    data_fingerprint: options.dataFingerprint,
    fixed_overrides: plan.fixed,
    selection: { metric: 'validation.average_precision' },
    best_run_id: null,
    trials: plan.trials.map(pendingTrial),
  };
  const save = (): void => {
    summary.best_run_id = bestTrial(summary.trials)?.run_id ?? null;
    writeSweepSummary(runsDir, summary);
  };
  save();

  const children = new Set<ReturnType<typeof spawn>>();
  // If this process dies (an uncaught error, process.exit), its trials must not train on as orphans.
  const killChildren = (): void => children.forEach((child) => child.kill());
  process.once('exit', killChildren);

  const runTrial = async (trial: TrialResult): Promise<void> => {
    trial.run_id = newRunId('run');
    trial.status = 'running';
    trial.started_at = new Date().toISOString();
    const trialStarted = performance.now();
    save();
    options.onTrialStart?.(trial, summary);
    const logPath = join(logs, `${trial.run_id}.log`);
    const log = openSync(logPath, 'w');
    const args = [
      options.cli ?? CLI_LAUNCHER,
      ...(options.globalArgs ?? []),
      'train',
      '--run-id',
      trial.run_id,
      '--sweep-id',
      sweepId,
      '--dataset',
      options.dataFingerprint,
      ...trial.overrides,
    ];
    const exit = await new Promise<{ code: number | null; signal: string | null; error?: unknown }>(
      (resolve) => {
        const child = spawn(process.execPath, args, {
          cwd: options.cwd ?? process.cwd(),
          stdio: ['ignore', log, log],
          env: { ...process.env, NO_COLOR: '1' },
        });
        children.add(child);
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
        child.once('exit', (code, signal) => {
          children.delete(child);
          resolve({ code, signal });
        });
      },
    );
    closeSync(log);
    const run = readRunOrNull(runsDir, trial.run_id);
    Object.assign(trial, outcome(run));
    trial.finished_at = new Date().toISOString();
    trial.seconds = Number(((performance.now() - trialStarted) / 1000).toFixed(3));
    if (exit.code === 0 && run?.record?.status === 'completed') {
      trial.status = 'completed';
    } else {
      trial.status = 'failed';
      trial.error =
        exit.error !== undefined
          ? describeError(exit.error)
          : (run?.record?.error ?? errorFromLog(logPath, exit.code, exit.signal));
    }
    save();
    options.onTrialEnd?.(trial, summary);
  };

  try {
    let next = 0;
    const lanes = Array.from({ length: Math.min(options.parallel, summary.trials.length) }, async () => {
      while (next < summary.trials.length) await runTrial(summary.trials[next++]!);
    });
    await Promise.all(lanes);
  } finally {
    process.removeListener('exit', killChildren);
  }
  summary.status = summary.trials.every((trial) => trial.status === 'completed') ? 'completed' : 'failed';
  summary.finished_at = new Date().toISOString();
  summary.wall_seconds = Number(((performance.now() - started) / 1000).toFixed(3));
  save();
  return summary;
}
