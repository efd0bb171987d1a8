/**
 * Model reload for replicas: each `cardwatch serve` process re-reads the registry alias it serves (e.g.
 * `production` in `models/aliases.json`, on a volume every replica mounts) every `intervalMs`, and reloads when
 * the alias names another bundle than the one it serves. So `cardwatch models promote` (or the web app's
 * promote) reaches every replica within one interval, with the same no-failed-request swap as
 * `POST /admin/reload`, and with nothing else to run: no broadcast channel, no replica list.
 */
import { readAliases } from '../bundle/registry.js';
import type { ModelProvider, ReloadOutcome } from './model-provider.js';

export interface AliasWatcherOptions {
  readonly modelsDir: string;
  /** The alias served; a bundle id (not an alias) is never reloaded. */
  readonly alias: string;
  readonly intervalMs: number;
  readonly models: ModelProvider;
  readonly onReload?: (outcome: ReloadOutcome) => void;
  /** A failed read of the alias or a failed reload (the previous model keeps serving); retried next tick. */
  readonly onError?: (error: unknown) => void;
}

export interface AliasWatcher {
  /** One check now (the timer calls it); resolves with the reload it did, or null. */
  check(): Promise<ReloadOutcome | null>;
  stop(): void;
}

export function watchModelAlias(options: AliasWatcherOptions): AliasWatcher {
  const { models } = options;
  let checking: Promise<ReloadOutcome | null> | null = null;
  let stopped = false;

  async function checkOnce(): Promise<ReloadOutcome | null> {
    const target = readAliases(options.modelsDir)[options.alias];
    if (target === undefined || models.reload === undefined) return null;
    if (models.current()?.manifest.id === target) return null;
    const outcome = await models.reload();
    options.onReload?.(outcome);
    return outcome;
  }

  function check(): Promise<ReloadOutcome | null> {
    // One check at a time: a slow model load must not start a second one.
    checking ??= checkOnce()
      .catch((error: unknown) => {
        if (!stopped) options.onError?.(error);
        return null;
      })
      .finally(() => {
        checking = null;
      });
    return checking;
  }

  const timer = setInterval(() => void check(), options.intervalMs);
  // The watcher alone must not keep a stopping process alive.
  timer.unref();
  return {
    check,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
