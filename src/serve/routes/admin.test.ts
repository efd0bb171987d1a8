import { afterEach, describe, expect, it } from 'vitest';
import { CardwatchError } from '../../util/errors.js';
import { reloadableModelProvider } from '../reloadable-provider.js';
import { closeHarnesses, expectError, harness, zeros } from '../__fixtures__/harness.js';
import { FakeScorer } from '../__fixtures__/fake-scorer.js';

afterEach(closeHarnesses);

const KEY = 'test-admin-key-0123456789abcdef';

/** An app whose provider loads `next()` on every reload. */
async function reloadable(next: () => Promise<FakeScorer>) {
  const first = new FakeScorer({ id: 'model-1' });
  const provider = reloadableModelProvider({ load: next, initial: first });
  const h = await harness({ provider, app: { adminKey: KEY } });
  return { ...h, first };
}

describe('POST /admin/reload: authentication', () => {
  it.each([
    [{}, /admin routes need the admin key/],
    [{ authorization: 'Bearer wrong' }, /the admin key is wrong/],
    [{ 'x-api-key': `${KEY}x` }, /the admin key is wrong/],
    [{ authorization: `Basic ${KEY}` }, /admin routes need the admin key/],
  ])('refuses %j with 401 and a WWW-Authenticate challenge', async (headers, message) => {
    let loads = 0;
    const { app } = await reloadable(async () => {
      loads += 1;
      return new FakeScorer({ id: 'model-2' });
    });
    const res = await app.inject({ method: 'POST', url: '/admin/reload', headers });
    expect(expectError(res, 401, 'UNAUTHORIZED')).toMatch(message);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="cardwatch admin"');
    expect(loads).toBe(0);
  });

  it.each([{ authorization: `Bearer ${KEY}` }, { authorization: `bearer ${KEY}` }, { 'x-api-key': KEY }])(
    'accepts the key as %j',
    async (headers) => {
      const { app } = await reloadable(async () => new FakeScorer({ id: 'model-2' }));
      expect((await app.inject({ method: 'POST', url: '/admin/reload', headers })).statusCode).toBe(200);
    },
  );
});

describe('POST /admin/reload', () => {
  it('swaps to the newly loaded model and disposes the old one', async () => {
    const { app, first } = await reloadable(
      async () => new FakeScorer({ id: 'model-2', engines: ['float32', 'int8'] }),
    );
    const res = await app.inject({ method: 'POST', url: '/admin/reload', headers: { 'x-api-key': KEY } });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      previous_version: 'model-1',
      model_version: 'model-2',
      engines: ['float32', 'int8'],
      draining: 0,
    });
    expect(typeof body.load_ms).toBe('number');
    const predicted = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(predicted.json()).toMatchObject({ model_version: 'model-2' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.disposed).toBe(true);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('cardwatch_model_reloads_total{result="ok"} 1');
    expect(metrics).toContain('cardwatch_model_info{model_version="model-2"');
  });

  it('answers 409 RELOAD_FAILED and keeps serving the old model when the new one cannot load', async () => {
    const { app, first } = await reloadable(async () => {
      throw new CardwatchError('MODEL_CORRUPT', 'models/ae-2/model.onnx hash mismatch');
    });
    const res = await app.inject({ method: 'POST', url: '/admin/reload', headers: { 'x-api-key': KEY } });
    expect(expectError(res, 409, 'RELOAD_FAILED')).toBe(
      'could not load the new model: models/ae-2/model.onnx hash mismatch (still serving model-1)',
    );
    expect(first.disposed).toBe(false);
    const predicted = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(predicted.json()).toMatchObject({ model_version: 'model-1' });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('cardwatch_model_reloads_total{result="failed"} 1');
  });

  it('answers 409 on a server started with a fixed model', async () => {
    const { app } = await harness({ app: { adminKey: KEY } });
    const res = await app.inject({ method: 'POST', url: '/admin/reload', headers: { 'x-api-key': KEY } });
    expect(expectError(res, 409, 'RELOAD_FAILED')).toMatch(/fixed model/);
  });
});
