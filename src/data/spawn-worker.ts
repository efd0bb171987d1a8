/**
 * Starts a worker thread from a module beside this file, in the build (`.js`) and under vitest (`.ts`).
 * The same approach as `spawnWorker` in src/nn/worker-pool.ts (copied, not imported: data sits below nn):
 * Node 20 cannot run a `.ts` worker, and `execArgv: ['--import', 'tsx']` does not take effect in its
 * workers, so a `.ts` worker starts through a tiny bootstrap that registers tsx's ESM hooks first.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CardwatchError, describeError } from '../util/errors.js';

/** `name` without extension, e.g. `csv-worker`. */
export function spawnDataWorker(name: string): Worker {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const url = new URL(`./${name}${extension}`, import.meta.url);
  if (extension === '.js') return new Worker(url);
  const tsxApi = tsxEsmApiUrl(url);
  const bootstrap =
    `import(${JSON.stringify(tsxApi)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
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
      `running data workers from TypeScript sources needs the tsx package (${describeError(error)}); ` +
        'build the project (npm run build) to run from dist/ instead',
      { cause: error },
    );
  }
}
