/** `run.json`: the state and outcome of a training run, read by `evaluate`, `export` and later `runs list`. */
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
  timings: z.record(z.string(), z.number()),
});
export type RunRecord = z.infer<typeof runRecordSchema>;
