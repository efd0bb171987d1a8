import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHarnesses, expectError, harness, tempFolder } from '../__fixtures__/harness.js';
import { UI_CSP } from './ui.js';

afterEach(closeHarnesses);

function builtApp(): string {
  const dir = tempFolder('web');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>cardwatch app</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("app")');
  return dir;
}

describe('the web app at /ui/', () => {
  it('serves the built index.html with a strict CSP, and hashed assets as immutable', async () => {
    const { app } = await harness({ app: { webDir: builtApp() } });
    const page = await app.inject({ method: 'GET', url: '/ui/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('cardwatch app');
    expect(page.headers['content-security-policy']).toBe(UI_CSP);
    expect(page.headers['cache-control']).toBe('no-cache');
    const direct = await app.inject({ method: 'GET', url: '/ui/index.html' });
    expect(direct.headers['content-security-policy']).toBe(UI_CSP);
    const asset = await app.inject({ method: 'GET', url: '/ui/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('answers a missing asset with the JSON 404, and never serves files outside the app', async () => {
    const { app } = await harness({ app: { webDir: builtApp() } });
    expectError(await app.inject({ method: 'GET', url: '/ui/assets/nope.js' }), 404, 'ROUTE_NOT_FOUND');
    const escape = await app.inject({ method: 'GET', url: '/ui/..%2F..%2Fetc%2Fpasswd' });
    expect(escape.statusCode).toBeGreaterThanOrEqual(400);
    expect(escape.body).not.toContain('root:');
  });

  it('shows a page pointing at the API docs when the app is not built', async () => {
    const { app } = await harness({ app: { webDir: join(tempFolder('empty'), 'web') } });
    const page = await app.inject({ method: 'GET', url: '/ui/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('not built yet');
  });
});
