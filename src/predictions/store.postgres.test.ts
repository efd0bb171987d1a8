import { afterAll, beforeAll } from 'vitest';
import { SKIP_POSTGRES } from '../testing/availability.js';
import { startTestPostgres, type TestPostgres } from '../testing/postgres.js';
import { describeStore } from './__fixtures__/store-suite.js';
import { openPredictionStore } from './open-store.js';

let server: TestPostgres;
let databases = 0;

beforeAll(async () => {
  if (!SKIP_POSTGRES) server = await startTestPostgres();
});
afterAll(async () => {
  await server?.stop();
});

describeStore('PostgreSQL', SKIP_POSTGRES, () => {
  // One fresh database per test, created on first open.
  let url: Promise<string> | null = null;
  const database = () => (url ??= server.createDatabase(`suite_${++databases}`));
  return {
    open: async (options) => openPredictionStore(await database(), options),
    sameDatabase: async (options) => openPredictionStore(await database(), options),
  };
});
