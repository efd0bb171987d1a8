/** Test support for the stream: a tiny promoted model bundle, transactions, and reading a stream back. */
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { tinyExportInput } from '../../bundle/__fixtures__/tiny-bundle.js';
import { exportBundle } from '../../bundle/export.js';
import { promoteBundle } from '../../bundle/registry.js';

/** Exports the tiny 3-column autoencoder into `modelsDir` as `production`. */
export async function promoteTinyModel(modelsDir: string, id = 'ae-stream'): Promise<void> {
  await exportBundle(tinyExportInput(modelsDir, id));
  promoteBundle(modelsDir, id, 'production');
}

/** Transaction `i`: 28 deterministic features, id `tx-<i>`. */
export function transaction(i: number): { features: number[]; transaction_id: string } {
  return {
    features: Array.from({ length: 28 }, (_, k) => Math.sin(i * 0.37 + k) * (k < 3 ? 3 : 1)),
    transaction_id: `tx-${i}`,
  };
}

const encoder = new TextEncoder();

/** Publishes `count` transactions from `first` with bounded concurrency (waiting for JetStream's acks). */
export async function publishTransactions(
  js: JetStreamClient,
  subject: string,
  first: number,
  count: number,
  window = 500,
): Promise<void> {
  for (let start = first; start < first + count; start += window) {
    const end = Math.min(first + count, start + window);
    const acks = [];
    for (let i = start; i < end; i++)
      acks.push(js.publish(subject, encoder.encode(JSON.stringify(transaction(i)))));
    await Promise.all(acks);
  }
}

/** Every message body of `stream`, parsed as JSON (an ordered consumer reading from the start). */
export async function readStream<T>(nc: NatsConnection, stream: string): Promise<T[]> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream)).state.messages;
  const out: T[] = [];
  if (total === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.consume();
  for await (const m of messages) {
    out.push(m.json<T>());
    if (m.info.pending === 0) break;
  }
  await messages.close();
  return out;
}

/** Waits until `condition` holds, polling; fails with `what` after `ms`. */
export async function waitFor(
  condition: () => Promise<boolean>,
  what: string,
  ms = 30_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
