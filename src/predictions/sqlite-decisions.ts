/**
 * The stream's idempotent decision log on SQLite: one IMMEDIATE transaction inserts the batch, skipping
 * transactions already logged (the partial unique index of migration 3), and reads back the decision in
 * force for each transaction of the batch.
 */
import type { Database } from 'better-sqlite3';
import { PREDICTION_COLUMNS, predictionValues } from './batch-writer.js';
import { toQueuedPrediction } from './queued-prediction.js';
import {
  DECISION_COLUMNS,
  requireTransactionId,
  toStoredDecision,
  type DecisionRow,
} from './decision-row.js';
import type { DecisionLogResult, StoredDecision } from './store.js';
import type { PredictionRecord } from './types.js';

export interface SqliteDecisionLog {
  log(records: readonly PredictionRecord[]): DecisionLogResult;
  decisionsFor(transactionIds: readonly string[]): Map<string, StoredDecision>;
  count(): number;
}

/** SQLite caps bound parameters per statement (32,766 in current builds); look ids up in chunks below it. */
const LOOKUP_CHUNK = 500;

export function createSqliteDecisionLog(db: Database): SqliteDecisionLog {
  const insert = db.prepare(
    `INSERT INTO predictions (${PREDICTION_COLUMNS.join(', ')}, source)
     VALUES (${PREDICTION_COLUMNS.map(() => '?').join(', ')}, 'stream')
     ON CONFLICT (transaction_id) WHERE source = 'stream' DO NOTHING`,
  );
  const countStatement = db
    .prepare<[], number>("SELECT count(*) FROM predictions WHERE source = 'stream'")
    .pluck();

  function decisionsFor(ids: readonly string[]): Map<string, StoredDecision> {
    const found = new Map<string, StoredDecision>();
    for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) {
      const chunk = ids.slice(start, start + LOOKUP_CHUNK);
      const rows = db
        .prepare<string[], DecisionRow>(
          `SELECT ${DECISION_COLUMNS} FROM predictions
           WHERE source = 'stream' AND transaction_id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(...chunk);
      for (const row of rows) found.set(row.transaction_id, toStoredDecision(row));
    }
    return found;
  }

  const logAll = db.transaction((records: readonly PredictionRecord[]): DecisionLogResult => {
    let inserted = 0;
    const ids: string[] = [];
    for (const record of records) {
      const transactionId = requireTransactionId(record);
      const p = toQueuedPrediction(record);
      ids.push(transactionId);
      inserted += insert.run(...predictionValues(p, transactionId)).changes;
    }
    return { inserted, decisions: decisionsFor([...new Set(ids)]) };
  });

  return {
    // IMMEDIATE: take the write lock at BEGIN, so another process's writer makes this wait (busy timeout)
    // rather than fail at COMMIT after the work.
    log: (records) => logAll.immediate(records),
    decisionsFor,
    count: () => countStatement.get() ?? 0,
  };
}
