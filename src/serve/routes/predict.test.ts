import { afterEach, describe, expect, it } from 'vitest';
import { CardwatchError } from '../../util/errors.js';
import { NO_MODEL_MESSAGE, staticModelProvider, type ModelProvider } from '../model-provider.js';
import {
  closeHarnesses,
  expectError,
  harness,
  postRaw,
  PREDICTION_KEYS,
  readLogged,
  UUID_V7,
  zeros,
} from '../__fixtures__/harness.js';
import { FakeScorer, V1_TO_V28 } from '../__fixtures__/fake-scorer.js';
import { predictResponseSchema } from './predict-schemas.js';

afterEach(closeHarnesses);

interface Prediction {
  prediction_id: string;
  transaction_id: string | null;
  is_fraud: boolean;
  score: number;
  threshold: number;
  risk: string;
  model_version: string;
  engine: string;
  top_features: { feature: string; contribution: number; share: number }[];
}

describe('POST /predict: success', () => {
  it('scores one row: all ones give mean square 1 > threshold 0.5 → fraud, high risk', async () => {
    const { app, scorer } = await harness({ scorer: { threshold: 0.5, id: 'ae-ones' } });
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features: new Array(28).fill(1) },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<Prediction>();
    expect(Object.keys(body).sort()).toEqual(PREDICTION_KEYS);
    // The 200 answer skips the zod serializer (fast-path.ts): it must still be exactly the documented shape.
    expect(predictResponseSchema.strict().safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      is_fraud: true,
      score: 1,
      threshold: 0.5,
      risk: 'high',
      model_version: 'ae-ones',
      engine: 'float32',
      transaction_id: null,
    });
    expect(body.prediction_id).toMatch(UUID_V7);
    // The handler passed one float32 row of 28 values, asking for contributions.
    expect(scorer.calls).toHaveLength(1);
    expect(scorer.calls[0]?.rows).toBe(1);
    expect(Array.from(scorer.calls[0]?.x ?? [])).toEqual(new Array(28).fill(1));
    expect(scorer.calls[0]?.options).toMatchObject({ engine: 'float32', contributions: true });
  });

  it('returns the hand-computed score and top features: V6 = 2, V1 = 1, rest 0', async () => {
    const { app } = await harness({ scorer: { threshold: 0.5 } });
    const features = zeros(28);
    features[5] = 2;
    features[0] = 1;
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features } });
    const body = res.json<Prediction>();
    expect(body.score).toBeCloseTo(5 / 28, 6);
    expect(body.is_fraud).toBe(false);
    expect(body.risk).toBe('low'); // 0.18 < 0.5 · 0.5
    expect(body.top_features.slice(0, 2)).toEqual([
      { feature: 'V6', contribution: 4, share: 0.8 },
      { feature: 'V1', contribution: 1, share: 0.2 },
    ]);
    expect(body.top_features).toHaveLength(5);
  });

  it.each([
    [0.24, 'low'],
    [0.25, 'moderate'],
    [0.5, 'moderate'],
    [0.51, 'high'],
  ])('score %d against threshold 0.5 is %s risk', async (score, risk) => {
    const { app } = await harness({ scorer: { threshold: 0.5, fixedScore: score } });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(res.json()).toMatchObject({ risk, is_fraud: risk === 'high' });
  });

  it('is not fraud when the score equals the threshold (strictly greater is required)', async () => {
    const { app } = await harness({ scorer: { threshold: 1 } });
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features: new Array(28).fill(-1) },
    });
    expect(res.json()).toMatchObject({ score: 1, threshold: 1, is_fraud: false });
  });

  it('gives every prediction its own, time-ordered id', async () => {
    const { app } = await harness();
    const payload = { features: zeros(28) };
    const a = (await app.inject({ method: 'POST', url: '/predict', payload })).json<Prediction>();
    const b = (await app.inject({ method: 'POST', url: '/predict', payload })).json<Prediction>();
    expect(a.prediction_id).not.toBe(b.prediction_id);
    expect(a.prediction_id < b.prediction_id).toBe(true);
  });

  it('echoes the transaction id and accepts null for the optional fields', async () => {
    const { app } = await harness();
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features: zeros(28), amount: null, time: null, transaction_id: 'tx-42' },
    });
    expect(res.json()).toMatchObject({ transaction_id: 'tx-42' });
  });

  it('omits top features when serve.top_features is 0, and skips computing contributions', async () => {
    const { app, scorer } = await harness({ app: { topFeatures: 0 } });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(res.json()).toMatchObject({ top_features: [] });
    expect(scorer.calls[0]?.options.contributions).toBe(false);
  });

  it('accepts values at the float32 limit and passes them through unchanged', async () => {
    const { app, scorer } = await harness({ scorer: { fixedScore: 0 } });
    const features = zeros(28);
    features[0] = 3.4028234663852886e38;
    features[1] = -3.4028234663852886e38;
    features[2] = 1e-50; // underflows to 0 in float32: accepted, like any tiny value
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features } });
    expect(res.statusCode).toBe(200);
    expect(Array.from(scorer.calls[0]?.x.subarray(0, 3) ?? [])).toEqual([
      3.4028234663852886e38, -3.4028234663852886e38, 0,
    ]);
  });

  it('answers a score that overflows float32 (extreme but valid input) as the largest number, flagged', async () => {
    const { app } = await harness({ scorer: { fixedScore: Number.POSITIVE_INFINITY } });
    const features = new Array(28).fill(3e38);
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features } });
    expect(res.statusCode).toBe(200);
    const body = res.json<Prediction>();
    expect(body).toMatchObject({ score: Number.MAX_VALUE, is_fraud: true, risk: 'high' });
    expect(body.top_features[0]?.contribution).toBe(Number.MAX_VALUE);
  });

  it('asks the provider on every request, so a swapped model is used at once', async () => {
    let current: FakeScorer | null = new FakeScorer({ id: 'model-a' });
    const provider: ModelProvider = { current: () => current };
    const { app } = await harness({ provider });
    const payload = { features: zeros(28) };
    expect((await app.inject({ method: 'POST', url: '/predict', payload })).json()).toMatchObject({
      model_version: 'model-a',
    });
    current = new FakeScorer({ id: 'model-b' });
    expect((await app.inject({ method: 'POST', url: '/predict', payload })).json()).toMatchObject({
      model_version: 'model-b',
    });
    current = null;
    expectError(await app.inject({ method: 'POST', url: '/predict', payload }), 503, 'MODEL_NOT_FOUND');
  });

  it('keeps concurrent requests apart (pooled input rows are never shared while a score is pending)', async () => {
    const { app } = await harness();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.inject({ method: 'POST', url: '/predict', payload: { features: new Array(28).fill(i / 10) } }),
      ),
    );
    replies.forEach((res, i) => expect(res.json<Prediction>().score).toBeCloseTo((i / 10) ** 2, 5));
  });
});

describe('POST /predict: engines', () => {
  it('scores with the int8 variant on ?engine=int8 when the bundle has it', async () => {
    const { app, scorer } = await harness({ scorer: { engines: ['float32', 'int8'] } });
    const res = await app.inject({
      method: 'POST',
      url: '/predict?engine=int8',
      payload: { features: zeros(28) },
    });
    expect(res.json()).toMatchObject({ engine: 'int8' });
    expect(scorer.calls[0]?.options.engine).toBe('int8');
  });

  it('answers 404 ENGINE_NOT_AVAILABLE with the re-export hint when the bundle lacks int8', async () => {
    const { app, scorer } = await harness();
    const res = await app.inject({
      method: 'POST',
      url: '/predict?engine=int8',
      payload: { features: zeros(28) },
    });
    const message = expectError(res, 404, 'ENGINE_NOT_AVAILABLE');
    expect(message).toMatch(/has no int8 variant.*re-export with `cardwatch export`/);
    expect(scorer.calls).toHaveLength(0);
  });

  it.each([
    ['?engine=fp16', 'engine must be one of float32, int8, got a string ("fp16")'],
    ['?engin=int8', 'querystring has unknown parameter "engin"; the only accepted parameter is engine'],
  ])('rejects %s with a 400 naming the parameter', async (query, message) => {
    const { app } = await harness();
    const res = await app.inject({
      method: 'POST',
      url: `/predict${query}`,
      payload: { features: zeros(28) },
    });
    expect(expectError(res, 400, 'INVALID_INPUT')).toBe(message);
  });
});

describe('POST /predict: model columns', () => {
  it('maps amount and time onto a model that takes Time, V1..V28, Amount', async () => {
    const { app, scorer } = await harness({ scorer: { inputColumns: ['Time', ...V1_TO_V28, 'Amount'] } });
    const features = V1_TO_V28.map((_, i) => i + 1);
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features, amount: 99.5, time: 7 },
    });
    expect(res.statusCode).toBe(200);
    expect(Array.from(scorer.calls[0]?.x ?? [])).toEqual([7, ...features, 99.5]);
    expect(res.json<Prediction>().top_features[0]?.feature).toBe('Amount');
  });

  it.each([
    [
      {},
      'model fake-20260101-000000-abcd also takes "amount" (Amount) and "time" (Time): send them with the features',
    ],
    [{ time: 1 }, 'model fake-20260101-000000-abcd also takes "amount" (Amount): send it with the features'],
    [
      { amount: 1, time: null },
      'model fake-20260101-000000-abcd also takes "time" (Time): send it with the features',
    ],
  ])('answers 400 naming what the model needs and the request lacks (%j)', async (extra, message) => {
    const { app, scorer } = await harness({ scorer: { inputColumns: ['Time', ...V1_TO_V28, 'Amount'] } });
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features: zeros(28), ...extra },
    });
    expect(expectError(res, 400, 'INVALID_INPUT')).toBe(message);
    expect(scorer.calls).toHaveLength(0);
  });

  it('reads only the V columns a smaller model takes', async () => {
    const { app, scorer } = await harness({ scorer: { inputColumns: ['V1', 'V2', 'V3'] } });
    const features = V1_TO_V28.map((_, i) => i + 1);
    await app.inject({ method: 'POST', url: '/predict', payload: { features } });
    expect(Array.from(scorer.calls[0]?.x ?? [])).toEqual([1, 2, 3]);
  });
});

describe('POST /predict: feature count', () => {
  it.each([
    [27, 'expected 28 features (V1..V28), got 27'],
    [29, 'expected 28 features (V1..V28), got 29'],
    [0, 'expected 28 features (V1..V28), got 0'],
  ])('rejects %i features with a 400 naming both counts', async (count, message) => {
    const { app, scorer } = await harness();
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(count) } });
    expect(expectError(res, 400, 'SHAPE_MISMATCH')).toBe(message);
    expect(scorer.calls).toHaveLength(0);
  });
});

describe('POST /predict: bad values', () => {
  const row = (index: number, raw: string): string => {
    const values = zeros(28).map(String);
    values[index] = raw;
    return `{"features":[${values.join(',')}]}`;
  };

  it.each([
    ['1e999', 'features[3] must be a finite number, got Infinity'],
    ['-1e999', 'features[3] must be a finite number, got -Infinity'],
    ['"1.5"', 'features[3] must be a finite number, got a string ("1.5")'],
    ['null', 'features[3] must be a finite number, got null'],
    ['[1,2]', 'features[3] must be a finite number, got an array'],
    ['true', 'features[3] must be a finite number, got true'],
    ['{"v":1}', 'features[3] must be a finite number, got an object'],
    ['1e39', 'features[3] must fit in float32 (|x| <= 3.4028235e+38), got 1e+39'],
  ])('rejects %s with a 400 naming the index', async (raw, message) => {
    const { app, scorer } = await harness();
    expect(expectError(await postRaw(app, row(3, raw)), 400, 'INVALID_INPUT')).toBe(message);
    expect(scorer.calls).toHaveLength(0);
  });

  it.each([
    ['{"features":[0],"amount":"12"}', 'amount must be a finite number, got a string ("12")'],
    ['{"features":[0],"time":1e999}', 'time must be a finite number, got Infinity'],
    ['{"features":[0],"transaction_id":42}', 'transaction_id must be a string, got 42'],
    ['{"features":[0],"transaction_id":""}', 'transaction_id must not be empty'],
    [
      `{"features":[0],"transaction_id":"${'x'.repeat(129)}"}`,
      'transaction_id must be at most 128 characters, got 129',
    ],
  ])('rejects a bad optional field: %s', async (raw, message) => {
    const { app } = await harness();
    expect(expectError(await postRaw(app, raw), 400, 'INVALID_INPUT')).toBe(message);
  });

  it('lists the first three bad values and counts the rest', async () => {
    const { app } = await harness();
    const res = await postRaw(app, `{"features":[${new Array(28).fill('"x"').join(',')}]}`);
    expect(expectError(res, 400, 'INVALID_INPUT')).toMatch(
      /^features\[0\] .*; features\[1\] .*; features\[2\] .* \(and 25 more problems\)$/,
    );
  });

  it('checks values before the count, so a short row of strings names the strings', async () => {
    const { app } = await harness();
    const message = expectError(await postRaw(app, '{"features":["1"]}'), 400, 'INVALID_INPUT');
    expect(message).toBe('features[0] must be a finite number, got a string ("1")');
  });
});

describe('POST /predict: bad bodies', () => {
  it.each([
    ['{}', 'features is required: an array of the 28 values V1..V28'],
    ['{"features":"1,2,3"}', 'features must be an array of numbers, got a string ("1,2,3")'],
    ['{"features":{"0":1}}', 'features must be an array of numbers, got an object'],
    ['{"features":null}', 'features must be an array of numbers, got null'],
    ['null', 'body must be a JSON object like {"features": [...]}, got null'],
    ['[1,2,3]', 'body must be a JSON object like {"features": [...]}, got an array'],
    ['42', 'body must be a JSON object like {"features": [...]}, got 42'],
    ['"text"', 'body must be a JSON object like {"features": [...]}, got a string ("text")'],
  ])('rejects %s with a 400', async (raw, message) => {
    const { app } = await harness();
    expect(expectError(await postRaw(app, raw), 400, 'INVALID_INPUT')).toBe(message);
  });

  it('rejects unknown fields instead of ignoring them, with a hint for Kaggle capitals', async () => {
    const { app, scorer } = await harness();
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features: zeros(28), Amount: 12, Time: 3 },
    });
    expect(expectError(res, 400, 'INVALID_INPUT')).toBe(
      'body has unknown fields "Amount", "Time"; the accepted fields are features, amount, time, transaction_id ' +
        '(did you mean "amount"?)',
    );
    expect(scorer.calls).toHaveLength(0);
  });

  it('rejects unparsable JSON with a 400', async () => {
    const { app } = await harness();
    expect(expectError(await postRaw(app, '{"features": [1, 2,'), 400, 'INVALID_INPUT')).toBe(
      'request body is not valid JSON',
    );
  });

  it('rejects prototype pollution attempts with a 400', async () => {
    const { app } = await harness();
    const res = await postRaw(app, '{"features":[0],"__proto__":{"polluted":true}}');
    expect(res.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects an empty JSON body with a 400', async () => {
    const { app } = await harness();
    expect(expectError(await postRaw(app, ''), 400, 'INVALID_INPUT')).toMatch(/^request body is empty/);
  });

  it('rejects a request with no body at all with a 400', async () => {
    const { app } = await harness();
    const res = await app.inject({ method: 'POST', url: '/predict' });
    expect(expectError(res, 400, 'INVALID_INPUT')).toMatch(/^body must be a JSON object/);
  });

  it('rejects a body over the configured limit with a 413 naming the limit', async () => {
    const { app, scorer } = await harness({ app: { bodyLimitBytes: 1000 } });
    const huge = `{"features":[${new Array(500).fill('0.125').join(',')}]}`;
    expect(huge.length).toBeGreaterThan(1000);
    expect(expectError(await postRaw(app, huge), 413, 'PAYLOAD_TOO_LARGE')).toBe(
      'request body is larger than the limit of 1000 bytes',
    );
    expect(scorer.calls).toHaveLength(0);
  });

  it('applies the 64 KiB default limit', async () => {
    const { app } = await harness();
    const huge = `{"features":[${new Array(40_000).fill('0').join(',')}]}`;
    expect(expectError(await postRaw(app, huge), 413, 'PAYLOAD_TOO_LARGE')).toBe(
      `request body is larger than the limit of ${64 * 1024} bytes`,
    );
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'text/csv'])(
    'rejects content type %s with a 415',
    async (contentType) => {
      const { app } = await harness();
      const body = `{"features":[${zeros(28).join(',')}]}`;
      expect(expectError(await postRaw(app, body, contentType), 415, 'UNSUPPORTED_MEDIA_TYPE')).toBe(
        `unsupported content type "${contentType}": send the body as application/json`,
      );
    },
  );

  it('accepts application/json with a charset', async () => {
    const { app } = await harness();
    const res = await postRaw(
      app,
      `{"features":[${zeros(28).join(',')}]}`,
      'application/json; charset=utf-8',
    );
    expect(res.statusCode).toBe(200);
  });
});

describe('POST /predict: no model', () => {
  it('answers 503 MODEL_NOT_FOUND with how to get a model', async () => {
    const { app } = await harness({ provider: staticModelProvider(null) });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 503, 'MODEL_NOT_FOUND')).toBe(NO_MODEL_MESSAGE);
  });

  it('includes the provider load error when there is one', async () => {
    const provider = staticModelProvider(null, 'models/production: manifest.json is missing');
    const { app } = await harness({ provider });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 503, 'MODEL_NOT_FOUND')).toBe(
      `${NO_MODEL_MESSAGE} (loading failed: models/production: manifest.json is missing)`,
    );
  });

  it('still reports a malformed body as a 400 (validation runs before the model is looked up)', async () => {
    const { app } = await harness({ provider: staticModelProvider(null) });
    expectError(await postRaw(app, '{"features":[1e999]}'), 400, 'INVALID_INPUT');
  });
});

describe('POST /predict: model failures', () => {
  it('answers a generic 500 and logs the real error when the scorer throws', async () => {
    const secret = 'ORT failed at /srv/models/ae-1/model.onnx';
    const { app, logs } = await harness({ scorer: { failWith: new Error(secret) } });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 500, 'INTERNAL')).toMatch(
      /^internal error while handling the request; the server log has the details \(request id .+\)$/,
    );
    expect(res.body).not.toContain(secret);
    const logged = logs.filter((entry) => entry.level === 50);
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain(secret);
    // The log line names the request id the client was given, with or without request logging.
    const requestId = /request id (.+)\)$/.exec(res.json<{ message: string }>().message)?.[1];
    expect(logged[0]?.reqId).toBe(requestId);
    const withRequestLogs = await harness({
      scorer: { failWith: new Error(secret) },
      app: { logRequests: true },
    });
    const again = await withRequestLogs.app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features: zeros(28) },
    });
    const line = withRequestLogs.logs.find((entry) => entry.level === 50);
    expect(line?.reqId).toBe(/request id (.+)\)$/.exec(again.json<{ message: string }>().message)?.[1]);
  });

  it('keeps the code but hides the message of a CardwatchError with status 500', async () => {
    const { app } = await harness({
      scorer: { failWith: new CardwatchError('MODEL_CORRUPT', 'hash mismatch in /srv/x') },
    });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 500, 'MODEL_CORRUPT')).not.toContain('/srv/x');
  });

  it('passes a client-facing CardwatchError from the scorer through unchanged', async () => {
    const { app } = await harness({
      scorer: { failWith: new CardwatchError('SHAPE_MISMATCH', 'row 0 has 3 values') },
    });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 400, 'SHAPE_MISMATCH')).toBe('row 0 has 3 values');
  });

  it('treats a NaN score as a model failure, not as "not fraud"', async () => {
    const { app, logs } = await harness({ scorer: { fixedScore: Number.NaN } });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expectError(res, 500, 'INTERNAL');
    expect(JSON.stringify(logs)).toContain('non-finite score');
  });

  it('answers 500 for a model whose input columns the API cannot supply', async () => {
    const { app, logs } = await harness({ scorer: { inputColumns: ['V1', 'merchant_risk'] } });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expectError(res, 500, 'MODEL_CORRUPT');
    expect(JSON.stringify(logs)).toContain('merchant_risk');
  });
});

describe('POST /predict: the prediction log', () => {
  it('logs every answered prediction with what was sent and decided', async () => {
    const { app, log, logPath } = await harness({ withLog: true, scorer: { id: 'ae-log', threshold: 0.5 } });
    const features = V1_TO_V28.map((_, i) => i / 8);
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features, amount: 12.5, time: 30, transaction_id: 'tx-1' },
    });
    const body = res.json<Prediction>();
    await log?.flush();
    const row = readLogged(logPath as string, [body.prediction_id]).get(body.prediction_id);
    expect(row).toMatchObject({
      transactionId: 'tx-1',
      modelVersion: 'ae-log',
      engine: 'float32',
      score: body.score,
      threshold: 0.5,
      isFraud: body.is_fraud,
      amount: 12.5,
      time: 30,
      label: null,
    });
    expect(Array.from(row?.features ?? [])).toEqual(features);
    expect(body.top_features.length).toBeGreaterThan(1);
    expect(row?.topFeatures).toEqual(
      body.top_features.map((item) => ({ name: item.feature, contribution: item.contribution })),
    );
    expect(row?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('answers 503 LOG_BACKPRESSURE without scoring when the log queue is full', async () => {
    const { app, log, scorer } = await harness({ withLog: true });
    const full = log as NonNullable<typeof log>;
    const original = full.hasCapacity;
    // A stalled database looks like this from the service: no room in the queue.
    Object.assign(full, { hasCapacity: () => false });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 503, 'LOG_BACKPRESSURE')).toMatch(/prediction log is behind/);
    expect(scorer.calls).toHaveLength(0);
    Object.assign(full, { hasCapacity: original });
  });

  it('answers 503 (never a 200) when append itself refuses the prediction', async () => {
    const { app, log } = await harness({ withLog: true });
    const refusing = log as NonNullable<typeof log>;
    Object.assign(refusing, {
      append: () => {
        throw new CardwatchError('LOG_BACKPRESSURE', 'the prediction log is behind; retry shortly');
      },
    });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expectError(res, 503, 'LOG_BACKPRESSURE');
  });
});
