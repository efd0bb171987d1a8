/**
 * The JetStream streams and the durable consumer `cardwatch stream` works with, created when missing so a
 * fresh NATS server works out of the box; existing ones are used as they are (operators may have tuned them),
 * except that the consumer's limits are brought to what was asked.
 *
 * - the input stream captures the transactions subject;
 * - the output stream captures the decisions subject, with a duplicate window: decisions are published with
 *   `Nats-Msg-Id` = transaction id, so a redelivered transaction's decision is stored once;
 * - the dead-letter stream captures `<in>.dead-letter`;
 * - one durable pull consumer on the input stream, shared by every cardwatch process (each message goes to
 *   one of them; unacknowledged ones are redelivered after `ackWaitMs`).
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export interface StreamTopology {
  readonly inSubject: string;
  readonly outSubject: string;
  readonly deadLetterSubject: string;
  readonly inStream: string;
  readonly outStream: string;
  readonly deadLetterStream: string;
  readonly durable: string;
}

/** `transactions.card` → `TRANSACTIONS_CARD`: a stream name from a subject (names cannot hold `.`, `*`, `>`). */
export function streamNameFor(subject: string): string {
  return subject.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');
}

export function topology(inSubject: string, outSubject: string, durable: string): StreamTopology {
  const deadLetterSubject = `${inSubject}.dead-letter`;
  return {
    inSubject,
    outSubject,
    deadLetterSubject,
    inStream: streamNameFor(inSubject),
    outStream: streamNameFor(outSubject),
    deadLetterStream: streamNameFor(deadLetterSubject),
    durable,
  };
}

export interface SetupOptions {
  /** How long a delivered message may stay unacknowledged before it goes to another process. */
  readonly ackWaitMs: number;
  /** Most unacknowledged messages over all processes of the consumer. */
  readonly maxAckPending: number;
  /** Duplicate window of the decisions stream. */
  readonly duplicateWindowMs: number;
}

/** JetStream API error code of "stream name already in use" (not in the client's named codes). */
const STREAM_NAME_IN_USE = 10058;

function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
  );
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }) {
  try {
    await jsm.streams.info(config.name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // Another process created it in between: fine.
      if (!(addError instanceof JetStreamApiError) || addError.code !== STREAM_NAME_IN_USE) {
        throw addError;
      }
    }
  }
}

export async function ensureTopology(
  jsm: JetStreamManager,
  t: StreamTopology,
  options: SetupOptions,
): Promise<void> {
  await ensureStream(jsm, { name: t.inStream, subjects: [t.inSubject], storage: StorageType.File });
  await ensureStream(jsm, {
    name: t.outStream,
    subjects: [t.outSubject],
    storage: StorageType.File,
    duplicate_window: nanos(options.duplicateWindowMs),
  });
  await ensureStream(jsm, {
    name: t.deadLetterStream,
    subjects: [t.deadLetterSubject],
    storage: StorageType.File,
  });
  const config = {
    durable_name: t.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs),
    max_ack_pending: options.maxAckPending,
    filter_subject: t.inSubject,
  };
  try {
    await jsm.consumers.info(t.inStream, t.durable);
    await jsm.consumers.update(t.inStream, t.durable, {
      ack_wait: config.ack_wait,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // Adding a durable with the same config as one just added by another process is accepted by the server.
    await jsm.consumers.add(t.inStream, config);
  }
}
