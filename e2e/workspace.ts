/**
 * The world the browser tests run against, built in a temp folder and in this process: a small synthetic
 * dataset, two short training runs (different configs, so the experiments page has something to compare), the
 * first exported and promoted to `production`, the web app built by Vite, and the real server listening on an
 * ephemeral 127.0.0.1 port with the admin key set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { loadScorer, promoteBundle } from '../src/bundle/index.js';
import { exportRun, trainWithProgress, type PipelineIo } from '../src/cli/pipeline.js';
import { loadConfig, type Config } from '../src/config/index.js';
import { openPredictionLog } from '../src/predictions/index.js';
import { reloadableModelProvider, startServer, type RunningServer } from '../src/serve/index.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const ADMIN_KEY = 'e2e-admin-key';

export interface Workspace {
  readonly dir: string;
  readonly server: RunningServer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly runIds: readonly [string, string];
  /** The bundle of each run; the first is `production`. */
  readonly bundleIds: readonly [string, string];
  readonly config: Config;
  close(): Promise<void>;
}

const quiet: PipelineIo = { log: () => undefined, silent: true };

function configFor(dir: string, extra: readonly string[] = []): Config {
  return loadConfig({
    file: join(REPO_ROOT, 'configs', 'default.yaml'),
    overrides: [
      `paths.runs=${join(dir, 'runs')}`,
      `paths.models=${join(dir, 'models')}`,
      `data.synthetic_path=${join(dir, 'data', 'synthetic.csv')}`,
      `data.prepared_dir=${join(dir, 'data', 'prepared')}`,
      `serve.prediction_log=${join(dir, 'predictions.sqlite')}`,
      // Enough rows for a few hundred frauds (the samples, the test split's curves), few enough to train in seconds.
      'data.synthetic_rows=20000',
      'training.epochs=2',
      'training.workers=1',
      ...extra,
    ],
  });
}

/** Builds the web app from the current sources into `outDir` (the tests never depend on a stale dist/web). */
export async function buildWebApp(outDir: string): Promise<void> {
  await build({
    configFile: join(REPO_ROOT, 'web', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

export async function createWorkspace(): Promise<Workspace> {
  const dir = mkdtempSync(join(tmpdir(), 'cardwatch-web-e2e-'));
  try {
    const base = configFor(dir);
    const first = await trainWithProgress(base, quiet);
    const second = await trainWithProgress(
      configFor(dir, ['training.lr=0.003', 'model.hidden_dim=16']),
      quiet,
    );
    const bundle = await exportRun(base.paths.runs, first.runId, base.paths.models, { int8: false });
    const other = await exportRun(base.paths.runs, second.runId, base.paths.models, { int8: false });
    promoteBundle(base.paths.models, bundle.id, 'production');
    const webDir = join(dir, 'web');
    await buildWebApp(webDir);

    const models = reloadableModelProvider({
      load: () => loadScorer(base.paths.models, 'production'),
      initial: await loadScorer(base.paths.models, 'production'),
    });
    const server = await startServer({
      models,
      predictionLog: openPredictionLog({ path: base.serve.prediction_log }),
      host: '127.0.0.1',
      port: 0,
      adminKey: ADMIN_KEY,
      runsDir: base.paths.runs,
      modelsDir: base.paths.models,
      defaultConfig: JSON.parse(JSON.stringify(configFor(dir))) as unknown,
      webDir,
      processMetrics: false,
    });
    return {
      dir,
      server,
      url: server.url,
      runIds: [first.runId, second.runId],
      bundleIds: [bundle.id, other.id],
      config: base,
      async close() {
        try {
          await server.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
