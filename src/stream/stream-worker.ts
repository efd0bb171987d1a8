/**
 * The consuming loop of `cardwatch stream`: pull transactions from the shared durable consumer, score them in
 * micro-batches (one ONNX Runtime run per batch), log each decision idempotently, publish it, then
 * acknowledge.
 *
 * Guarantees, per message:
 * - acknowledged only after its decision is logged (committed) and published (JetStream stored it), so a
 *   crash anywhere before the ack means a redelivery, never a loss;
 * - a redelivery never makes a second log row (the store's unique transaction id) nor a second stored
 *   decision (`Nats-Msg-Id` = transaction id, deduplicated by the decisions stream): the decision logged
 *   first is republished, not a fresh score;
 * - a malformed message (not JSON, schema violation, a row the model cannot take) goes to the dead-letter
 *   subject with the reason and is acknowledged: it cannot block the stream;
 * - a failure of the model, the store or NATS naks the batch with a delay (redelivered later, maybe to
 *   another process), and is counted and reported: nothing is dropped silently.
 *
 * Bounded work: `maxInFlightBatches` pull loops, each holding at most `batchSize` messages at a time, whatever
 * the backlog of the stream.
 */
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Scorer } from '../bundle/scorer-types.js';
import type { Engine, PredictionRecord, PredictionStore } from '../predictions/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetter, decisionMessage } from './decision.js';
import type { StreamTopology } from './jetstream-setup.js';
import { scoreBatch } from './score-batch.js';
import { parseTransaction, type StreamTransaction } from './transaction.js';

export interface StreamWorkerOptions {
  readonly js: JetStreamClient;
  readonly topology: StreamTopology;
  readonly scorer: Scorer;
  readonly store: PredictionStore;
  /** Most messages per micro-batch (one ONNX run, one store write). */
  readonly batchSize: number;
  /** Longest a partial batch waits for more messages before it is processed. */
  readonly maxWaitMs: number;
  /** Pull loops, i.e. batches processed concurrently (e.g. one scoring while another is written). */
  readonly maxInFlightBatches: number;
  /** Redelivery delay after a failed batch. */
  readonly retryDelayMs: number;
  readonly onEvent?: (event: StreamEvent) => void;
  /** Called once per micro-batch, when every message of it is settled (metrics; must be cheap). */
  readonly onBatch?: (report: BatchReport) => void;
}

/** What one micro-batch did, for metrics. */
export interface BatchReport {
  /** Messages in the batch, whatever became of them. */
  readonly messages: number;
  /** From the start of processing to every message acknowledged or nak'ed. */
  readonly seconds: number;
  /** Decisions this batch logged first (not redeliveries), by verdict. */
  readonly fraud: number;
  readonly legit: number;
  /** The engine that scored them (null when nothing was scored). */
  readonly engine: Engine | null;
}

export type StreamEvent =
  | { readonly kind: 'batch-failed'; readonly error: Error; readonly messages: number }
  | { readonly kind: 'dead-letter'; readonly reason: string; readonly sequence: number };

export interface StreamStats {
  readonly received: number;
  readonly batches: number;
  /** Decisions logged for the first time by this process. */
  readonly decided: number;
  /** Messages whose transaction was already logged (redeliveries): their first decision was republished. */
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly failedBatches: number;
  /** Messages negatively acknowledged for redelivery. */
  readonly retried: number;
}

/** All-zero totals: a worker's start, and a baseline for tests. */
export function zeroStreamStats(): { -readonly [K in keyof StreamStats]: StreamStats[K] } {
  return {
    received: 0,
    batches: 0,
    decided: 0,
    duplicates: 0,
    deadLettered: 0,
    failedBatches: 0,
    retried: 0,
  };
}

export interface StreamWorker {
  /** Resolves once the worker has stopped and every message it took is acknowledged or nak'ed. */
  readonly done: Promise<StreamStats>;
  /** Graceful drain: stop pulling, finish the batches in hand. */
  stop(): Promise<StreamStats>;
  stats(): StreamStats;
  /** Messages in micro-batches being processed right now (not yet acknowledged or nak'ed). */
  inFlight(): number;
}

const encoder = new TextEncoder();

/** How long one pull waits for messages (JetStream's minimum is 1 s); a drain takes at most this long. */
const FETCH_EXPIRES_MS = 1_000;

/** Decisions first logged by one batch, counted as they are published. */
interface DecisionTally {
  fraud: number;
  legit: number;
  engine: Engine | null;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

export async function startStreamWorker(options: StreamWorkerOptions): Promise<StreamWorker> {
  const { js, topology: t, scorer, store } = options;
  const counters = zeroStreamStats();
  const stats = (): StreamStats => ({ ...counters });
  let inFlight = 0;
  const report = (event: StreamEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A failing logger must not stop the stream.
    }
  };

  const consumer = await js.consumers.get(t.inStream, t.durable);

  function retry(batch: readonly JsMsg[], error: unknown): void {
    counters.failedBatches += 1;
    counters.retried += batch.length;
    report({ kind: 'batch-failed', error: asError(error), messages: batch.length });
    for (const m of batch) m.nak(options.retryDelayMs);
  }

  async function sendToDeadLetter(m: JsMsg, reason: string): Promise<void> {
    const letter = deadLetter(reason, m.subject, m.info.streamSequence, m.info.deliveryCount, m.data);
    // Deduplicated by the input sequence: a redelivered bad message is dead-lettered once.
    await js.publish(t.deadLetterSubject, encoder.encode(JSON.stringify(letter)), {
      msgID: `${t.inStream}:${m.info.streamSequence}`,
    });
    counters.deadLettered += 1;
    report({ kind: 'dead-letter', reason, sequence: m.info.streamSequence });
  }

  /** Processes one micro-batch, keeping the in-flight level and reporting the batch (once) when it is settled. */
  async function processBatch(batch: readonly JsMsg[]): Promise<void> {
    const started = performance.now();
    const tally: DecisionTally = { fraud: 0, legit: 0, engine: null };
    inFlight += batch.length;
    try {
      await settleBatch(batch, tally);
    } finally {
      inFlight -= batch.length;
      if (options.onBatch !== undefined) {
        try {
          options.onBatch({
            messages: batch.length,
            seconds: (performance.now() - started) / 1000,
            ...tally,
          });
        } catch {
          // Metrics must not stop the stream.
        }
      }
    }
  }

  async function settleBatch(batch: readonly JsMsg[], tally: DecisionTally): Promise<void> {
    counters.batches += 1;
    counters.received += batch.length;
    const receivedAt = Date.now();
    const good: { m: JsMsg; transaction: StreamTransaction }[] = [];
    const bad: { m: JsMsg; reason: string }[] = [];
    for (const m of batch) {
      const parsed = parseTransaction(m.data);
      if (parsed.ok) good.push({ m, transaction: parsed.transaction });
      else bad.push({ m, reason: parsed.reason });
    }
    let records: PredictionRecord[] = [];
    let scoredMessages: JsMsg[] = [];
    try {
      const scored = await scoreBatch(
        scorer,
        good.map((g) => g.transaction),
        good.map(() => receivedAt),
      );
      good.forEach((g, index) => {
        const record = scored.records.get(index);
        if (record !== undefined) {
          records.push(record);
          scoredMessages.push(g.m);
        } else {
          bad.push({ m: g.m, reason: scored.rejects.get(index) ?? 'cannot be scored' });
        }
      });
    } catch (error) {
      // The model failed on well-formed rows: not the messages' fault. Retry them later.
      retry(
        good.map((g) => g.m),
        error,
      );
      records = [];
      scoredMessages = [];
    }

    const deadLetters = bad.map(async ({ m, reason }) => {
      try {
        await sendToDeadLetter(m, reason);
        m.ack();
      } catch (error) {
        retry([m], error);
      }
    });

    if (records.length > 0) {
      try {
        const { decisions, inserted } = await store.logDecisions(records);
        counters.decided += inserted;
        counters.duplicates += records.length - inserted;
        tally.engine = (records[0] as PredictionRecord).engine;
        const published = await Promise.allSettled(
          records.map(async (record) => {
            const id = record.transactionId as string;
            const decision = decisions.get(id);
            if (decision === undefined)
              throw new Error(`transaction ${id} was logged but cannot be read back`);
            // Logged by this batch (not an earlier delivery): the decision in force is this record's.
            if (decision.predictionId === record.predictionId) {
              if (decision.isFraud) tally.fraud += 1;
              else tally.legit += 1;
            }
            return js.publish(t.outSubject, encoder.encode(JSON.stringify(decisionMessage(decision))), {
              msgID: id,
            });
          }),
        );
        const failed: JsMsg[] = [];
        let firstFailure: unknown = null;
        published.forEach((outcome, index) => {
          const m = scoredMessages[index] as JsMsg;
          if (outcome.status === 'fulfilled') m.ack();
          else {
            failed.push(m);
            firstFailure ??= outcome.reason;
          }
        });
        if (failed.length > 0) retry(failed, firstFailure);
      } catch (error) {
        // Nothing may be assumed logged; the write is idempotent, so the whole batch is simply redelivered.
        retry(scoredMessages, error);
      }
    }
    await Promise.all(deadLetters);
  }

  let stopping = false;

  /**
   * One pull loop: fetch up to `batchSize` messages (the server sends them as they arrive, for at most
   * FETCH_EXPIRES_MS), process them in micro-batches as they come (a partial batch after `maxWaitMs`), and
   * fetch again once every message of the fetch is settled. Stopping only ends the loop between fetches, so a
   * drain never leaves a message delivered to this process but unacknowledged.
   */
  async function pullLoop(): Promise<void> {
    while (!stopping) {
      let fetched;
      try {
        fetched = await consumer.fetch({ max_messages: options.batchSize, expires: FETCH_EXPIRES_MS });
      } catch (error) {
        report({ kind: 'batch-failed', error: asError(error), messages: 0 });
        await sleep(options.retryDelayMs);
        continue;
      }
      const tasks: Promise<void>[] = [];
      let buffer: JsMsg[] = [];
      let timer: NodeJS.Timeout | null = null;
      const dispatch = (): void => {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        if (buffer.length === 0) return;
        const batch = buffer;
        buffer = [];
        tasks.push(
          processBatch(batch).catch((error: unknown) =>
            report({ kind: 'batch-failed', error: asError(error), messages: batch.length }),
          ),
        );
      };
      let pullError: unknown = null;
      try {
        for await (const m of fetched) {
          buffer.push(m);
          if (buffer.length >= options.batchSize) dispatch();
          else timer ??= setTimeout(dispatch, options.maxWaitMs);
        }
      } catch (error) {
        // The pull broke off (e.g. the connection dropped): finish what arrived, then pull again. Messages
        // the server sent but this process never saw are redelivered after the ack wait.
        pullError = error;
      }
      dispatch();
      await Promise.all(tasks);
      if (pullError !== null) {
        report({ kind: 'batch-failed', error: asError(pullError), messages: 0 });
        await sleep(options.retryDelayMs);
      }
    }
  }

  async function run(): Promise<StreamStats> {
    await Promise.all(Array.from({ length: options.maxInFlightBatches }, () => pullLoop()));
    return stats();
  }

  const done = run();
  return {
    done,
    stop() {
      stopping = true;
      return done;
    },
    stats,
    inFlight: () => inFlight,
  };
}
