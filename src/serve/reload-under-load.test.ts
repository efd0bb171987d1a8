/**
 * Reload under load, with real bundles and ONNX Runtime on a real server: clients keep predicting while the
 * `production` alias moves between two bundles and `POST /admin/reload` swaps them in. Not one request may fail
 * (a model disposed under a running request would fail it in ONNX Runtime), and the answers must switch to the
 * new model version once each reload has returned.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir, tinyExportInput, tinyGraph } from '../bundle/__fixtures__/tiny-bundle.js';
import { exportBundle } from '../bundle/export.js';
import { promoteBundle } from '../bundle/registry.js';
import { loadScorer } from '../bundle/scorer.js';
import { openPredictionLog } from '../predictions/index.js';
import { reloadableModelProvider } from './reloadable-provider.js';
import { startServer, type RunningServer } from './server.js';
import { readLogged } from './__fixtures__/harness.js';
import { isAnswer, keepAliveAgent, send, type HttpOutcome } from './__fixtures__/http-client.js';

const KEY = 'reload-test-key-0123456789';

interface Observation {
  readonly startedAt: number;
  readonly outcome: HttpOutcome;
}

describe('POST /admin/reload under load', () => {
  const models = tempDir('reload');
  const logPath = join(tempDir('reload-log'), 'predictions.sqlite');
  let server: RunningServer;

  beforeAll(async () => {
    await exportBundle(tinyExportInput(models, 'ae-one'));
    await exportBundle(tinyExportInput(models, 'ae-two', { graph: tinyGraph(99) }));
    promoteBundle(models, 'ae-one');
    const provider = reloadableModelProvider({
      load: () => loadScorer(models, 'production'),
      initial: await loadScorer(models, 'production'),
    });
    server = await startServer({
      models: provider,
      predictionLog: openPredictionLog({ path: logPath }),
      adminKey: KEY,
      host: '127.0.0.1',
      port: 0,
      processMetrics: false,
    });
  });
  afterAll(async () => {
    await server.close();
    removeTempDirs();
  });

  it('swaps models while requests run: zero failures, and answers follow each reload', async () => {
    const agent = keepAliveAgent(16);
    const observations: Observation[] = [];
    let stop = false;
    async function client(id: number): Promise<void> {
      for (let i = 0; !stop; i++) {
        const startedAt = performance.now();
        const features = Array.from({ length: 28 }, (_, k) => ((id * 7 + i + k) % 11) / 5 - 1);
        const outcome = await send(agent, `${server.url}/predict`, { body: { features } });
        observations.push({ startedAt, outcome });
      }
    }
    const clients = Array.from({ length: 8 }, (_, id) => client(id));

    // Each reload: move the alias, reload, note when it returned and what it switched to.
    const reloads: { startedAt: number; doneAt: number; version: string }[] = [];
    for (const target of ['ae-two', 'ae-one', 'ae-two', 'ae-one']) {
      await sleep(150);
      const startedAt = performance.now();
      promoteBundle(models, target);
      const res = await send(agent, `${server.url}/admin/reload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}` },
      });
      expect(isAnswer(res) && res.status, JSON.stringify(res)).toBe(200);
      const body = JSON.parse(isAnswer(res) ? res.body : '{}') as {
        model_version: string;
        previous_version: string;
      };
      expect(body.model_version).toBe(target);
      reloads.push({ startedAt, doneAt: performance.now(), version: target });
    }
    await sleep(150);
    stop = true;
    await Promise.all(clients);
    agent.destroy();

    const failures = observations.filter((o) => !isAnswer(o.outcome) || o.outcome.status !== 200);
    expect(failures.map((o) => JSON.stringify(o.outcome).slice(0, 300))).toEqual([]);
    expect(observations.length).toBeGreaterThan(200);

    const versionOf = (o: Observation): string =>
      (JSON.parse((o.outcome as { body: string }).body) as { model_version: string }).model_version;
    const seen = new Set(observations.map(versionOf));
    expect([...seen].sort()).toEqual(['ae-one', 'ae-two']);
    // A request that started after reload k returned (and before reload k+1 began) used reload k's model.
    for (let k = 0; k < reloads.length; k++) {
      const from = reloads[k]!.doneAt;
      const until = k + 1 < reloads.length ? reloads[k + 1]!.startedAt : Number.POSITIVE_INFINITY;
      const window = observations.filter((o) => o.startedAt > from && o.startedAt < until);
      expect(window.length).toBeGreaterThan(0);
      expect(new Set(window.map(versionOf))).toEqual(new Set([reloads[k]!.version]));
    }

    // Every answered prediction was logged, with the model version it was answered with.
    await sleep(50);
    const sample = observations.slice(-50).map(
      (o) =>
        JSON.parse((o.outcome as { body: string }).body) as {
          prediction_id: string;
          model_version: string;
        },
    );
    const logged = readLogged(
      logPath,
      sample.map((s) => s.prediction_id),
    );
    for (const s of sample) expect(logged.get(s.prediction_id)?.modelVersion).toBe(s.model_version);
  });
});
