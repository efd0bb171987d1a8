import { afterEach, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { configSchema } from '../config/schema.js';
import { buildApp } from './app.js';
import { staticModelProvider } from './model-provider.js';
import { APP_DEFAULTS } from './options.js';
import { closeHarnesses, expectError, harness } from './__fixtures__/harness.js';
import { V1_TO_V28 } from './__fixtures__/fake-scorer.js';

afterEach(closeHarnesses);

const ENDPOINTS = [
  'GET /',
  'GET /health',
  'GET /ready',
  'POST /predict',
  'POST /predict/batch',
  'GET /model',
  'POST /feedback',
  'GET /metrics',
  'GET /metrics/summary',
  'GET /drift',
  'GET /quality',
  'GET /openapi.json',
  'GET /docs',
  'GET /ui/',
];

describe('GET /', () => {
  it('reports the served model and the endpoints, with exactly the documented fields', async () => {
    const { app } = await harness({ scorer: { threshold: 0.75, id: 'ae-test-1' } });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual([
      'docs',
      'endpoints',
      'engines',
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
      engines: ['float32'],
      docs: '/docs',
    });
    const endpoints = (body.endpoints as { method: string; path: string }[]).map(
      (e) => `${e.method} ${e.path}`,
    );
    expect(endpoints).toEqual(ENDPOINTS);
  });

  it('lists the admin route only when an admin key is set', async () => {
    const { app } = await harness({ app: { adminKey: 'k'.repeat(32) } });
    const body = (await app.inject({ method: 'GET', url: '/' })).json<{ endpoints: { path: string }[] }>();
    expect(body.endpoints.map((e) => e.path)).toContain('/admin/reload');
  });

  it('answers 200 with status no_model and nulls when no model is loaded', async () => {
    const { app } = await harness({ provider: staticModelProvider(null) });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'no_model',
      model_version: null,
      threshold: null,
      input_columns: null,
      engines: null,
    });
  });

  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 302],
    ['text/html', 302],
    ['application/json, text/html;q=0.5', 200],
    ['*/*', 200],
    ['application/json', 200],
  ])('Accept: %s → %i (browsers go to the web app at /ui/)', async (accept, status) => {
    const { app } = await harness();
    const res = await app.inject({ method: 'GET', url: '/', headers: { accept } });
    expect(res.statusCode).toBe(status);
    if (status === 302) expect(res.headers.location).toBe('/ui/');
  });

  it('serves a placeholder page at /ui/ until the web app exists', async () => {
    const { app } = await harness();
    const res = await app.inject({ method: 'GET', url: '/ui/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('docs');
  });
});

describe('routing', () => {
  it('answers an unknown route with a JSON 404 listing the endpoints', async () => {
    const { app } = await harness();
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(expectError(res, 404, 'ROUTE_NOT_FOUND')).toBe(
      `no route GET /nope; available: ${ENDPOINTS.join(', ')}`,
    );
  });

  it('has no admin routes without an admin key (404, not 401)', async () => {
    const { app } = await harness();
    expectError(await app.inject({ method: 'POST', url: '/admin/reload' }), 404, 'ROUTE_NOT_FOUND');
  });

  it.each([
    ['GET', '/predict', 'POST'],
    ['PUT', '/predict', 'POST'],
    ['GET', '/predict/batch', 'POST'],
    ['DELETE', '/', 'GET'],
    ['POST', '/', 'GET'],
    ['POST', '/health', 'GET'],
    ['GET', '/feedback', 'POST'],
  ] as const)('answers %s %s with 405 and Allow: %s', async (method, url, allow) => {
    const { app } = await harness();
    const res = await app.inject({ method, url } satisfies InjectOptions);
    expect(expectError(res, 405, 'METHOD_NOT_ALLOWED')).toBe(
      `method ${method} is not allowed on ${url}; use ${allow}`,
    );
    expect(res.headers.allow).toBe(allow);
  });

  it('cuts a very long unknown path in the message', async () => {
    const { app } = await harness();
    const res = await app.inject({ method: 'GET', url: `/${'a'.repeat(5000)}` });
    expect(expectError(res, 404, 'ROUTE_NOT_FOUND').length).toBeLessThan(600);
  });
});

describe('GET /openapi.json and /docs', () => {
  interface Operation {
    summary?: string;
    description?: string;
    parameters?: { name: string; in: string }[];
    requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
    responses: Record<
      string,
      { description?: string; content?: Record<string, { schema: Record<string, unknown> }> }
    >;
    security?: unknown[];
  }
  type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

  async function openapi(adminKey: string | null = null): Promise<Doc> {
    const { app } = await harness({ app: { adminKey } });
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    return res.json<Doc>();
  }

  it('documents every API route with its request and per-status response schemas', async () => {
    const doc = await openapi('a-key-of-sufficient-length');
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/',
      '/admin/reload',
      '/drift',
      '/feedback',
      '/health',
      '/metrics',
      '/metrics/summary',
      '/model',
      '/predict',
      '/predict/batch',
      '/quality',
      '/ready',
    ]);
    const predict = doc.paths['/predict']?.post;
    expect(Object.keys(predict?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '404',
      '413',
      '415',
      '500',
      '503',
    ]);
    const body = predict?.requestBody?.content['application/json']?.schema as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(body.properties)).toEqual(['features', 'amount', 'time', 'transaction_id']);
    expect(predict?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(['query:engine']);
    // The risk bands are defined in the document.
    expect(predict?.description).toMatch(/low.*0\.5·t.*moderate.*high/);
    const ok = predict?.responses['200']?.content?.['application/json']?.schema as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(ok.properties)).toContain('top_features');
    expect(doc.paths['/admin/reload']?.post?.security).toEqual([{ adminBearer: [] }, { adminApiKey: [] }]);
  });

  it('documents both bodies of the batch route: JSON rows (shown with the row schema) and CSV', async () => {
    const doc = await openapi();
    const content = doc.paths['/predict/batch']?.post?.requestBody?.content ?? {};
    expect(Object.keys(content).sort()).toEqual(['application/json', 'text/csv']);
    const json = content['application/json']?.schema as {
      properties: { rows: { items: { properties: Record<string, unknown> }; maxItems: number } };
    };
    expect(Object.keys(json.properties.rows.items.properties)).toEqual([
      'features',
      'amount',
      'time',
      'transaction_id',
    ]);
    expect(json.properties.rows.maxItems).toBe(APP_DEFAULTS.batchMaxRows);
    expect(content['text/csv']?.schema).toMatchObject({ type: 'string' });
  });

  it('serves /docs: a self-contained page that renders openapi.json, locked down by its CSP', async () => {
    const { app } = await harness();
    const res = await app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain("fetch('openapi.json'");
    expect(res.body).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/); // nothing loaded from elsewhere
    expect(res.headers['content-security-policy']).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
  });
});

describe('CORS', () => {
  it('sends no CORS headers by default', async () => {
    const { app } = await harness();
    const res = await app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows the configured origins, answers their preflight, and no others', async () => {
    const { app } = await harness({ app: { corsOrigins: ['https://ops.example.com'] } });
    const allowed = await app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://ops.example.com' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    const other = await app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/predict',
      headers: {
        origin: 'https://ops.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
  });
});

describe('buildApp options', () => {
  it.each([0, -1, 1.5, Number.NaN])('rejects bodyLimitBytes %s', async (limit) => {
    await expect(buildApp({ models: staticModelProvider(null), bodyLimitBytes: limit })).rejects.toThrow(
      /bodyLimitBytes must be a positive integer/,
    );
  });

  it('rejects a negative topFeatures', async () => {
    await expect(buildApp({ models: staticModelProvider(null), topFeatures: -1 })).rejects.toThrow(
      /topFeatures/,
    );
  });

  it('defaults to the serve section of the config schema', () => {
    const serve = configSchema.parse({}).serve;
    expect(APP_DEFAULTS).toEqual({
      bodyLimitBytes: serve.body_limit_bytes,
      batchMaxRows: serve.batch_max_rows,
      batchBodyLimitBytes: serve.batch_body_limit_bytes,
      topFeatures: serve.top_features,
      requestTimeoutMs: serve.request_timeout_ms,
    });
  });
});
