import { describe, it, expect } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import {
  leaseScorer,
  NO_MODEL_MESSAGE,
  requireScorer,
  staticModelProvider,
  type ModelProvider,
} from './model-provider.js';
import { FakeScorer } from './__fixtures__/fake-scorer.js';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return null;
}

describe('requireScorer and leaseScorer', () => {
  it('return the current scorer', () => {
    const scorer = new FakeScorer();
    expect(requireScorer(staticModelProvider(scorer))).toBe(scorer);
    const lease = leaseScorer(staticModelProvider(scorer));
    expect(lease.scorer).toBe(scorer);
    lease.release();
  });

  it('lease from a provider that only has current()', () => {
    const scorer = new FakeScorer();
    expect(leaseScorer({ current: () => scorer }).scorer).toBe(scorer);
  });

  it('throw a 503 MODEL_NOT_FOUND without a model, with the load error when known', () => {
    const attempts: [ModelProvider, string][] = [
      [staticModelProvider(null), NO_MODEL_MESSAGE],
      [staticModelProvider(null, 'bad hash'), `${NO_MODEL_MESSAGE} (loading failed: bad hash)`],
      [{ current: () => null }, NO_MODEL_MESSAGE],
    ];
    for (const [provider, message] of attempts) {
      for (const thrown of [thrownBy(() => requireScorer(provider)), thrownBy(() => leaseScorer(provider))]) {
        expect(isCardwatchError(thrown) && thrown.code).toBe('MODEL_NOT_FOUND');
        expect(isCardwatchError(thrown) && thrown.statusCode).toBe(503);
        expect(thrown instanceof Error && thrown.message).toBe(message);
      }
    }
  });
});
