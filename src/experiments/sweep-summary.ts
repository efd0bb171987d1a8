/**
 * `runs/sweeps/<sweep-id>/summary.json`: a sweep's plan, each trial's outcome and the best trial. It is
 * rewritten after every trial, so an interrupted sweep still says what ran. Trials are ordinary runs under
 * `runs/<run-id>/` whose run.json names the sweep.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createRunDir } from '../runs/index.js';

/** The validation-set numbers a trial is ranked by, and the test-set ones reported beside them. */
const splitScoresSchema = z.object({ roc_auc: z.number(), average_precision: z.number() });
export type SplitScores = z.infer<typeof splitScoresSchema>;

export const trialResultSchema = z.object({
  index: z.number().int().positive(),
  run_id: z.string(),
  params: z.record(z.string(), z.string()),
  overrides: z.array(z.string()),
  status: z.enum(['pending', 'running', 'completed', 'failed']),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  /** Wall time of the trial's process, start to exit. */
  seconds: z.number().nullable(),
  epochs: z.number().int().nullable(),
  validation: splitScoresSchema.nullable(),
  test: splitScoresSchema.nullable(),
  error: z.string().nullable(),
});
export type TrialResult = z.infer<typeof trialResultSchema>;

export const sweepSummarySchema = z.object({
  format_version: z.literal(1),
  id: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  method: z.enum(['grid', 'random']),
  source: z.string(),
  name: z.string().nullable(),
  seed: z.number().int().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  wall_seconds: z.number().nullable(),
  parallel: z.number().int().positive(),
  workers_per_trial: z.number().int().positive().nullable(),
  data_fingerprint: z.string(),
  fixed_overrides: z.array(z.string()),
  /** Trials are ranked on validation data only; the test split is reported, never used to choose. */
  selection: z.object({ metric: z.literal('validation.average_precision') }),
  best_run_id: z.string().nullable(),
  trials: z.array(trialResultSchema),
});
export type SweepSummary = z.infer<typeof sweepSummarySchema>;

/**
 * The best completed trial by validation AUPRC (ties: validation ROC AUC, then the earlier trial). Test
 * metrics are never looked at: choosing on them would leak the test set into model selection.
 */
export function bestTrial(trials: readonly TrialResult[]): TrialResult | null {
  let best: TrialResult | null = null;
  for (const trial of trials) {
    if (trial.status !== 'completed' || trial.validation === null) continue;
    if (
      best === null ||
      trial.validation.average_precision > best.validation!.average_precision ||
      (trial.validation.average_precision === best.validation!.average_precision &&
        trial.validation.roc_auc > best.validation!.roc_auc)
    ) {
      best = trial;
    }
  }
  return best;
}

/** The folder of a sweep's summary and trial logs. */
export function sweepDir(runsDir: string, sweepId: string): string {
  return join(runsDir, 'sweeps', sweepId);
}

/** Writes summary.json atomically (the run-folder writer: a reader never sees half a file). */
export function writeSweepSummary(runsDir: string, summary: SweepSummary): void {
  createRunDir(join(runsDir, 'sweeps'), summary.id, { existing: 'reuse' }).writeJson('summary.json', summary);
}

/** Ids of the sweeps under `runsDir`, oldest first. */
export function listSweeps(runsDir: string): string[] {
  const dir = join(runsDir, 'sweeps');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'summary.json')))
    .map((entry) => entry.name)
    .sort();
}
