import { afterEach, describe, expect, it } from 'vitest';
import { readAliases } from '../../bundle/registry.js';
import { exportBundle } from '../../bundle/export.js';
import { removeTempDirs, tempDir, tinyExportInput } from '../../bundle/__fixtures__/tiny-bundle.js';
import { closeHarnesses, expectError, harness } from '../__fixtures__/harness.js';
import type { BundleDetail, ExamplesResponse, ModelRegistry, PromoteResponse } from './api-models.js';

afterEach(async () => {
  await closeHarnesses();
  removeTempDirs();
});

const KEY = 'test-admin-key';

async function registry(ids: readonly string[]): Promise<string> {
  const modelsDir = tempDir('api-models');
  for (const id of ids) await exportBundle(tinyExportInput(modelsDir, id));
  return modelsDir;
}

describe('GET /api/models', () => {
  it('lists the bundles with their aliases and marks the served one', async () => {
    const modelsDir = await registry(['ae-1', 'ae-2']);
    const { app } = await harness({ scorer: { id: 'ae-2' }, app: { modelsDir, adminKey: KEY } });
    await app.inject({
      method: 'POST',
      url: '/admin/promote',
      headers: { 'x-api-key': KEY },
      payload: { id: 'ae-2' },
    });
    const res = await app.inject({ method: 'GET', url: '/api/models' });
    expect(res.statusCode).toBe(200);
    const body = res.json<ModelRegistry>();
    expect(body.served_version).toBe('ae-2');
    expect(body.aliases).toEqual({ production: 'ae-2' });
    expect(body.bundles.map((b) => [b.id, b.aliases, b.served, b.error])).toEqual(
      expect.arrayContaining([
        ['ae-1', [], false, null],
        ['ae-2', ['production'], true, null],
      ]),
    );
    expect(body.bundles[0]?.test_roc_auc).toBe(0.93);
  });

  it('does not exist when the server has no models folder', async () => {
    const { app } = await harness();
    expectError(await app.inject({ method: 'GET', url: '/api/models' }), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('GET /api/models/:id', () => {
  it('returns the manifest by id or alias, and names the known bundles for an unknown one', async () => {
    const modelsDir = await registry(['ae-1']);
    const { app } = await harness({ app: { modelsDir } });
    const res = await app.inject({ method: 'GET', url: '/api/models/ae-1' });
    expect(res.statusCode).toBe(200);
    const body = res.json<BundleDetail>();
    expect(body.id).toBe('ae-1');
    expect(body.manifest.threshold.value).toBe(0.75);
    expect(body.manifest.input_columns).toEqual(['V1', 'V2', 'V3']);
    const missing = expectError(
      await app.inject({ method: 'GET', url: '/api/models/nope' }),
      404,
      'MODEL_NOT_FOUND',
    );
    expect(missing).toContain('ae-1');
    expectError(await app.inject({ method: 'GET', url: '/api/models/..%2Fetc' }), 400, 'INVALID_INPUT');
  });
});

describe('GET /api/examples', () => {
  it("serves the served bundle's example rows with their column names", async () => {
    const modelsDir = await registry(['ae-1']);
    const { app } = await harness({ scorer: { id: 'ae-1' }, app: { modelsDir } });
    const res = await app.inject({ method: 'GET', url: '/api/examples' });
    expect(res.statusCode).toBe(200);
    const body = res.json<ExamplesResponse>();
    expect(body.model_version).toBe('ae-1');
    expect(body.columns[0]).toBe('Time');
    expect(body.columns).toHaveLength(30);
    expect(body.normal).toHaveLength(2);
    expect(body.fraud).toHaveLength(1);
    expect(body.fraud[0]).toHaveLength(30);
  });

  it('answers 503 without a model', async () => {
    const modelsDir = await registry([]);
    const { app } = await harness({ provider: { current: () => null }, app: { modelsDir } });
    expectError(await app.inject({ method: 'GET', url: '/api/examples' }), 503, 'MODEL_NOT_FOUND');
  });
});

describe('POST /admin/promote', () => {
  it('points the alias at the bundle, reporting the previous one', async () => {
    const modelsDir = await registry(['ae-1', 'ae-2']);
    const { app } = await harness({ app: { modelsDir, adminKey: KEY } });
    const promote = (id: string, alias?: string) =>
      app.inject({
        method: 'POST',
        url: '/admin/promote',
        headers: { authorization: `Bearer ${KEY}` },
        payload: alias === undefined ? { id } : { id, alias },
      });
    const first = await promote('ae-1');
    expect(first.statusCode).toBe(200);
    expect(first.json<PromoteResponse>()).toEqual({ alias: 'production', id: 'ae-1', previous: null });
    expect((await promote('ae-2')).json<PromoteResponse>().previous).toBe('ae-1');
    expect((await promote('ae-1', 'staging')).json<PromoteResponse>()).toEqual({
      alias: 'staging',
      id: 'ae-1',
      previous: null,
    });
    expect(readAliases(modelsDir)).toEqual({ production: 'ae-2', staging: 'ae-1' });
    expectError(await promote('nope'), 404, 'MODEL_NOT_FOUND');
    expectError(await promote('ae-1', '../x'), 400, 'INVALID_INPUT');
    expect(readAliases(modelsDir)).toEqual({ production: 'ae-2', staging: 'ae-1' });
  });

  it('refuses callers without the admin key before changing anything', async () => {
    const modelsDir = await registry(['ae-1']);
    const { app } = await harness({ app: { modelsDir, adminKey: KEY } });
    const none = await app.inject({ method: 'POST', url: '/admin/promote', payload: { id: 'ae-1' } });
    expectError(none, 401, 'UNAUTHORIZED');
    const wrong = await app.inject({
      method: 'POST',
      url: '/admin/promote',
      headers: { 'x-api-key': 'nope' },
      payload: { id: 'ae-1' },
    });
    expectError(wrong, 401, 'UNAUTHORIZED');
    expect(readAliases(modelsDir)).toEqual({});
  });

  it('does not exist without an admin key', async () => {
    const modelsDir = await registry(['ae-1']);
    const { app } = await harness({ app: { modelsDir } });
    expectError(
      await app.inject({ method: 'POST', url: '/admin/promote', payload: { id: 'ae-1' } }),
      404,
      'ROUTE_NOT_FOUND',
    );
  });
});
