/** `cardwatch evaluate RUN`: re-scores a run's validation and test splits and rewrites its evaluation. */
import type { ThresholdConfig } from '../config/index.js';
import { createRunDir } from '../runs/index.js';
import { evaluateModel, type ModelEvaluation, writeEvaluation } from './evaluate-model.js';
import { openRun, runDataset } from './open-run.js';
import { splitFor } from './train-run.js';

export function evaluateRun(runsDir: string, runId: string, threshold?: ThresholdConfig): ModelEvaluation {
  const run = openRun(runsDir, runId);
  const prepared = runDataset(run);
  const splits = splitFor(run.config, prepared);
  const evaluation = evaluateModel(
    run.model,
    prepared.dataset,
    splits,
    threshold ?? run.config.evaluation.threshold,
  );
  writeEvaluation(createRunDir(runsDir, runId, { existing: 'reuse' }), evaluation);
  return evaluation;
}
