import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Scorer } from '../bundle/scorer-types.js';
import { watchModelAlias, type AliasWatcher } from './alias-watcher.js';
import type { ModelProvider, ReloadOutcome } from './model-provider.js';

const dirs: string[] = [];
const watchers: AliasWatcher[] = [];
afterEach(() => {
  for (const w of watchers.splice(0)) w.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A provider serving bundle `id`, whose reload switches to whatever `aliases.json` names. */
function fakeProvider(modelsDir: string, id: string): ModelProvider & { reloads: number } {
  let current = id;
  const provider = {
    reloads: 0,
    current: () => ({ manifest: { id: current } }) as unknown as Scorer,
    async reload(): Promise<ReloadOutcome> {
      provider.reloads += 1;
      const { readAliases } = await import('../bundle/registry.js');
      const previous = current;
      current = readAliases(modelsDir)['production'] as string;
      return {
        previousVersion: previous,
        modelVersion: current,
        engines: ['float32'],
        loadMs: 1,
        draining: 0,
      };
    },
  };
  return provider;
}

function setup(alias: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 'cardwatch-alias-'));
  dirs.push(dir);
  if (alias !== null) writeFileSync(join(dir, 'aliases.json'), JSON.stringify({ production: alias }));
  return dir;
}

describe('watchModelAlias', () => {
  it('reloads once when the alias names another bundle, then stays put', async () => {
    const dir = setup('ae-1');
    const models = fakeProvider(dir, 'ae-1');
    const seen: string[] = [];
    const watcher = watchModelAlias({
      modelsDir: dir,
      alias: 'production',
      intervalMs: 60_000,
      models,
      onReload: (o) => seen.push(o.modelVersion),
    });
    watchers.push(watcher);
    expect(await watcher.check()).toBeNull();
    writeFileSync(join(dir, 'aliases.json'), JSON.stringify({ production: 'ae-2' }));
    expect(await watcher.check()).toMatchObject({ previousVersion: 'ae-1', modelVersion: 'ae-2' });
    expect(await watcher.check()).toBeNull();
    expect(models.reloads).toBe(1);
    expect(seen).toEqual(['ae-2']);
  });

  it('reports a damaged alias file instead of throwing, and recovers', async () => {
    const dir = setup(null);
    writeFileSync(join(dir, 'aliases.json'), '{ half');
    const errors: unknown[] = [];
    const models = fakeProvider(dir, 'ae-1');
    const watcher = watchModelAlias({
      modelsDir: dir,
      alias: 'production',
      intervalMs: 60_000,
      models,
      onError: (e) => errors.push(e),
    });
    watchers.push(watcher);
    expect(await watcher.check()).toBeNull();
    expect(errors).toEqual([expect.objectContaining({ code: 'MODEL_CORRUPT' })]);
    writeFileSync(join(dir, 'aliases.json'), JSON.stringify({ production: 'ae-3' }));
    expect(await watcher.check()).toMatchObject({ modelVersion: 'ae-3' });
  });

  it('checks on its own every interval', async () => {
    const dir = setup('ae-1');
    const models = fakeProvider(dir, 'ae-1');
    watchers.push(watchModelAlias({ modelsDir: dir, alias: 'production', intervalMs: 20, models }));
    writeFileSync(join(dir, 'aliases.json'), JSON.stringify({ production: 'ae-9' }));
    const deadline = Date.now() + 5_000;
    while (models.current()?.manifest.id !== 'ae-9' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(models.current()?.manifest.id).toBe('ae-9');
  });
});
