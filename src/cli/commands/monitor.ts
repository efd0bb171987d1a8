/**
 * `cardwatch monitor drift|quality`: drift of a registered model's reference sample against a CSV or the
 * prediction log, and live quality from feedback labels. Exit code of `drift`: 0 no dataset drift, 1 drift
 * (errors are also 1, with the message on stderr and no report written), so cron or CI can gate on it.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../../config/index.js';
import { resolveBundle, type BundleManifest } from '../../bundle/index.js';
import {
  driftForBundle,
  formatDriftSummary,
  formatQualitySummary,
  saveDriftReport,
  qualityForModel,
  type DriftCurrent,
} from '../../monitor/index.js';
import { openReadonlyDatabase } from '../../predictions/database.js';
import {
  readMonitorWindow,
  readMonitorWindowSql,
  type MonitorWindow,
} from '../../predictions/monitor-queries.js';
import { isPostgresTarget, openPredictionStore, resolveStoreTarget } from '../../predictions/open-store.js';
import { parseSince } from '../../predictions/index.js';
import { CardwatchError, describeError, isCardwatchError } from '../../util/errors.js';
import { info, out, OVERRIDES_HELP, resolveConfig } from '../context.js';

interface WindowOptions {
  window?: number;
  since?: string;
  log?: string;
  model?: string;
}

interface DriftOptions extends WindowOptions {
  current?: string;
  out?: string;
}

function windowOption(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || parsed < 1 || parsed > 1_000_000) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `--window must be a whole number in 1..1000000, got "${value}"`,
    );
  }
  return parsed;
}

/**
 * Reads a window of the prediction log: a SQLite file read-only (beside a running service: WAL allows both), or
 * the PostgreSQL store several services share (`--log postgres://…`, CARDWATCH_STORE, serve.prediction_log).
 */
async function readLogWindow(
  config: Config,
  options: WindowOptions,
  defaultLimit: number,
  hint: string,
): Promise<{ window: MonitorWindow; limit: number; since?: Date }> {
  const target = resolveStoreTarget(options.log, config.serve.prediction_log);
  const limit = options.window ?? defaultLimit;
  const since = options.since === undefined ? undefined : new Date(parseSince(options.since));
  const query = { limit, ...(since === undefined ? {} : { since }) };
  const found = (window: MonitorWindow) => ({ window, ...query });
  if (isPostgresTarget(target)) {
    const store = await openPredictionStore(target);
    try {
      return found(await readMonitorWindow(store, query));
    } finally {
      await store.close();
    }
  }
  if (!existsSync(target)) {
    throw new CardwatchError(
      'DATA_NOT_FOUND',
      `no prediction log at ${target}: it is created by \`cardwatch serve\` on its first prediction${hint}`,
    );
  }
  const db = openReadonlyDatabase(target, { busyTimeoutMs: 1_000 });
  try {
    return found(readMonitorWindowSql(db, query));
  } catch (error) {
    if (isCardwatchError(error)) throw error;
    throw new CardwatchError(
      'LOG_UNAVAILABLE',
      `cannot read the prediction log ${target}: ${describeError(error)}`,
      { cause: error },
    );
  } finally {
    db.close();
  }
}

function addWindowOptions(command: Command, what: string): Command {
  return command
    .option('--window <n>', `newest logged predictions to use (default: monitoring.${what})`, windowOption)
    .option(
      '--since <when>',
      'only predictions since then: a duration back from now (24h, 7d) or an ISO date',
    )
    .option(
      '--log <file>',
      'prediction log: a SQLite file or a postgres:// URL (default: $CARDWATCH_STORE, else serve.prediction_log)',
    )
    .option('-m, --model <id|alias>', 'model bundle (default: serve.model, production)')
    .argument('[overrides...]', OVERRIDES_HELP);
}

async function monitorDrift(config: Config, options: DriftOptions): Promise<void> {
  if (options.current !== undefined && (options.window !== undefined || options.since !== undefined)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      '--current FILE and --window/--since are alternatives: give one',
    );
  }
  const settings = config.monitoring;
  const current: DriftCurrent =
    options.current !== undefined
      ? { kind: 'csv', path: options.current }
      : {
          kind: 'log',
          ...(await readLogWindow(config, options, settings.drift_window, ' (or pass --current FILE)')),
        };
  const report = await driftForBundle({
    modelsDir: config.paths.models,
    model: options.model ?? config.serve.model,
    current,
    options: { drift_share: settings.drift_share, ks_max_reference_rows: settings.ks_max_reference_rows },
  });
  const files = saveDriftReport(report, options.out ?? settings.reports_dir);
  out(formatDriftSummary(report));
  info(`wrote ${files.json} and ${files.html}`);
  if (report.dataset.drift) process.exitCode = 1;
}

async function monitorQuality(config: Config, options: WindowOptions & { json?: boolean }): Promise<void> {
  const { window, limit, since } = await readLogWindow(config, options, config.monitoring.quality_window, '');
  // The served model gives the validation alert rate to compare with; without one the comparison is left out.
  let manifest: BundleManifest | null = null;
  try {
    manifest = resolveBundle(config.paths.models, options.model ?? config.serve.model).manifest;
  } catch (error) {
    if (options.model !== undefined) throw error;
  }
  const report = qualityForModel({ window, limit, since }, manifest);
  out(options.json ? JSON.stringify(report, null, 2) : formatQualitySummary(report));
}

export function registerMonitorCommands(program: Command): void {
  const monitor = program
    .command('monitor')
    .description('data drift against the model’s reference sample, and live quality from feedback labels');

  addWindowOptions(
    monitor
      .command('drift')
      .description(
        'drift of V1..V28, Amount and the score vs the bundle’s reference sample; writes drift.json and drift.html; exit 1 on dataset drift',
      )
      .option(
        '--current <file>',
        'compare a Kaggle-schema CSV (scored by the model) instead of the prediction log',
      )
      .option('--out <dir>', 'folder for drift.json and drift.html (default: monitoring.reports_dir)'),
    'drift_window',
  ).action(async (overrides: string[], options: DriftOptions, command: Command) => {
    await monitorDrift(resolveConfig(command, overrides), options);
  });

  addWindowOptions(
    monitor
      .command('quality')
      .description('precision, recall, AUPRC and alert rate of logged predictions that have feedback labels')
      .option('--json', 'print the report as JSON (the GET /quality shape)'),
    'quality_window',
  ).action(async (overrides: string[], options: WindowOptions & { json?: boolean }, command: Command) => {
    await monitorQuality(resolveConfig(command, overrides), options);
  });
}
