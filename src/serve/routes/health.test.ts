import { afterEach, describe, expect, it } from 'vitest';
import { staticModelProvider } from '../model-provider.js';
import { closeHarnesses, expectError, harness } from '../__fixtures__/harness.js';

afterEach(closeHarnesses);

describe('GET /health', () => {
  it('answers 200 while the process runs, with or without a model', async () => {
    const { app } = await harness({ provider: staticModelProvider(null) });
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ status: string; uptime_seconds: number }>();
    expect(body.status).toBe('ok');
    expect(body.uptime_seconds).toBeGreaterThan(0);
  });
});

describe('GET /ready', () => {
  it('is ready with a model and a healthy log', async () => {
    const { app } = await harness({ withLog: true, scorer: { id: 'ae-r' } });
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      model_version: 'ae-r',
      prediction_log: 'ok',
      log_queue_depth: 0,
    });
  });

  it('says the log is disabled when the app runs without one', async () => {
    const { app } = await harness();
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toMatchObject({
      prediction_log: 'disabled',
    });
  });

  it('is not ready (503 NOT_READY) without a model, naming why loading failed', async () => {
    const { app } = await harness({ provider: staticModelProvider(null, 'models/production is missing') });
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(expectError(res, 503, 'NOT_READY')).toBe(
      'not ready: no model is loaded (models/production is missing)',
    );
  });

  it('is not ready while the prediction log cannot write, or is full', async () => {
    const { app, log } = await harness({ withLog: true });
    const sick = log as NonNullable<typeof log>;
    const stats = sick.stats();
    Object.assign(sick, { healthy: () => false, stats: () => ({ ...stats, lastError: 'disk I/O error' }) });
    expect(expectError(await app.inject({ method: 'GET', url: '/ready' }), 503, 'NOT_READY')).toBe(
      'not ready: the prediction log cannot write (disk I/O error)',
    );
    Object.assign(sick, { healthy: () => true, hasCapacity: () => false });
    expect(expectError(await app.inject({ method: 'GET', url: '/ready' }), 503, 'NOT_READY')).toBe(
      'not ready: the prediction log queue is full',
    );
  });
});
