import type { Command } from 'commander';
import { writeSyntheticCsv } from '../../data/index.js';
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
    .argument('[overrides...]', OVERRIDES_HELP)
    .action(
      async (
        overrides: string[],
        options: { rows?: number; seed?: number; out?: string },
        command: Command,
      ) => {
        const config = resolveConfig(command, overrides);
        const rows = options.rows ?? config.data.synthetic_rows;
        const path = options.out ?? config.data.synthetic_path;
        const progress = createProgress({ label: 'generate', total: rows, unit: 'rows' });
        await writeSyntheticCsv(path, {
          rows,
          seed: options.seed ?? config.seed,
          onProgress: (done) => progress.update(done),
        });
        progress.finish();
        out(`wrote ${formatCount(rows)} transactions to ${path}`);
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
}
