import { afterEach, describe, expect, it } from 'vitest';
import { closeHarnesses, expectError, harness, postRaw, readLogged, zeros } from '../__fixtures__/harness.js';

afterEach(closeHarnesses);

async function predictThenId(app: Awaited<ReturnType<typeof harness>>['app']): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
  return res.json<{ prediction_id: string }>().prediction_id;
}

describe('POST /feedback', () => {
  it('stores the label next to the prediction (even one still queued) and returns it', async () => {
    const { app, log, logPath } = await harness({ withLog: true });
    const id = await predictThenId(app);
    const res = await app.inject({
      method: 'POST',
      url: '/feedback',
      payload: { prediction_id: id, label: 1 },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ prediction_id: string; label: number; labelled_at: string }>();
    expect(body).toMatchObject({ prediction_id: id, label: 1 });
    expect(Date.parse(body.labelled_at)).toBeGreaterThan(Date.now() - 60_000);
    await log?.flush();
    expect(readLogged(logPath as string, [id]).get(id)).toMatchObject({ label: 1 });
  });

  it('lets a later label replace an earlier one', async () => {
    const { app } = await harness({ withLog: true });
    const id = await predictThenId(app);
    await app.inject({ method: 'POST', url: '/feedback', payload: { prediction_id: id, label: 1 } });
    const res = await app.inject({
      method: 'POST',
      url: '/feedback',
      payload: { prediction_id: id, label: 0 },
    });
    expect(res.json()).toMatchObject({ label: 0 });
  });

  it('answers 404 PREDICTION_NOT_FOUND for an unknown id', async () => {
    const { app } = await harness({ withLog: true });
    const res = await app.inject({
      method: 'POST',
      url: '/feedback',
      payload: { prediction_id: '01890a5d-ac96-774b-bcce-b302099a8057', label: 0 },
    });
    expect(expectError(res, 404, 'PREDICTION_NOT_FOUND')).toBe(
      'no prediction has the id "01890a5d-ac96-774b-bcce-b302099a8057"',
    );
  });

  it.each([
    ['{"prediction_id":"x","label":2}', 'label must be 0 (legitimate) or 1 (fraud), got 2'],
    ['{"prediction_id":"x","label":"1"}', 'label must be 0 (legitimate) or 1 (fraud), got a string ("1")'],
    ['{"prediction_id":"x","label":true}', 'label must be 0 (legitimate) or 1 (fraud), got true'],
    ['{"label":1}', 'prediction_id must be a string, got nothing'],
    ['{"prediction_id":"","label":1}', 'prediction_id must not be empty'],
    [
      '{"prediction_id":"x","label":1,"note":"y"}',
      'body has unknown field "note"; the accepted fields are prediction_id, label',
    ],
    ['[]', 'body must be a JSON object like {"prediction_id": "…", "label": 1}, got an array'],
  ])('rejects %s with a 400', async (raw, message) => {
    const { app } = await harness({ withLog: true });
    expect(expectError(await postRaw(app, raw, 'application/json', '/feedback'), 400, 'INVALID_INPUT')).toBe(
      message,
    );
  });

  it('answers 503 LOG_UNAVAILABLE when the server runs without a prediction log', async () => {
    const { app } = await harness();
    const res = await app.inject({
      method: 'POST',
      url: '/feedback',
      payload: { prediction_id: 'x', label: 1 },
    });
    expectError(res, 503, 'LOG_UNAVAILABLE');
  });
});
