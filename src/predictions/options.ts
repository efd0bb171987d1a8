/** Options of the prediction log: one zod schema for types, defaults and checks (parsed once, at open). */
import { z } from 'zod';
import { CardwatchError } from '../util/errors.js';

export const predictionLogOptionsSchema = z.strictObject({
  /** SQLite file, e.g. `data/predictions.sqlite`; its folder is created. */
  path: z.string().min(1),
  /**
   * How long a record may wait before the flusher writes it. A few ms keeps batches of ~100 at 15k/s (one
   * commit each) while an answered prediction reaches the disk almost at once.
   */
  flushIntervalMs: z.int().min(0).max(60_000).default(5),
  /**
   * Most records per transaction. It bounds how long one write holds the event loop (~6 µs per record
   * measured, so ~3 ms at 500) when a backlog drains; commits are cheap in WAL mode, so small batches cost
   * little. At 15k/s with a 5 ms interval batches hold ~75 records anyway.
   */
  maxBatch: z.int().min(1).max(100_000).default(500),
  /**
   * Most records waiting; beyond it `append` refuses (LOG_BACKPRESSURE). 50,000 ≈ 3 s of a database stall at
   * 15k/s, ~1 KB of memory per queued record (~50 MB when full).
   */
  maxQueue: z.int().min(1).max(10_000_000).default(50_000),
  /** How long a write waits for another connection's lock; it blocks the event loop, so keep it short. */
  busyTimeoutMs: z.int().min(0).max(10_000).default(25),
  /** First retry delay after a failed write; doubles on each further failure up to `retryMaxMs`. */
  retryInitialMs: z.int().min(1).default(100),
  retryMaxMs: z.int().min(1).default(5_000),
  /** How long `close()` keeps retrying a failing database before giving up on the queued records. */
  closeTimeoutMs: z.int().min(0).default(10_000),
});

export type PredictionLogSettings = z.output<typeof predictionLogOptionsSchema>;
export type PredictionLogSettingsInput = z.input<typeof predictionLogOptionsSchema>;

/** Parses the options; a bad one is CONFIG_INVALID naming the option, e.g. `maxBatch: …`. */
export function parsePredictionLogOptions(options: unknown): PredictionLogSettings {
  const parsed = predictionLogOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.length === 0 ? 'options' : issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new CardwatchError('CONFIG_INVALID', `prediction log options are invalid: ${problems}`);
  }
  return parsed.data;
}
