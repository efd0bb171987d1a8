/**
 * Micro-batching for single-row requests. ONNX Runtime's fixed cost per `session.run` (~25 µs for one row of
 * this model, against < 2 µs per extra row in a batch) made it the largest item of `POST /predict` under load.
 * Requests that arrive in the same event-loop turn (a busy server reads many sockets per turn) are scored
 * together: each request copies its row into the open batch and waits; the batch runs once in the check phase
 * (`setImmediate`), after the poll phase has handed over every request that was ready. A lone request pays
 * one extra loop turn, which is microseconds; the answer to each request is unchanged (rows are independent).
 *
 * One batcher per (scorer, engine, contributions): rows of different models or engines never share a run, so
 * a reload mid-turn scores each request with the model it leased.
 */
import type { ScoreBatch, Scorer, ScoringEngine } from '../bundle/scorer-types.js';

/** Most rows in one run; a turn with more requests starts a second batch (bounds the run's latency). */
export const MAX_BATCH_ROWS = 256;

/** Where one request's answer sits in its batch's outputs. */
export interface BatchSlot {
  readonly batch: ScoreBatch;
  /** The row's index in `batch.scores` (its contributions start at `index × width`). */
  readonly index: number;
}

interface Waiter {
  resolve(slot: BatchSlot): void;
  reject(error: unknown): void;
}

export class ScoreBatcher {
  private buffer: Float32Array;
  private rows = 0;
  private waiters: Waiter[] = [];
  /** Buffers of finished runs, reused: ONNX Runtime reads a batch's input on a later tick, so each run owns one. */
  private readonly spare: Float32Array[] = [];

  constructor(
    private readonly scorer: Scorer,
    private readonly engine: ScoringEngine,
    private readonly contributions: boolean,
    private readonly width: number,
    private readonly maxRows = MAX_BATCH_ROWS,
  ) {
    this.buffer = new Float32Array(maxRows * width);
  }

  /** Queues a copy of `row` (`width` values) for the next run; resolves with where its outputs are. */
  score(row: Float32Array): Promise<BatchSlot> {
    const index = this.rows;
    this.buffer.set(row, index * this.width);
    this.rows = index + 1;
    const pending = new Promise<BatchSlot>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
    if (index === 0) setImmediate(this.flushTurn);
    else if (this.rows === this.maxRows) this.flush();
    return pending;
  }

  /** Bound once: the check-phase callback that runs whatever the turn queued. */
  private readonly flushTurn = (): void => {
    if (this.rows > 0) this.flush();
  };

  private flush(): void {
    const rows = this.rows;
    const input = this.buffer;
    const waiters = this.waiters;
    this.buffer = this.spare.pop() ?? new Float32Array(this.maxRows * this.width);
    this.rows = 0;
    this.waiters = [];
    const release = (): void => {
      if (this.spare.length < 2) this.spare.push(input);
    };
    let run: Promise<ScoreBatch>;
    try {
      run = this.scorer.score(input.subarray(0, rows * this.width), rows, {
        engine: this.engine,
        contributions: this.contributions,
      });
    } catch (error) {
      run = Promise.reject(error);
    }
    run.then(
      (batch) => {
        release();
        for (let i = 0; i < waiters.length; i++) (waiters[i] as Waiter).resolve({ batch, index: i });
      },
      (error: unknown) => {
        release();
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }
}

const batchers = new WeakMap<Scorer, Map<string, ScoreBatcher>>();

/** The batcher of `scorer` for `engine`, made on first use and dropped with the scorer. */
export function batcherFor(
  scorer: Scorer,
  engine: ScoringEngine,
  contributions: boolean,
  width: number,
): ScoreBatcher {
  let byKey = batchers.get(scorer);
  if (byKey === undefined) {
    byKey = new Map();
    batchers.set(scorer, byKey);
  }
  const key = contributions ? `${engine}+c` : engine;
  let batcher = byKey.get(key);
  if (batcher === undefined) {
    batcher = new ScoreBatcher(scorer, engine, contributions, width);
    byKey.set(key, batcher);
  }
  return batcher;
}
