/**
 * Ground-truth labels, one per prediction in the `feedback` table: the label with the latest time wins, so a
 * late-arriving older label (a retried webhook, a replayed feed) cannot overwrite a newer decision.
 */
import type { Database } from 'better-sqlite3';
import type { Feedback, FeedbackLabel } from './types.js';

export interface FeedbackStore {
  /** Stores the label and returns the one now in force; null when no prediction has that id. */
  record(predictionId: string, label: FeedbackLabel, labelledAt: number): Feedback | null;
}

export function createFeedbackStore(db: Database): FeedbackStore {
  const exists = db.prepare<[string], 1>('SELECT 1 FROM predictions WHERE prediction_id = ?').pluck();
  const upsert = db.prepare<[string, FeedbackLabel, number]>(
    `INSERT INTO feedback (prediction_id, label, labelled_at) VALUES (?, ?, ?)
     ON CONFLICT (prediction_id) DO UPDATE SET label = excluded.label, labelled_at = excluded.labelled_at
     WHERE excluded.labelled_at >= feedback.labelled_at`,
  );
  const current = db.prepare<[string], { label: FeedbackLabel; labelled_at: number }>(
    'SELECT label, labelled_at FROM feedback WHERE prediction_id = ?',
  );
  const recordInTransaction = db.transaction(
    (predictionId: string, label: FeedbackLabel, labelledAt: number): Feedback | null => {
      // Checked first rather than left to the foreign key, so "unknown id" is not confused with other
      // constraint failures.
      if (exists.get(predictionId) === undefined) return null;
      upsert.run(predictionId, label, labelledAt);
      const row = current.get(predictionId);
      return row === undefined ? null : { predictionId, label: row.label, labelledAt: row.labelled_at };
    },
  );
  return {
    record(predictionId, label, labelledAt) {
      return recordInTransaction.immediate(predictionId, label, labelledAt);
    },
  };
}
