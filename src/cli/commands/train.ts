import type { Command } from 'commander';
import { formatEvaluationSummary } from '../../evaluate/index.js';
import { promoteBundle } from '../../bundle/index.js';
import { latestRunId } from '../../runs/index.js';
import { evaluateRun } from '../../train/index.js';
import { CardwatchError } from '../../util/errors.js';
import { fractionOption, OVERRIDES_HELP, out, resolveConfig } from '../context.js';
import { describeBundle, exportRun, trainWithProgress } from '../pipeline.js';

export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description('train the model on the current prepared dataset (or the built-in data) and evaluate it')
    .argument('[overrides...]', OVERRIDES_HELP)
    .action(async (overrides: string[], _options: object, command: Command) => {
      const config = resolveConfig(command, overrides);
      const result = await trainWithProgress(config);
      out(`run ${result.runId} → ${result.dir}`);
    });

  program
    .command('evaluate')
    .description('re-evaluate a run on its validation and test splits (threshold chosen on validation only)')
    .argument('[run]', 'run id (default: the latest run)')
    .argument('[overrides...]', 'evaluation overrides, e.g. evaluation.threshold.strategy=max_f1')
    .action(async (runId: string | undefined, overrides: string[], _options: object, command: Command) => {
      const config = resolveConfig(command, overrides);
      const id = runId ?? latestRunId(config.paths.runs);
      if (!id)
        throw new CardwatchError(
          'RUN_NOT_FOUND',
          `no runs under ${config.paths.runs}: run \`cardwatch train\` first`,
        );
      const evaluation = evaluateRun(
        config.paths.runs,
        id,
        overrides.length > 0 ? config.evaluation.threshold : undefined,
      );
      out(formatEvaluationSummary(evaluation.report));
    });

  program
    .command('export')
    .description(
      'package a run as an immutable model bundle (model.onnx with the scaler inside, verified by ONNX Runtime)',
    )
    .argument('[run]', 'run id (default: the latest run)')
    .option('--promote [alias]', 'also point an alias at the new bundle (default alias: production)')
    .option(
      '--prune <fraction>',
      "zero this fraction of each layer's smallest weights in the int8 variant",
      fractionOption('--prune'),
    )
    .option('--no-int8', 'do not write the int8 variant (model.int8.onnx)')
    .action(
      async (
        runId: string | undefined,
        options: { promote?: string | boolean; prune?: number; int8: boolean },
        command: Command,
      ) => {
        const config = resolveConfig(command);
        const bundle = await exportRun(config.paths.runs, runId, config.paths.models, {
          int8: options.int8,
          prune: options.prune ?? 0,
        });
        out(describeBundle(bundle));
        if (options.promote) {
          const alias = typeof options.promote === 'string' ? options.promote : 'production';
          promoteBundle(config.paths.models, bundle.id, alias);
          out(`${alias} → ${bundle.id}`);
        }
      },
    );
}
