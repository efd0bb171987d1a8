/**
 * Graceful shutdown on a real server: SIGTERM (our listener, called directly: a real signal would also reach
 * the test runner) while requests are in flight. Every prediction answered 200 must be in the prediction log
 * afterwards; nothing else may be answered but 503 SHUTTING_DOWN or a refused connection.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openPredictionLog } from '../predictions/index.js';
import { staticModelProvider } from './model-provider.js';
import { startServer } from './server.js';
import { closeHarnesses, readLogged, tempFolder } from './__fixtures__/harness.js';
import { FakeScorer } from './__fixtures__/fake-scorer.js';
import { isAnswer, keepAliveAgent, send, type HttpOutcome } from './__fixtures__/http-client.js';

afterEach(closeHarnesses);

describe('graceful shutdown', () => {
  it('answers every in-flight request and logs every 2xx prediction before exiting', async () => {
    const logPath = join(tempFolder('shutdown'), 'predictions.sqlite');
    // A slow model (20 ms per call) keeps many requests in flight at the moment the signal arrives.
    const scorer = new FakeScorer({ id: 'ae-shutdown', delayMs: 20 });
    const before = process.listeners('SIGTERM');
    let finished: (error: unknown) => void = () => undefined;
    const shutDown = new Promise<unknown>((resolve) => (finished = resolve));
    const server = await startServer({
      models: staticModelProvider(scorer),
      predictionLog: openPredictionLog({ path: logPath }),
      host: '127.0.0.1',
      port: 0,
      handleSignals: true,
      processMetrics: false,
      onShutdown: (error) => finished(error),
    });
    const sigterm = process.listeners('SIGTERM').find((listener) => !before.includes(listener));
    expect(sigterm).toBeDefined();

    const agent = keepAliveAgent(32);
    const outcomes: HttpOutcome[] = [];
    let stop = false;
    async function client(id: number): Promise<void> {
      for (let i = 0; !stop; i++) {
        const outcome = await send(agent, `${server.url}/predict`, {
          body: { features: new Array(28).fill(id / 10), transaction_id: `c${id}-${i}` },
        });
        outcomes.push(outcome);
        // After the server went away there is nothing more to learn from this client.
        if (!isAnswer(outcome) || outcome.status !== 200) return;
      }
    }
    const clients = Array.from({ length: 24 }, (_, id) => client(id));
    await sleep(150);
    // Requests are scored in batches (score-batcher.ts): signal while a batch is inside the model.
    for (let waited = 0; scorer.running === 0 && waited < 2_000; waited++) await sleep(1);
    const inFlight = scorer.running;
    sigterm?.('SIGTERM');
    expect(await shutDown).toBeNull();
    stop = true;
    await Promise.all(clients);
    agent.destroy();

    expect(inFlight).toBeGreaterThan(0); // the signal really arrived mid-request
    const answered = outcomes.filter(isAnswer);
    const ok = answered.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThan(24);
    for (const other of answered.filter((a) => a.status !== 200)) {
      expect(other.status).toBe(503);
      expect(JSON.parse(other.body)).toMatchObject({ code: 'SHUTTING_DOWN' });
    }
    const ids = ok.map((a) => (JSON.parse(a.body) as { prediction_id: string }).prediction_id);
    const logged = readLogged(logPath, ids);
    expect(ids.filter((id) => !logged.has(id))).toEqual([]);
    // And the transaction ids went with them.
    const sample = logged.get(ids[0] as string);
    expect(sample?.transactionId).toMatch(/^c\d+-\d+$/);
    expect(process.listeners('SIGTERM')).toEqual(before);
    expect(scorer.running).toBe(0);
  });

  it('cuts connections still open after the shutdown timeout, and still closes the log', async () => {
    const logPath = join(tempFolder('shutdown'), 'predictions.sqlite');
    const scorer = new FakeScorer({ delayMs: 1_000 });
    const log = openPredictionLog({ path: logPath });
    const server = await startServer({
      models: staticModelProvider(scorer),
      predictionLog: log,
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 50,
      processMetrics: false,
    });
    const agent = keepAliveAgent();
    const pending = send(agent, `${server.url}/predict`, { body: { features: new Array(28).fill(0) } });
    await sleep(50);
    const started = performance.now();
    await server.close();
    // The slow request was allowed to finish (and be logged) even though its connection was cut.
    expect(performance.now() - started).toBeLessThan(5_000);
    const outcome = await pending;
    expect(isAnswer(outcome) ? outcome.status : 'cut').toBe('cut');
    expect(log.healthy()).toBe(false); // closed
    agent.destroy();
  });
});
