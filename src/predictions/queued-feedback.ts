/**
 * Feedback for a log whose writes are queued (the PostgreSQL store, the SQLite store with its writer thread):
 * the argument checks, and writing the labelled prediction first when it is still in the queue (the feedback
 * row references it). The database call itself is the store's.
 */
import { CardwatchError } from '../util/errors.js';
import type { Feedback, FeedbackLabel } from './types.js';

export interface FeedbackQueue {
  isOpen(): boolean;
  holds(predictionId: string): boolean;
  flush(): Promise<void>;
}

export async function recordQueuedFeedback(
  queue: FeedbackQueue,
  store: (predictionId: string, label: FeedbackLabel, labelledAt: number) => Promise<Feedback | null>,
  predictionId: string,
  label: FeedbackLabel,
  labelledAt: number,
): Promise<Feedback> {
  if (!queue.isOpen()) {
    throw new CardwatchError('LOG_CLOSED', 'the prediction log is closed: the service is shutting down');
  }
  if (label !== 0 && label !== 1) {
    throw new CardwatchError('INVALID_INPUT', `label must be 0 or 1, got ${JSON.stringify(label)}`);
  }
  if (!Number.isFinite(labelledAt)) {
    throw new CardwatchError('INVALID_INPUT', `labelledAt must be ms since the epoch, got ${labelledAt}`);
  }
  if (queue.holds(predictionId)) await queue.flush();
  const stored = await store(predictionId, label, labelledAt);
  if (stored === null) {
    throw new CardwatchError(
      'PREDICTION_NOT_FOUND',
      `no prediction has the id ${JSON.stringify(predictionId)}`,
    );
  }
  return stored;
}
