import { afterEach, describe, expect, it } from 'vitest';
import { staticModelProvider } from '../model-provider.js';
import { closeHarnesses, expectError, harness } from '../__fixtures__/harness.js';

afterEach(closeHarnesses);

describe('GET /model', () => {
  it('describes the served bundle: version, threshold, metrics, fingerprint, engines', async () => {
    const { app } = await harness({ scorer: { id: 'ae-m', threshold: 0.7, engines: ['float32', 'int8'] } });
    const res = await app.inject({ method: 'GET', url: '/model' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      model_version: 'ae-m',
      model_type: 'fake-mean-square',
      source: 'training',
      created_at: '2026-01-01T00:00:00.000Z',
      threshold: { value: 0.7, strategy: 'fixed for tests', chosen_on: 'validation' },
      data_fingerprint: 'fixture',
      run_id: 'run-fixture',
      engines: ['float32', 'int8'],
      int8: null,
    });
    expect(body.metrics).toMatchObject({ validation: { roc_auc: 0.9 }, test: { recall: 0.8 } });
    expect(body.input_columns).toHaveLength(28);
    expect(Object.keys(body)).not.toContain('config'); // the training config is not part of the answer
  });

  it('answers 503 MODEL_NOT_FOUND without a model', async () => {
    const { app } = await harness({ provider: staticModelProvider(null) });
    expectError(await app.inject({ method: 'GET', url: '/model' }), 503, 'MODEL_NOT_FOUND');
  });
});
