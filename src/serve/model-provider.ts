/**
 * Where the API gets its model. The server must start (and explain itself) with no model, and a later issue
 * swaps models at run time, so routes ask the provider on every request instead of holding a Scorer.
 */
import type { Scorer } from '../bundle/scorer-types.js';
import { CardwatchError } from '../util/errors.js';

export interface ModelProvider {
  /** The model to serve now, or null when none is loaded. */
  current(): Scorer | null;
  /** Why the last load failed, if it did (shown to clients in the 503). */
  loadError?(): string | null;
}

/** The 503 answer's advice; kept in one place because the CLI prints the same hint. */
export const NO_MODEL_MESSAGE =
  'no model is loaded: run `cardwatch train` (or `npm start`) to train and promote one';

/**
 * A provider that always serves the same scorer (or none), e.g. for the CLI after a one-off load, and tests.
 * @example staticModelProvider(null, 'models/production: not found').current() // null
 */
export function staticModelProvider(scorer: Scorer | null, loadError: string | null = null): ModelProvider {
  return { current: () => scorer, loadError: () => loadError };
}

/**
 * The scorer to use for this request, or a 503 `MODEL_NOT_FOUND` naming how to get one (and why loading
 * failed, when the provider knows).
 */
export function requireScorer(provider: ModelProvider): Scorer {
  const scorer = provider.current();
  if (scorer !== null) return scorer;
  const loadError = provider.loadError?.() ?? null;
  const message =
    loadError === null ? NO_MODEL_MESSAGE : `${NO_MODEL_MESSAGE} (loading failed: ${loadError})`;
  // 503, not the catalogue's 404: the route exists, the service is just not ready to answer it yet.
  throw new CardwatchError('MODEL_NOT_FOUND', message, { statusCode: 503 });
}
