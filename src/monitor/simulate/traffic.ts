/**
 * Replays generated transactions against a running scoring service at a fixed rate, and sends the true label
 * of a share of them back through POST /feedback after a delay, so drift and quality move in the dashboards.
 * Bounded: it stops after `durationMs` (plus the last feedback delay) and never has more than `concurrency`
 * requests in flight.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseKaggleCsv } from '../../data/csv-parse.js';
import { generateSyntheticCsv } from '../../data/synthetic.js';
import { Prng } from '../../util/prng.js';
import type { SimulateOptions } from './options.js';

export interface SimulationResult {
  readonly sent: number;
  readonly answered: number;
  /** Non-2xx answers and network failures, by status (`network` for no answer). */
  readonly failures: Readonly<Record<string, number>>;
  readonly flagged: number;
  readonly feedbackSent: number;
  readonly feedbackFailed: number;
  readonly elapsedMs: number;
  /** Requests per second actually sent (null for a single request). */
  readonly achievedRate: number | null;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
}

interface Transaction {
  readonly body: string;
  readonly label: 0 | 1;
}

/** The transactions to send: the synthetic generator (with the drift spec, if any), as /predict bodies. */
function transactions(options: SimulateOptions, count: number): Transaction[] {
  const { dataset } = parseKaggleCsv(
    generateSyntheticCsv({
      rows: count,
      seed: options.seed,
      ...(options.drift === undefined ? {} : { drift: options.drift }),
    }),
  );
  const width = dataset.columns.length;
  const at = (name: string) => dataset.columns.indexOf(name);
  const v1 = at('V1');
  const amount = at('Amount');
  const time = at('Time');
  return Array.from({ length: dataset.rows }, (_, r) => {
    const row = dataset.x.subarray(r * width, (r + 1) * width);
    return {
      body: JSON.stringify({
        features: Array.from(row.subarray(v1, v1 + 28)),
        amount: row[amount],
        time: row[time],
        transaction_id: `sim-${options.seed}-${r}`,
      }),
      label: dataset.y?.[r] === 1 ? 1 : 0,
    };
  });
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export async function runSimulation(
  options: SimulateOptions,
  onProgress?: (sent: number, total: number) => void,
): Promise<SimulationResult> {
  const total = Math.max(1, Math.floor((options.rate * options.durationMs) / 1000));
  const rows = transactions(options, total);
  const predictUrl = new URL('/predict', options.target).href;
  const feedbackUrl = new URL('/feedback', options.target).href;
  const pick = new Prng(options.seed, 7);
  const failures: Record<string, number> = {};
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const feedback = new Set<Promise<void>>();
  let answered = 0;
  let flagged = 0;
  let feedbackSent = 0;
  let feedbackFailed = 0;
  const fail = (key: string) => (failures[key] = (failures[key] ?? 0) + 1);

  async function sendFeedback(predictionId: string, label: 0 | 1): Promise<void> {
    await sleep(options.feedbackDelayMs);
    try {
      const res = await fetch(feedbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prediction_id: predictionId, label }),
      });
      await res.arrayBuffer();
      if (res.ok) feedbackSent++;
      else feedbackFailed++;
    } catch {
      feedbackFailed++;
    }
  }

  async function send(transaction: Transaction, giveFeedback: boolean): Promise<void> {
    const started = performance.now();
    try {
      const res = await fetch(predictUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: transaction.body,
      });
      const text = await res.text();
      latencies.push(performance.now() - started);
      if (!res.ok) {
        fail(String(res.status));
        return;
      }
      answered++;
      const answer = JSON.parse(text) as { prediction_id: string; is_fraud: boolean };
      if (answer.is_fraud) flagged++;
      if (giveFeedback) {
        const pending = sendFeedback(answer.prediction_id, transaction.label);
        feedback.add(pending);
        void pending.finally(() => feedback.delete(pending));
      }
    } catch {
      fail('network');
    }
  }

  const start = performance.now();
  for (let i = 0; i < rows.length; i++) {
    // Fixed schedule: request i leaves at start + i / rate, whatever the previous ones took.
    const due = start + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    const pending = send(rows[i]!, pick.next() < options.feedbackShare);
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
    onProgress?.(i + 1, rows.length);
  }
  const sendingMs = performance.now() - start;
  await Promise.all(inFlight);
  await Promise.all(feedback);
  latencies.sort((a, b) => a - b);
  return {
    sent: rows.length,
    answered,
    failures,
    flagged,
    feedbackSent,
    feedbackFailed,
    elapsedMs: performance.now() - start,
    // n requests span n − 1 intervals of the schedule.
    achievedRate: rows.length > 1 && sendingMs > 0 ? ((rows.length - 1) * 1000) / sendingMs : null,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
  };
}
