import { describe, it, expect, afterEach } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { CardwatchError } from '../util/errors.js';
import { buildApp, DEFAULT_BODY_LIMIT_BYTES } from './app.js';
import { NO_MODEL_MESSAGE, staticModelProvider, type ModelProvider } from './model-provider.js';
import { FakeScorer, V1_TO_V28, type FakeScorerOptions } from './__fixtures__/fake-scorer.js';

const ERROR_KEYS = ['code', 'error', 'message', 'statusCode'];
const PREDICTION_KEYS = ['is_fraud', 'model_version', 'prediction_id', 'score', 'threshold'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

interface Harness {
  app: FastifyInstance;
  scorer: FakeScorer;
  logs: Record<string, unknown>[];
}

async function harness(
  scorerOptions: FakeScorerOptions = {},
  extra: { bodyLimitBytes?: number; provider?: ModelProvider } = {},
): Promise<Harness> {
  const scorer = new FakeScorer(scorerOptions);
  const logs: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) };
  app = await buildApp({
    scorer: extra.provider ?? staticModelProvider(scorer),
    logger: { level: 'info', stream },
    bodyLimitBytes: extra.bodyLimitBytes,
  });
  return { app, scorer, logs };
}

function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** Sends a raw JSON text, so values JSON.stringify cannot produce (1e999) reach the server. */
function postRaw(target: FastifyInstance, body: string, contentType = 'application/json') {
  return target.inject({
    method: 'POST',
    url: '/predict',
    headers: { 'content-type': contentType },
    payload: body,
  });
}

/** Asserts the one error shape, exactly (no stack, no extra fields), and returns the message. */
function expectError(res: LightMyRequestResponse, status: number, code: string): string {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json<Record<string, unknown>>();
  expect(Object.keys(body).sort()).toEqual(ERROR_KEYS);
  expect(body.statusCode).toBe(status);
  expect(body.code).toBe(code);
  expect(typeof body.error).toBe('string');
  expect(res.body).not.toMatch(/stack|\bat .*\.ts:\d+/);
  return body.message as string;
}

describe('GET /', () => {
  it('reports the loaded model and the endpoints, with exactly the documented fields', async () => {
    const { app } = await harness({ threshold: 0.75, id: 'ae-test-1' });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual([
      'endpoints',
      'input_columns',
      'model_version',
      'service',
      'status',
      'threshold',
    ]);
    expect(body).toMatchObject({
      service: 'cardwatch',
      status: 'ok',
      model_version: 'ae-test-1',
      threshold: 0.75,
      input_columns: V1_TO_V28,
    });
    const endpoints = (body.endpoints as { method: string; path: string }[]).map(
      (e) => `${e.method} ${e.path}`,
    );
    expect(endpoints).toEqual(['GET /', 'POST /predict', 'GET /openapi.json']);
  });

  it('answers 200 with status no_model and nulls when no model is loaded', async () => {
    const { app } = await harness({}, { provider: staticModelProvider(null) });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'no_model',
      model_version: null,
      threshold: null,
      input_columns: null,
    });
  });
});

describe('POST /predict: success', () => {
  it('scores one row: all ones give mean square 1 > threshold 0.5 → fraud', async () => {
    const { app, scorer } = await harness({ threshold: 0.5, id: 'ae-ones' });
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features: new Array(28).fill(1) },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(PREDICTION_KEYS);
    expect(body).toMatchObject({ is_fraud: true, score: 1, threshold: 0.5, model_version: 'ae-ones' });
    expect(body.prediction_id).toMatch(UUID);
    // The handler passed one float32 row of 28 values.
    expect(scorer.calls).toHaveLength(1);
    expect(scorer.calls[0]?.rows).toBe(1);
    expect(scorer.calls[0]?.x).toBeInstanceOf(Float32Array);
    expect(Array.from(scorer.calls[0]?.x ?? [])).toEqual(new Array(28).fill(1));
  });

  it('returns the hand-computed score: one feature of 2, the rest 0 → 4/28, not fraud', async () => {
    const { app } = await harness({ threshold: 0.5 });
    const features = zeros(28);
    features[5] = 2;
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features } });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ score: number; is_fraud: boolean }>();
    expect(body.score).toBeCloseTo(4 / 28, 6);
    expect(body.is_fraud).toBe(false);
  });

  it('is not fraud when the score equals the threshold (strictly greater is required)', async () => {
    const { app } = await harness({ threshold: 1 });
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features: new Array(28).fill(-1) },
    });
    expect(res.json()).toMatchObject({ score: 1, threshold: 1, is_fraud: false });
  });

  it('gives every prediction its own id', async () => {
    const { app } = await harness();
    const payload = { features: zeros(28) };
    const a = (await app.inject({ method: 'POST', url: '/predict', payload })).json<{
      prediction_id: string;
    }>();
    const b = (await app.inject({ method: 'POST', url: '/predict', payload })).json<{
      prediction_id: string;
    }>();
    expect(a.prediction_id).not.toBe(b.prediction_id);
  });

  it('accepts values at the float32 limit and passes them through unchanged', async () => {
    // fixedScore: the fake's squares would overflow here; this test is about validation, not scoring.
    const { app, scorer } = await harness({ fixedScore: 0 });
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

  it('asks the provider on every request, so a swapped model is used at once', async () => {
    const first = new FakeScorer({ id: 'model-a' });
    const second = new FakeScorer({ id: 'model-b' });
    let current: FakeScorer | null = first;
    const { app } = await harness({}, { provider: { current: () => current } });
    const payload = { features: zeros(28) };
    expect((await app.inject({ method: 'POST', url: '/predict', payload })).json()).toMatchObject({
      model_version: 'model-a',
    });
    current = second;
    expect((await app.inject({ method: 'POST', url: '/predict', payload })).json()).toMatchObject({
      model_version: 'model-b',
    });
    current = null;
    expectError(await app.inject({ method: 'POST', url: '/predict', payload }), 503, 'MODEL_NOT_FOUND');
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

  it('uses the loaded model column count, not a fixed 28', async () => {
    const { app } = await harness({ inputColumns: ['Time', ...V1_TO_V28, 'Amount'] });
    const wrong = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(wrong, 400, 'SHAPE_MISMATCH')).toBe('expected 30 features (Time..Amount), got 28');
    const right = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(30) } });
    expect(right.statusCode).toBe(200);
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
    const res = await postRaw(app, row(3, raw));
    expect(expectError(res, 400, 'INVALID_INPUT')).toBe(message);
    expect(scorer.calls).toHaveLength(0);
  });

  it('lists the first three bad values and counts the rest', async () => {
    const { app } = await harness();
    const res = await postRaw(app, `{"features":[${new Array(28).fill('"x"').join(',')}]}`);
    const message = expectError(res, 400, 'INVALID_INPUT');
    expect(message).toMatch(
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
    ['{}', 'features is required: an array of numbers in the model input column order'],
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

  it('rejects unknown fields instead of ignoring them', async () => {
    const { app, scorer } = await harness();
    const res = await app.inject({
      method: 'POST',
      url: '/predict',
      payload: { features: zeros(28), Amount: 12, Time: 3 },
    });
    expect(expectError(res, 400, 'INVALID_INPUT')).toBe(
      'body has unknown fields "Amount", "Time"; the only accepted field is "features"',
    );
    expect(scorer.calls).toHaveLength(0);
  });

  it('rejects unparsable JSON with a 400', async () => {
    const { app } = await harness();
    const message = expectError(await postRaw(app, '{"features": [1, 2,'), 400, 'INVALID_INPUT');
    expect(message).toBe('request body is not valid JSON');
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
    const { app, scorer } = await harness({}, { bodyLimitBytes: 1000 });
    const huge = `{"features":[${new Array(500).fill('0.125').join(',')}]}`;
    expect(huge.length).toBeGreaterThan(1000);
    const message = expectError(await postRaw(app, huge), 413, 'INVALID_INPUT');
    expect(message).toBe('request body is larger than the limit of 1000 bytes');
    expect(scorer.calls).toHaveLength(0);
  });

  it('applies the 1 MiB default limit', async () => {
    const { app } = await harness();
    const huge = `{"features":[${new Array(DEFAULT_BODY_LIMIT_BYTES / 2 + 1).fill('0').join(',')}]}`;
    const message = expectError(await postRaw(app, huge), 413, 'INVALID_INPUT');
    expect(message).toBe(`request body is larger than the limit of ${1024 * 1024} bytes`);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    'rejects content type %s with a 415',
    async (contentType) => {
      const { app } = await harness();
      const body = `{"features":[${zeros(28).join(',')}]}`;
      const message = expectError(await postRaw(app, body, contentType), 415, 'INVALID_INPUT');
      expect(message).toBe('unsupported content type: send the body as application/json');
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
    const { app } = await harness({}, { provider: staticModelProvider(null) });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 503, 'MODEL_NOT_FOUND')).toBe(
      'no model is loaded: run `cardwatch train` (or `npm start`) to train and promote one',
    );
    expect(NO_MODEL_MESSAGE).toBe(
      'no model is loaded: run `cardwatch train` (or `npm start`) to train and promote one',
    );
  });

  it('includes the provider load error when there is one', async () => {
    const provider = staticModelProvider(null, 'models/production: manifest.json is missing');
    const { app } = await harness({}, { provider });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 503, 'MODEL_NOT_FOUND')).toBe(
      `${NO_MODEL_MESSAGE} (loading failed: models/production: manifest.json is missing)`,
    );
  });

  it('still reports a malformed body as a 400 (validation runs before the model is looked up)', async () => {
    const { app } = await harness({}, { provider: staticModelProvider(null) });
    expectError(await postRaw(app, '{"features":[1e999]}'), 400, 'INVALID_INPUT');
  });
});

describe('POST /predict: model failures', () => {
  it('answers a generic 500 and logs the real error when the scorer throws', async () => {
    const secret = 'ORT failed at /srv/models/ae-1/model.onnx';
    const { app, logs } = await harness({ failWith: new Error(secret) });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    const message = expectError(res, 500, 'INTERNAL');
    expect(message).toMatch(
      /^internal error while handling the request; the server log has the details \(request id .+\)$/,
    );
    expect(res.body).not.toContain(secret);
    const logged = logs.filter((entry) => entry.level === 50);
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain(secret);
  });

  it('keeps the code but hides the message of a CardwatchError with status 500', async () => {
    const { app } = await harness({
      failWith: new CardwatchError('MODEL_CORRUPT', 'hash mismatch in /srv/x'),
    });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 500, 'MODEL_CORRUPT')).not.toContain('/srv/x');
  });

  it('passes a client-facing CardwatchError from the scorer through unchanged', async () => {
    const { app } = await harness({ failWith: new CardwatchError('SHAPE_MISMATCH', 'row 0 has 3 values') });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expect(expectError(res, 400, 'SHAPE_MISMATCH')).toBe('row 0 has 3 values');
  });

  it('treats a NaN score as a model failure, not as "not fraud"', async () => {
    const { app, logs } = await harness({ fixedScore: Number.NaN });
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { features: zeros(28) } });
    expectError(res, 500, 'INTERNAL');
    expect(JSON.stringify(logs)).toContain('non-finite score');
  });
});

describe('routing', () => {
  it('answers an unknown route with a JSON 404 listing the endpoints', async () => {
    const { app } = await harness();
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(expectError(res, 404, 'INVALID_INPUT')).toBe(
      'no route GET /nope; available: GET /, POST /predict, GET /openapi.json',
    );
  });

  it.each([
    ['GET', '/predict', 'POST'],
    ['PUT', '/predict', 'POST'],
    ['DELETE', '/', 'GET'],
    ['POST', '/', 'GET'],
  ] as const)('answers %s %s with 405 and Allow: %s', async (method, url, allow) => {
    const { app } = await harness();
    const res = await app.inject({ method, url } satisfies InjectOptions);
    expect(expectError(res, 405, 'INVALID_INPUT')).toBe(
      `method ${method} is not allowed on ${url}; use ${allow}`,
    );
    expect(res.headers.allow).toBe(allow);
  });

  it('cuts a very long unknown path in the message', async () => {
    const { app } = await harness();
    const res = await app.inject({ method: 'GET', url: `/${'a'.repeat(5000)}` });
    expect(expectError(res, 404, 'INVALID_INPUT').length).toBeLessThan(300);
  });
});

describe('GET /openapi.json', () => {
  it('documents the routes with their request and per-status response schemas', async () => {
    const { app } = await harness();
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    interface Operation {
      requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
      responses: Record<string, unknown>;
    }
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, Operation>> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/', '/predict']);
    const predict = doc.paths['/predict']?.post;
    expect(Object.keys(predict?.responses ?? {}).sort()).toEqual(['200', '400', '413', '415', '500', '503']);
    const bodySchema = predict?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(bodySchema?.properties ?? {})).toEqual(['features']);
    expect(Object.keys(doc.paths['/']?.get?.responses ?? {}).sort()).toEqual(['200', '500']);
  });
});

describe('buildApp options', () => {
  it.each([0, -1, 1.5, Number.NaN])('rejects bodyLimitBytes %s', async (limit) => {
    await expect(buildApp({ scorer: staticModelProvider(null), bodyLimitBytes: limit })).rejects.toThrow(
      /bodyLimitBytes must be a positive integer/,
    );
  });
});
