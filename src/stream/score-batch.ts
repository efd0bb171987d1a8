/**
 * Scores one micro-batch: the parsed transactions become one model input matrix and one ONNX Runtime run,
 * then one prediction record each (with the transaction id, the idempotency key of the log). Rows the model
 * cannot take (a wrong feature count, a missing `amount` the model needs) are returned as rejects with the
 * reason, for the dead-letter subject; the rest of the batch is scored.
 */
import type { Scorer } from '../bundle/scorer-types.js';
import { newPredictionId, type PredictionRecord } from '../predictions/index.js';
import { planFor } from '../serve/model-plan.js';
import { finiteScore } from '../serve/prediction-sink.js';
import type { StreamTransaction } from './transaction.js';

export interface ScoredBatch {
  /** Index into the input → record (for the rows that were scored). */
  readonly records: ReadonlyMap<number, PredictionRecord>;
  /** Index into the input → why the row cannot be scored. */
  readonly rejects: ReadonlyMap<number, string>;
}

export async function scoreBatch(
  scorer: Scorer,
  transactions: readonly StreamTransaction[],
  receivedAt: readonly number[],
): Promise<ScoredBatch> {
  const plan = planFor(scorer);
  const x = new Float32Array(transactions.length * plan.width);
  const accepted: number[] = [];
  const rejects = new Map<number, string>();
  transactions.forEach((transaction, index) => {
    const problem = plan.fill(transaction, x, accepted.length * plan.width);
    if (problem === null) accepted.push(index);
    else rejects.set(index, problem.message);
  });
  const records = new Map<number, PredictionRecord>();
  if (accepted.length === 0) return { records, rejects };
  const { scores } = await scorer.score(x.subarray(0, accepted.length * plan.width), accepted.length, {
    contributions: false,
  });
  const now = Date.now();
  const modelVersion = scorer.manifest.id;
  accepted.forEach((index, row) => {
    const transaction = transactions[index] as StreamTransaction;
    const score = finiteScore(scores[row] as number, modelVersion);
    records.set(index, {
      predictionId: newPredictionId(now),
      createdAt: now,
      transactionId: transaction.transaction_id,
      modelVersion,
      engine: 'float32',
      score,
      threshold: scorer.threshold,
      isFraud: score > scorer.threshold,
      latencyMs: now - (receivedAt[index] as number),
      features: transaction.features,
      amount: transaction.amount ?? null,
      time: transaction.time ?? null,
      topFeatures: null,
    });
  });
  return { records, rejects };
}
