/**
 * Where the API gets its model. The server must start (and explain itself) with no model, and `POST
 * /admin/reload` swaps models at run time, so routes ask the provider on every request instead of holding a
 * Scorer. Scoring routes *lease* the scorer for the length of the request: a reload never disposes a scorer
 * a request is still using.
 */
import type { Scorer, ScoringEngine } from '../bundle/scorer-types.js';
import { CardwatchError } from '../util/errors.js';

/** A scorer held by one request; `release()` exactly once when the request no longer needs it. */
export interface ScorerLease {
  readonly scorer: Scorer;
  release(): void;
}

/** What a reload did, for the admin reply and the log. */
export interface ReloadOutcome {
  readonly previousVersion: string | null;
  readonly modelVersion: string;
  readonly engines: readonly ScoringEngine[];
  /** Time to load and verify the new bundle. */
  readonly loadMs: number;
  /** Requests still running on the previous model when the swap happened; it is disposed after them. */
  readonly draining: number;
}

export interface ModelProvider {
  /** The model to serve now, or null when none is loaded (for reads such as `GET /model`; no lease). */
  current(): Scorer | null;
  /** Why the last load failed, if it did (shown to clients in the 503). */
  loadError?(): string | null;
  /**
   * Leases the current scorer (null when none). Providers that never dispose their scorer may leave it out;
   * {@link leaseScorer} then hands out the current one with a no-op release.
   */
  acquire?(): ScorerLease | null;
  /**
   * Loads the model again (e.g. the bundle `production` names now) and swaps it in without failing a request;
   * absent on providers with a fixed model (`POST /admin/reload` then answers RELOAD_FAILED).
   */
  reload?(): Promise<ReloadOutcome>;
  /** Releases the scorers once nothing uses them; the app calls it when it closes. */
  close?(): Promise<void>;
}

/** The 503 answer's advice; kept in one place because the CLI prints the same hint. */
export const NO_MODEL_MESSAGE =
  'no model is loaded: run `cardwatch train` (or `npm start`) to train and promote one';

/**
 * A provider that always serves the same scorer (or none), e.g. for tests and embedding. It never disposes the
 * scorer: whoever made it does.
 * @example staticModelProvider(null, 'models/production: not found').current() // null
 */
export function staticModelProvider(scorer: Scorer | null, loadError: string | null = null): ModelProvider {
  // One lease object for every request: releasing a scorer that is never disposed has nothing to do.
  const lease: ScorerLease | null = scorer === null ? null : { scorer, release: () => undefined };
  return { current: () => scorer, loadError: () => loadError, acquire: () => lease };
}

function noModel(provider: ModelProvider): CardwatchError {
  const loadError = provider.loadError?.() ?? null;
  const message =
    loadError === null ? NO_MODEL_MESSAGE : `${NO_MODEL_MESSAGE} (loading failed: ${loadError})`;
  // 503, not the catalogue's 404: the route exists, the service is just not ready to answer it yet.
  return new CardwatchError('MODEL_NOT_FOUND', message, { statusCode: 503 });
}

/**
 * The scorer to use for this request, or a 503 `MODEL_NOT_FOUND` naming how to get one (and why loading
 * failed, when the provider knows). For reads that do not score; scoring takes a {@link leaseScorer}.
 */
export function requireScorer(provider: ModelProvider): Scorer {
  const scorer = provider.current();
  if (scorer !== null) return scorer;
  throw noModel(provider);
}

/** Leases the current scorer for one request, or throws the 503 of {@link requireScorer}. */
export function leaseScorer(provider: ModelProvider): ScorerLease {
  if (provider.acquire !== undefined) {
    const lease = provider.acquire();
    if (lease !== null) return lease;
    throw noModel(provider);
  }
  return { scorer: requireScorer(provider), release: () => undefined };
}
