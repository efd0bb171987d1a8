import type { Command } from 'commander';
import { listBundles, loadScorer, promoteBundle } from '../../bundle/index.js';
import { formatCount } from '../../util/progress.js';
import { scoreCsvFile } from '../batch-score.js';
import { OVERRIDES_HELP, out, resolveConfig } from '../context.js';

export function registerModelCommands(program: Command): void {
  const models = program.command('models').description('the registry of model bundles and their aliases');

  models
    .command('list')
    .description('list bundles, newest first, with aliases and test metrics')
    .action((_options: object, command: Command) => {
      const config = resolveConfig(command);
      const bundles = listBundles(config.paths.models);
      if (bundles.length === 0) {
        out(`no bundles under ${config.paths.models}: run \`cardwatch train\` then \`cardwatch export\``);
        return;
      }
      out(
        ['id'.padEnd(36), 'aliases'.padEnd(14), 'created'.padEnd(20), 'ROC AUC', ' AUPRC', 'threshold'].join(
          ' ',
        ),
      );
      for (const b of bundles) {
        if ('error' in b && b.error) {
          out(`${b.id.padEnd(36)} (unreadable: ${b.error})`);
          continue;
        }
        out(
          [
            b.id.padEnd(36),
            (b.aliases.join(',') || '-').padEnd(14),
            (b.created_at ?? '').slice(0, 19).padEnd(20),
            (b.test_roc_auc ?? NaN).toFixed(4).padStart(7),
            (b.test_average_precision ?? NaN).toFixed(4).padStart(6),
            (b.threshold ?? NaN).toPrecision(5),
          ].join(' '),
        );
      }
    });

  models
    .command('promote')
    .description('point an alias (default: production) at a bundle')
    .argument('<id>', 'bundle id (see `cardwatch models list`)')
    .option('--alias <name>', 'alias to set', 'production')
    .action((id: string, options: { alias: string }, command: Command) => {
      const config = resolveConfig(command);
      promoteBundle(config.paths.models, id, options.alias);
      out(`${options.alias} → ${id}`);
    });

  program
    .command('score')
    .description(
      'score a Kaggle-schema CSV offline (Class optional); bad rows get an error column, never dropped',
    )
    .requiredOption('-i, --input <file>', 'CSV to score')
    .requiredOption('-o, --output <file>', 'where to write row,score,is_fraud,error')
    .option('-m, --model <id|alias>', 'bundle id or alias', 'production')
    .argument('[overrides...]', OVERRIDES_HELP)
    .action(
      async (
        overrides: string[],
        options: { input: string; output: string; model: string },
        command: Command,
      ) => {
        const config = resolveConfig(command, overrides);
        const scorer = await loadScorer(config.paths.models, options.model);
        try {
          const s = await scoreCsvFile(options.input, options.output, scorer);
          out(
            `scored ${formatCount(s.scored)} of ${formatCount(s.rows)} rows with ${scorer.manifest.id}: ` +
              `${formatCount(s.flagged)} flagged as fraud, ${formatCount(s.errors)} rows with errors → ${options.output}\n` +
              `  ${s.seconds.toFixed(2)} s, ${formatCount(s.rowsPerSecond)} rows/s`,
          );
        } finally {
          await scorer.dispose();
        }
      },
    );
}
