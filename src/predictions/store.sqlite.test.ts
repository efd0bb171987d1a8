import { join } from 'node:path';
import { afterEach } from 'vitest';
import { describeStore } from './__fixtures__/store-suite.js';
import { tempDir } from './__fixtures__/records.js';
import { openPredictionStore } from './open-store.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describeStore('SQLite', false, () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const path = join(dir, 'predictions.sqlite');
  return {
    open: (options) => openPredictionStore(path, options),
    sameDatabase: (options) => openPredictionStore(path, options),
  };
});

// The service's configuration: the same suite with the batches written on a worker thread.
describeStore('SQLite with a writer thread', false, () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const path = join(dir, 'predictions.sqlite');
  return {
    open: (options) => openPredictionStore(path, { ...options, writerThread: true }),
    sameDatabase: (options) => openPredictionStore(path, { ...options, writerThread: true }),
  };
});
