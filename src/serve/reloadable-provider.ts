/**
 * A model provider whose model can be swapped while requests are running (`POST /admin/reload`), without
 * failing or dropping any of them:
 *
 * 1. the new scorer is loaded completely first (a failed load changes nothing: the old model keeps serving);
 * 2. the provider's reference is swapped in one assignment, so each request sees either the old model or the
 *    new one, never a mix, and every request that starts afterwards gets the new one;
 * 3. the old scorer is disposed only once the last request holding a lease on it has released it (reference
 *    counting, not a grace period: a slow request can never find its model gone).
 */
import type { Scorer } from '../bundle/scorer-types.js';
import { scorerEngines } from '../bundle/scorer.js';
import { CardwatchError, describeError } from '../util/errors.js';
import type { ModelProvider, ReloadOutcome, ScorerLease } from './model-provider.js';

export type { ReloadOutcome };

export interface ReloadableModelProvider extends ModelProvider {
  acquire(): ScorerLease | null;
  /**
   * Loads the model again (e.g. the bundle `production` now names) and swaps it in. Calls run one after the
   * other. A failed load → `RELOAD_FAILED` (the previous model keeps serving).
   */
  reload(): Promise<ReloadOutcome>;
  /** Leases currently held, on the current and on retired models. */
  inFlight(): number;
  /** Refuses further reloads and disposes every scorer once its leases are released. Idempotent. */
  close(): Promise<void>;
}

export interface ReloadableProviderOptions {
  /** Loads the model to serve; called by `reload()`. */
  readonly load: () => Promise<Scorer>;
  /** The model loaded at startup (null when there was none), and why loading failed. */
  readonly initial?: Scorer | null;
  readonly initialError?: string | null;
  /** A retired scorer's `dispose()` failed; the swap itself already succeeded. */
  readonly onDisposeError?: (error: unknown, modelVersion: string) => void;
}

/** One loaded scorer and the number of requests holding it; it is its own lease object (no per-request allocation). */
class LeasedScorer implements ScorerLease {
  private refs = 0;
  private retired = false;
  private disposing = false;
  private markDisposed: () => void = () => undefined;
  private readonly disposed: Promise<void>;

  constructor(
    readonly scorer: Scorer,
    private readonly dispose: (entry: LeasedScorer) => Promise<void>,
  ) {
    this.disposed = new Promise((resolve) => (this.markDisposed = resolve));
  }

  get holders(): number {
    return this.refs;
  }

  acquire(): this {
    this.refs += 1;
    return this;
  }

  release(): void {
    // Callers release exactly once, in a `finally`. The count is never let below zero, so a stray release
    // cannot make the next lease dispose the scorer early.
    this.refs = Math.max(0, this.refs - 1);
    if (this.retired && this.refs === 0) this.disposeOnce();
  }

  /** No new leases will be taken; dispose as soon as nobody holds it. Resolves once disposed. */
  retire(): Promise<void> {
    this.retired = true;
    if (this.refs === 0) this.disposeOnce();
    return this.disposed;
  }

  private disposeOnce(): void {
    if (this.disposing) return;
    this.disposing = true;
    void this.dispose(this).finally(this.markDisposed);
  }
}

/**
 * A provider for `cardwatch serve`: starts with the model loaded at startup (or none) and reloads on demand.
 * @example
 * const models = reloadableModelProvider({ load: () => loadScorer('models', 'production'), initial: scorer });
 * await promoteBundle('models', 'ae-2'); // elsewhere: production → ae-2
 * await models.reload(); // { previousVersion: 'ae-1', modelVersion: 'ae-2', draining: 3, … }
 */
export function reloadableModelProvider(options: ReloadableProviderOptions): ReloadableModelProvider {
  let closed = false;
  let loadError: string | null = options.initialError ?? null;
  const retiring = new Set<LeasedScorer>();
  let queue: Promise<unknown> = Promise.resolve();

  async function disposeEntry(entry: LeasedScorer): Promise<void> {
    try {
      await entry.scorer.dispose();
    } catch (error) {
      options.onDisposeError?.(error, entry.scorer.manifest.id);
    } finally {
      retiring.delete(entry);
    }
  }

  function wrap(scorer: Scorer): LeasedScorer {
    return new LeasedScorer(scorer, disposeEntry);
  }

  let active: LeasedScorer | null = options.initial ? wrap(options.initial) : null;

  function retire(entry: LeasedScorer): { draining: number; disposed: Promise<void> } {
    const draining = entry.holders;
    retiring.add(entry);
    return { draining, disposed: entry.retire() };
  }

  async function reloadNow(): Promise<ReloadOutcome> {
    if (closed) throw new CardwatchError('SHUTTING_DOWN', 'the service is shutting down; not reloading');
    const started = performance.now();
    let next: Scorer;
    try {
      next = await options.load();
    } catch (error) {
      const serving = active === null ? 'no model is loaded' : `still serving ${active.scorer.manifest.id}`;
      if (active === null) loadError = describeError(error);
      throw new CardwatchError(
        'RELOAD_FAILED',
        `could not load the new model: ${describeError(error)} (${serving})`,
        { cause: error },
      );
    }
    const loadMs = performance.now() - started;
    if (closed) {
      // close() ran while the bundle loaded: nobody will ever use it.
      await next.dispose();
      throw new CardwatchError('SHUTTING_DOWN', 'the service is shutting down; not reloading');
    }
    const previous = active;
    active = wrap(next); // the swap: one assignment, so a request sees the old model or the new one
    loadError = null;
    const draining = previous === null ? 0 : retire(previous).draining;
    return {
      previousVersion: previous?.scorer.manifest.id ?? null,
      modelVersion: next.manifest.id,
      engines: scorerEngines(next),
      loadMs,
      draining,
    };
  }

  let closing: Promise<void> | null = null;

  return {
    current: () => active?.scorer ?? null,
    loadError: () => loadError,
    acquire: () => (active === null ? null : active.acquire()),
    reload() {
      const run = queue.then(reloadNow);
      // The next reload waits for this one whether it succeeds or not.
      queue = run.catch(() => undefined);
      return run;
    },
    inFlight() {
      let total = active?.holders ?? 0;
      for (const entry of retiring) total += entry.holders;
      return total;
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await queue; // a reload in progress finishes (or gives up) first
        const waits = [...retiring].map((entry) => entry.retire());
        if (active !== null) waits.push(retire(active).disposed);
        active = null;
        await Promise.all(waits);
      })();
      return closing;
    },
  };
}
