/**
 * The fault test of `cardwatch stream`: 20,000 transactions flow through two consumer processes sharing one
 * durable consumer and one PostgreSQL store; one process is killed with SIGKILL mid-stream and restarted. At
 * the end every transaction has exactly one decision (in the decisions stream) and one log row.
 * (`npm run bench:stream` runs the same with 100,000.)
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../src/bundle/__fixtures__/tiny-bundle.js';
import {
  promoteTinyModel,
  publishTransactions,
  readStream,
  waitFor,
} from '../src/stream/__fixtures__/stream-fixtures.js';
import { startStreamProcess, type StreamProcess } from '../src/stream/__fixtures__/stream-process.js';
import type { DecisionMessage } from '../src/stream/decision.js';
import { SKIP_NATS, SKIP_POSTGRES } from '../src/testing/availability.js';
import { startTestNats, type TestNats } from '../src/testing/nats.js';
import { startTestPostgres, type TestPostgres } from '../src/testing/postgres.js';

const TRANSACTIONS = 20_000;

let postgres: TestPostgres;
let nats: TestNats;
let nc: NatsConnection;
let db: pg.Client;
let models: string;
const processes: StreamProcess[] = [];

const skip = SKIP_NATS || SKIP_POSTGRES;

beforeAll(async () => {
  if (skip) return;
  [postgres, nats] = await Promise.all([startTestPostgres(), startTestNats()]);
  nc = await connect({ servers: nats.url });
  db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  models = tempDir('fault-models');
  await promoteTinyModel(models);
});

afterAll(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
  await db?.end();
  await nc?.close();
  await nats?.stop();
  await postgres?.stop();
  removeTempDirs();
});

function consumer(): Promise<StreamProcess> {
  const started = startStreamProcess([
    '--nats',
    nats.url,
    '--in',
    'transactions',
    '--out',
    'decisions',
    '--store',
    postgres.url,
    // A killed process's messages come back after 2 s instead of 30.
    '--ack-wait',
    '2000',
    `paths.models=${models}`,
  ]);
  void started.then((p) => processes.push(p));
  return started;
}

async function loggedRows(): Promise<number> {
  const result = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM predictions WHERE source = 'stream'",
  );
  return result.rows[0]?.n ?? 0;
}

it.skipIf(skip)(
  'SIGKILL of one of two consumers mid-stream: every transaction ends with one decision and one log row',
  async () => {
    // The first process creates the streams and the durable consumer; the second joins it.
    const a = await consumer();
    const b = await consumer();
    const js = jetstream(nc);
    // Half now; the other half once the killed process is back, so it rejoins a stream still flowing.
    const publishing = publishTransactions(js, 'transactions', 0, TRANSACTIONS / 2);

    await waitFor(
      async () => (await loggedRows()) >= TRANSACTIONS / 4,
      'a quarter of the decisions',
      120_000,
    );
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    // Killed mid-stream: work was left for the others, including whatever it held unacknowledged.
    const rowsAtKill = await loggedRows();
    expect(rowsAtKill).toBeLessThan(TRANSACTIONS);
    const restarted = await consumer();
    await publishing;
    await publishTransactions(js, 'transactions', TRANSACTIONS / 2, TRANSACTIONS / 2);

    const jsm = await jetstreamManager(nc);
    await waitFor(
      async () => {
        const info = await jsm.consumers.info('TRANSACTIONS', 'cardwatch-scorer');
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      'every transaction to be acknowledged',
      120_000,
      250,
    );

    // One log row per transaction, none twice.
    const rows = await db.query<{ total: number; distinct: number }>(
      `SELECT count(*)::int AS total, count(DISTINCT transaction_id)::int AS distinct
     FROM predictions WHERE source = 'stream'`,
    );
    expect(rows.rows[0]).toEqual({ total: TRANSACTIONS, distinct: TRANSACTIONS });
    // One stored decision per transaction, none twice, each the logged one.
    const decisions = await readStream<DecisionMessage>(nc, 'DECISIONS');
    expect(decisions).toHaveLength(TRANSACTIONS);
    expect(new Set(decisions.map((d) => d.transaction_id)).size).toBe(TRANSACTIONS);
    const logged = await db.query<{ transaction_id: string; prediction_id: string }>(
      "SELECT transaction_id, prediction_id FROM predictions WHERE source = 'stream'",
    );
    const byTransaction = new Map(logged.rows.map((r) => [r.transaction_id, r.prediction_id]));
    expect(decisions.filter((d) => byTransaction.get(d.transaction_id) !== d.prediction_id)).toEqual([]);
    expect(await jsm.streams.info('TRANSACTIONS_DEAD-LETTER').then((s) => s.state.messages)).toBe(0);

    // Graceful stop of the survivors.
    b.child.kill('SIGTERM');
    restarted.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(await restarted.exited).toBe(0);
    const summary = (p: StreamProcess) => /stopped: .*/.exec(p.output())?.[0] ?? p.output();
    expect(summary(b)).toMatch(/stopped: \d+ received/);
    // The restarted process took its share of the second half.
    expect(Number(/stopped: (\d+) received/.exec(summary(restarted))?.[1])).toBeGreaterThan(0);
    console.log(
      `fault test: killed one consumer at ${rowsAtKill} of ${TRANSACTIONS} rows; survivor ${summary(b)}; ` +
        `restarted ${summary(restarted)}`,
    );
  },
  300_000,
);
