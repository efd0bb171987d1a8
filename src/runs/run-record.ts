/**
 * `run.json`: the state and outcome of a training run, read by `evaluate`, `export`, `runs …`, `reproduce`
 * and sweeps. It lives with the run folders (not in train) so that `runs` commands can read it without
 * depending on the training code.
 */
import { z } from 'zod';

export const runRecordSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  model_type: z.string(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  data_fingerprint: z.string(),
  epochs_run: z.number().int(),
  best_epoch: z.number().int(),
  stopped_early: z.boolean(),
  train_rows: z.number().int(),
  val_rows: z.number().int(),
  error: z.string().nullable(),
  /** Seconds per phase (data, split, fit, evaluate), in the order they ran. */
  timings: z.record(z.string(), z.number()),
  /**
   * sha256 of the final learned parameters (model.json's `parameters_sha256`): `reproduce` compares it. The
   * optional fields below are absent in runs recorded before they existed.
   */
  weights_sha256: z.string().nullable().optional(),
  /** The sweep this run is a trial of (`runs/sweeps/<sweep_id>/summary.json`). */
  sweep_id: z.string().nullable().optional(),
  /** The run this one re-ran (`cardwatch reproduce`). */
  reproduces: z.string().nullable().optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;
