import { describe, expect, it } from 'vitest';
import { FakeScorer } from './__fixtures__/fake-scorer.js';
import { batcherFor, ScoreBatcher } from './score-batcher.js';

const WIDTH = 28;

function row(value: number): Float32Array {
  return new Float32Array(WIDTH).fill(value);
}

describe('ScoreBatcher', () => {
  it('scores the rows queued in one event-loop turn with one model call, each answer at its own index', async () => {
    const scorer = new FakeScorer();
    const batcher = new ScoreBatcher(scorer, 'float32', true, WIDTH);
    const answers = await Promise.all([1, 2, 3].map((v) => batcher.score(row(v))));
    expect(scorer.calls).toHaveLength(1);
    expect(scorer.calls[0]?.rows).toBe(3);
    // FakeScorer's score is the mean square of the row: v².
    expect(answers.map(({ batch, index }) => batch.scores[index])).toEqual([1, 4, 9]);
    expect(answers.map(({ index }) => index)).toEqual([0, 1, 2]);
    const { batch, index } = answers[2] as (typeof answers)[number];
    expect(batch.contributions[index * WIDTH]).toBe(9);
  });

  it('copies the row, so the caller may reuse its array at once', async () => {
    const scorer = new FakeScorer();
    const batcher = new ScoreBatcher(scorer, 'float32', false, WIDTH);
    const shared = row(2);
    const first = batcher.score(shared);
    shared.fill(5);
    const second = batcher.score(shared);
    const [a, b] = await Promise.all([first, second]);
    expect(a.batch.scores[a.index]).toBe(4);
    expect(b.batch.scores[b.index]).toBe(25);
  });

  it('starts a new run when a batch is full and runs later turns separately', async () => {
    const scorer = new FakeScorer();
    const batcher = new ScoreBatcher(scorer, 'float32', false, WIDTH, 2);
    await Promise.all([1, 2, 3].map((v) => batcher.score(row(v))));
    expect(scorer.calls.map((call) => call.rows)).toEqual([2, 1]);
    await batcher.score(row(4));
    expect(scorer.calls.map((call) => call.rows)).toEqual([2, 1, 1]);
    expect(scorer.calls[0]?.options).toEqual({ engine: 'float32', contributions: false });
  });

  it('rejects every request of a batch whose model call fails, and keeps serving later ones', async () => {
    const failing = new FakeScorer({ failWith: new Error('model exploded') });
    const batcher = new ScoreBatcher(failing, 'float32', true, WIDTH);
    const results = await Promise.allSettled([batcher.score(row(1)), batcher.score(row(2))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toContain('model exploded');
  });

  it('keeps one batcher per scorer, engine and contributions flag', () => {
    const a = new FakeScorer();
    const b = new FakeScorer();
    expect(batcherFor(a, 'float32', true, WIDTH)).toBe(batcherFor(a, 'float32', true, WIDTH));
    expect(batcherFor(a, 'float32', true, WIDTH)).not.toBe(batcherFor(a, 'int8', true, WIDTH));
    expect(batcherFor(a, 'float32', true, WIDTH)).not.toBe(batcherFor(a, 'float32', false, WIDTH));
    expect(batcherFor(a, 'float32', true, WIDTH)).not.toBe(batcherFor(b, 'float32', true, WIDTH));
  });
});
