/**
 * Which data a training run uses: the current prepared dataset when there is one (`cardwatch data prepare`),
 * else the built-in synthetic dataset, generated and prepared on first use.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config/index.js';
import {
  currentPreparedFingerprint,
  loadPreparedDataset,
  prepareDataset,
  type PreparedDataset,
  writeSyntheticCsv,
} from '../data/index.js';
import { createProgress, formatCount } from '../util/progress.js';

export interface DataSourceOptions {
  /** Print progress (stderr). */
  log?: (line: string) => void;
  silent?: boolean;
  /** Called as each data phase ends (`load`, `generate`, `prepare: parse` …) with its seconds (profiling). */
  onPhase?: (name: string, seconds: number) => void;
}

/** Times `work` and reports it as phase `name`. */
async function phase<T>(options: DataSourceOptions, name: string, work: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  options.onPhase?.(name, (performance.now() - started) / 1000);
  return result;
}

export async function resolveTrainingData(
  config: Config,
  options: DataSourceOptions = {},
): Promise<PreparedDataset> {
  const log = options.log ?? (() => undefined);
  const current = currentPreparedFingerprint(config.data.prepared_dir);
  if (current) {
    const prepared = await phase(options, 'load', () =>
      loadPreparedDataset(config.data.prepared_dir, current),
    );
    log(
      `data: current prepared dataset ${current.slice(0, 12)} (${formatCount(prepared.dataset.rows)} rows)`,
    );
    return prepared;
  }
  const path = config.data.synthetic_path;
  if (!existsSync(path)) {
    log(`data: no prepared dataset; generating the built-in synthetic dataset → ${path}`);
    const progress = createProgress({
      label: 'generate',
      total: config.data.synthetic_rows,
      unit: 'rows',
      silent: options.silent ?? false,
    });
    await phase(options, 'generate', () =>
      writeSyntheticCsv(path, {
        rows: config.data.synthetic_rows,
        seed: config.seed,
        onProgress: (done) => progress.update(done),
      }),
    );
    progress.finish();
  }
  return prepareWithProgress(path, config, options);
}

export async function prepareWithProgress(
  input: string,
  config: Config,
  options: DataSourceOptions & { skipBadRows?: boolean } = {},
): Promise<PreparedDataset> {
  let progress: ReturnType<typeof createProgress> | null = null;
  let stageName = '';
  let stageStarted = performance.now();
  const endStage = (): void => {
    if (stageName !== '')
      options.onPhase?.(`prepare: ${stageName}`, (performance.now() - stageStarted) / 1000);
  };
  const prepared = await prepareDataset({
    input,
    preparedDir: config.data.prepared_dir,
    skipBadRows: options.skipBadRows ?? false,
    onProgress: (stage, done, total) => {
      if (stage !== stageName) {
        progress?.finish();
        endStage();
        stageName = stage;
        stageStarted = performance.now();
        // fingerprint and parse advance through the file's bytes, write through its rows.
        const unit = stage === 'write' ? 'rows' : 'bytes';
        progress = createProgress({ label: stage, total, unit, silent: options.silent ?? false });
      }
      progress?.update(done);
    },
  });
  (progress as ReturnType<typeof createProgress> | null)?.finish();
  endStage();
  options.log?.(
    `data: prepared ${prepared.fingerprint.slice(0, 12)} — ${formatCount(prepared.dataset.rows)} rows, ` +
      `${formatCount(prepared.meta.frauds)} frauds (now the current dataset)`,
  );
  return prepared;
}
