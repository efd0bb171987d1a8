import type { Command } from 'commander';
import { formatDriftSpec, parseDriftSpec, type DriftSpec } from '../../data/drift-spec.js';
import { writeSyntheticCsv } from '../../data/index.js';
import { dataStatus, formatDataStatus } from '../../lineage/index.js';
import { prepareWithProgress } from '../../train/index.js';
import { CardwatchError } from '../../util/errors.js';
import { createProgress, formatCount } from '../../util/progress.js';
import { info, out, OVERRIDES_HELP, resolveConfig } from '../context.js';

function integerOption(name: string, min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isInteger(parsed) || parsed < min) {
      throw new CardwatchError('INVALID_INPUT', `${name} must be an integer ≥ ${min}, got "${value}"`);
    }
    return parsed;
  };
}

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('generate, validate and prepare transaction data');

  data
    .command('generate')
    .description('write the built-in synthetic dataset (exact Kaggle schema and statistics)')
    .option(
      '--rows <n>',
      'number of transactions (default: data.synthetic_rows, 284807)',
      integerOption('--rows', 1),
    )
    .option('--seed <n>', 'random seed (default: seed, 42)', integerOption('--seed', 0))
    .option('--out <file>', 'output CSV (default: data.synthetic_path)')
    .option(
      '--drift <spec>',
      'distort the data for drift demos: V1:shift=2,V4:scale=1.5,Amount:scale=3,fraud_rate=0.01 (value × scale + shift)',
      parseDriftSpec,
    )
    .argument('[overrides...]', OVERRIDES_HELP)
    .action(
      async (
        overrides: string[],
        options: { rows?: number; seed?: number; out?: string; drift?: DriftSpec },
        command: Command,
      ) => {
        const config = resolveConfig(command, overrides);
        const rows = options.rows ?? config.data.synthetic_rows;
        const path = options.out ?? config.data.synthetic_path;
        const progress = createProgress({ label: 'generate', total: rows, unit: 'rows' });
        await writeSyntheticCsv(path, {
          rows,
          seed: options.seed ?? config.seed,
          ...(options.drift === undefined ? {} : { drift: options.drift }),
          onProgress: (done) => progress.update(done),
        });
        progress.finish();
        const drifted = options.drift === undefined ? '' : ` (drift: ${formatDriftSpec(options.drift)})`;
        out(`wrote ${formatCount(rows)} transactions to ${path}${drifted}`);
      },
    );

  data
    .command('prepare')
    .description('validate a Kaggle-schema CSV, fingerprint it and make it the current dataset')
    .requiredOption('-i, --input <file>', 'CSV with the columns Time,V1..V28,Amount,Class')
    .option(
      '--skip-bad-rows',
      'skip rows that fail validation and report how many (default: stop at the first)',
    )
    .argument('[overrides...]', OVERRIDES_HELP)
    .action(
      async (overrides: string[], options: { input: string; skipBadRows?: boolean }, command: Command) => {
        const config = resolveConfig(command, overrides);
        const prepared = await prepareWithProgress(options.input, config, {
          log: info,
          skipBadRows: options.skipBadRows ?? false,
        });
        const m = prepared.meta;
        out(
          `prepared ${prepared.fingerprint}\n  ${formatCount(m.rows)} rows, ${formatCount(m.frauds)} frauds` +
            `${m.skipped_rows ? `, ${formatCount(m.skipped_rows)} bad rows skipped` : ''} → ${prepared.dir}`,
        );
      },
    );

  data
    .command('status')
    .description(
      'known datasets (fingerprint, rows, source, when), the runs and bundles that used each, and whether ' +
        'the production model was trained on the current data',
    )
    .option('--alias <name>', 'the bundle alias to compare with', 'production')
    .option('--json', 'print the status as JSON')
    .option('--check', 'exit 1 when the current data is not what the aliased bundle was trained on')
    .action(async (options: { alias: string; json?: boolean; check?: boolean }, command: Command) => {
      const config = resolveConfig(command);
      const status = await dataStatus(
        {
          preparedDir: config.data.prepared_dir,
          runsDir: config.paths.runs,
          modelsDir: config.paths.models,
          syntheticPath: config.data.synthetic_path,
        },
        options.alias,
      );
      out(options.json ? JSON.stringify(status, null, 2) : formatDataStatus(status));
      if (options.check && status.verdict === 'differs') process.exitCode = 1;
    });
}
