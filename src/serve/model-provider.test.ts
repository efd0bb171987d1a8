import { describe, it, expect } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import { NO_MODEL_MESSAGE, requireScorer, staticModelProvider } from './model-provider.js';
import { FakeScorer } from './__fixtures__/fake-scorer.js';

describe('requireScorer', () => {
  it('returns the current scorer', () => {
    const scorer = new FakeScorer();
    expect(requireScorer(staticModelProvider(scorer))).toBe(scorer);
  });

  it('throws a 503 MODEL_NOT_FOUND without a model, with the load error when known', () => {
    const attempts = [
      [staticModelProvider(null), NO_MODEL_MESSAGE],
      [staticModelProvider(null, 'bad hash'), `${NO_MODEL_MESSAGE} (loading failed: bad hash)`],
      [{ current: () => null }, NO_MODEL_MESSAGE],
    ] as const;
    for (const [provider, message] of attempts) {
      let thrown: unknown = null;
      try {
        requireScorer(provider);
      } catch (error) {
        thrown = error;
      }
      expect(isCardwatchError(thrown) && thrown.code).toBe('MODEL_NOT_FOUND');
      expect(isCardwatchError(thrown) && thrown.statusCode).toBe(503);
      expect(thrown instanceof Error && thrown.message).toBe(message);
    }
  });
});
