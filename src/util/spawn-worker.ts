/**
 * Starts a worker thread from a module given by URL, both in the build (`.js`) and under vitest/tsx (`.ts`).
 * Node 20 cannot run a `.ts` worker by itself, and `execArgv: ['--import', 'tsx']` does not take effect in its
 * workers (measured: ERR_UNKNOWN_FILE_EXTENSION), so a `.ts` worker starts through a tiny bootstrap that
 * registers tsx's ESM hooks inside the worker first.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CardwatchError, describeError } from './errors.js';

/**
 * The worker module `name` (no extension) beside the module at `from` (pass `import.meta.url`).
 * @example spawnWorkerBeside(import.meta.url, 'csv-worker')
 */
export function spawnWorkerBeside(from: string, name: string, workerData?: unknown): Worker {
  const extension = from.endsWith('.ts') ? '.ts' : '.js';
  const url = new URL(`./${name}${extension}`, from);
  if (extension === '.js') return new Worker(url, { workerData });
  const bootstrap =
    `import(${JSON.stringify(tsxEsmApiUrl(url))})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** The URL of tsx's `esm/api` entry (resolved through tsx's own exports map, as `import` would). */
function tsxEsmApiUrl(from: URL): string {
  try {
    const manifestPath = createRequire(from).resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      exports: Record<string, { import?: { default?: string } }>;
    };
    const entry = manifest.exports['./esm/api']?.import?.default;
    if (entry === undefined) throw new Error('tsx has no esm/api export');
    return pathToFileURL(join(dirname(manifestPath), entry)).href;
  } catch (error) {
    throw new CardwatchError(
      'INTERNAL',
      `running worker threads from TypeScript sources needs the tsx package (${describeError(error)}); ` +
        'build the project (npm run build) to run from dist/ instead',
      { cause: error },
    );
  }
}
