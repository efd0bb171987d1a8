/**
 * A transaction message of `cardwatch stream`: the `/predict` body (the API's own zod schema, so both doors
 * accept and refuse exactly the same rows) with `transaction_id` required, since it is the idempotency key.
 */
import { z } from 'zod';
import { predictRowSchema, TRANSACTION_ID_MAX } from '../serve/routes/predict-schemas.js';

export const streamTransactionSchema = predictRowSchema.extend({
  transaction_id: z
    .string({ error: 'is required: a string, the key that makes redeliveries idempotent' })
    .min(1, { error: 'must not be empty' })
    .max(TRANSACTION_ID_MAX, { error: `must be at most ${TRANSACTION_ID_MAX} characters` }),
});
export type StreamTransaction = z.infer<typeof streamTransactionSchema>;

export type ParsedMessage =
  | { readonly ok: true; readonly transaction: StreamTransaction }
  | { readonly ok: false; readonly reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

const FIELDS = new Set(['features', 'amount', 'time', 'transaction_id']);

/** A JSON number the schema takes: finite in float32 (the same test as `featureValueSchema`). */
function isFeatureValue(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(Math.fround(value));
}

function isOptionalValue(value: unknown): boolean {
  return value === undefined || value === null || isFeatureValue(value);
}

/**
 * True when `json` is a valid transaction, checked by hand: the zod parse costs ~20 µs per message (28 refined
 * numbers), a third of a consumer's CPU per transaction. It accepts exactly what `streamTransactionSchema`
 * accepts (a property test holds them equal); anything it refuses goes through zod, for the message.
 */
export function isValidTransaction(json: unknown): json is StreamTransaction {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return false;
  const row = json as Record<string, unknown>;
  for (const key in row) if (!FIELDS.has(key)) return false;
  const { features, transaction_id: id } = row;
  if (!Array.isArray(features)) return false;
  for (let i = 0; i < features.length; i++) if (!isFeatureValue(features[i])) return false;
  return (
    isOptionalValue(row['amount']) &&
    isOptionalValue(row['time']) &&
    typeof id === 'string' &&
    id.length >= 1 &&
    id.length <= TRANSACTION_ID_MAX
  );
}

/** Parses one message body; never throws: a bad message is a reason for the dead-letter subject. */
export function parseTransaction(data: Uint8Array): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (isValidTransaction(json)) return { ok: true, transaction: json };
  const parsed = streamTransactionSchema.safeParse(json);
  if (parsed.success) return { ok: true, transaction: parsed.data };
  const reason = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length === 0 ? 'message' : issue.path.join('.')} ${issue.message}`)
    .join('; ');
  return { ok: false, reason };
}
