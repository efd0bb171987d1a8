/** `cardwatch evaluate RUN`: re-scores a run's validation and test splits and rewrites its evaluation. */
import type { ThresholdConfig } from '../config/index.js';
import { createRunDir } from '../runs/index.js';
import { evaluateModel, type ModelEvaluation, writeEvaluation } from './evaluate-model.js';
import { openRun, runDataset } from './open-run.js';
import { splitFor } from './train-run.js';

/**
 * `threshold` and `alertsPerDay` replace the run's own `evaluation.threshold` and `evaluation.alerts_per_day`
 * (e.g. from `cardwatch evaluate RUN evaluation.threshold.strategy=max_f1`); absent, the run's are used.
 */
export function evaluateRun(
  runsDir: string,
  runId: string,
  threshold?: ThresholdConfig,
  alertsPerDay?: number,
): ModelEvaluation {
  const run = openRun(runsDir, runId);
  const prepared = runDataset(run);
  const splits = splitFor(run.config, prepared);
  const evaluation = evaluateModel(
    run.model,
    prepared.dataset,
    splits,
    threshold ?? run.config.evaluation.threshold,
    { alertsPerDay: alertsPerDay ?? run.config.evaluation.alerts_per_day },
  );
  writeEvaluation(createRunDir(runsDir, runId, { existing: 'reuse' }), evaluation);
  return evaluation;
}
