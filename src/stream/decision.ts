/** The decision message `cardwatch stream` publishes for each transaction, built from the logged decision. */
import type { StoredDecision } from '../predictions/index.js';
import { riskLevel, type Risk } from '../serve/explain.js';

export interface DecisionMessage {
  readonly transaction_id: string;
  readonly prediction_id: string;
  readonly is_fraud: boolean;
  readonly score: number;
  readonly threshold: number;
  readonly risk: Risk;
  readonly model_version: string;
  /** When the decision was first made (ISO 8601); a redelivery republishes the same one. */
  readonly decided_at: string;
}

export function decisionMessage(decision: StoredDecision): DecisionMessage {
  return {
    transaction_id: decision.transactionId,
    prediction_id: decision.predictionId,
    is_fraud: decision.isFraud,
    score: decision.score,
    threshold: decision.threshold,
    risk: riskLevel(decision.score, decision.threshold),
    model_version: decision.modelVersion,
    decided_at: new Date(decision.createdAt).toISOString(),
  };
}

/** What the dead-letter subject receives for a message that cannot be scored. */
export interface DeadLetter {
  readonly reason: string;
  readonly subject: string;
  readonly stream_sequence: number;
  readonly delivered: number;
  /** The message body as text (invalid UTF-8 replaced), cut at 64 KiB. */
  readonly payload: string;
}

const PAYLOAD_LIMIT = 64 * 1024;

export function deadLetter(
  reason: string,
  subject: string,
  sequence: number,
  delivered: number,
  data: Uint8Array,
): DeadLetter {
  const text = new TextDecoder().decode(data.subarray(0, PAYLOAD_LIMIT));
  return { reason, subject, stream_sequence: sequence, delivered, payload: text };
}
