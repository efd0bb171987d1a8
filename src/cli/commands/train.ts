import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { parseMultirun } from '../../config/index.js';
import { formatEvaluationSummary } from '../../evaluate/index.js';
import { planMultirun } from '../../experiments/index.js';
import { promoteBundle } from '../../bundle/index.js';
import { latestRunId } from '../../runs/index.js';
import { evaluateRun } from '../../train/index.js';
import { CardwatchError } from '../../util/errors.js';
import { fractionOption, info, integerOption, OVERRIDES_HELP, out, resolveConfig } from '../context.js';
import { describeBundle, exportRun, stderrIo, trainWithProgress } from '../pipeline.js';
import { formatProfileSummary, trainWithProfile } from '../profile-train.js';
import { loadDatasetOption } from '../dataset-option.js';
import { runSweepCommand } from '../sweep-run.js';

interface TrainOptions {
  multirun?: boolean;
  parallel?: number;
  profile?: boolean;
  dataset?: string;
  runId?: string;
  sweepId?: string;
}

export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description('train the model on the current prepared dataset (or the built-in data) and evaluate it')
    .argument('[overrides...]', `${OVERRIDES_HELP}; with --multirun, key=a,b,c sweeps a key`)
    .option(
      '--multirun',
      'train every combination of comma-separated override values (a grid), trials in parallel, one run each',
    )
    .option('--parallel <n>', 'with --multirun: trials at once (default: the core count)', integerOption)
    .option(
      '--profile',
      'also write a CPU profile and a phase breakdown into the run (profile.json, .cpuprofile, SVG)',
    )
    .option(
      '--dataset <fingerprint>',
      'train on this prepared dataset (fingerprint or a prefix) instead of the current one',
    )
    // Set by sweeps on their trials: the run id is chosen in advance and run.json names the sweep.
    .addOption(new Option('--run-id <id>').hideHelp())
    .addOption(new Option('--sweep-id <id>').hideHelp())
    .addHelpText(
      'after',
      `
Examples:
  cardwatch train training.lr=0.005 model.hidden_dim=64
  cardwatch train --multirun training.lr=0.0003,0.001,0.003 model.hidden_dim=32,64   (6 runs, one sweep)
  cardwatch train --profile training.workers=1                        (see docs/profiling.md)`,
    )
    .action(async (overrides: string[], options: TrainOptions, command: Command) => {
      if (options.multirun) {
        if (options.profile) {
          throw new CardwatchError('INVALID_INPUT', '--profile profiles one run; leave out --multirun');
        }
        await runSweepCommand(command, planMultirun(parseMultirun(overrides)), {
          ...(options.parallel === undefined ? {} : { parallel: options.parallel }),
          ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
        });
        return;
      }
      const config = resolveConfig(command, overrides);
      const loadStarted = performance.now();
      const prepared = options.dataset === undefined ? undefined : loadDatasetOption(config, options.dataset);
      const loaded = (performance.now() - loadStarted) / 1000;
      const run = {
        ...(options.runId === undefined ? {} : { runId: options.runId }),
        ...(options.sweepId === undefined ? {} : { origin: { sweep_id: options.sweepId } }),
      };
      if (options.profile) {
        const { result, report } = await trainWithProfile(config, stderrIo, {
          ...(prepared ? { prepared, dataPhases: [{ name: 'load', seconds: loaded }] } : {}),
          run,
        });
        info(formatProfileSummary(report));
        out(`run ${result.runId} → ${result.dir}`);
        out(
          `profile → ${join(result.dir, 'profile.json')}, ${join(result.dir, 'profile.cpuprofile')} ` +
            `(Chrome DevTools: Performance → Load profile), ${join(result.dir, 'plots', 'profile.svg')}`,
        );
        return;
      }
      const result = await trainWithProgress(config, stderrIo, {
        ...(prepared ? { prepared, preparedSeconds: loaded } : {}),
        run,
      });
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
        overrides.length > 0 ? config.evaluation.alerts_per_day : undefined,
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
