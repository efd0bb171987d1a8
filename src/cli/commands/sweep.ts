/** `cardwatch sweep configs/sweeps/NAME.yaml`: a grid or a seeded random search, trials in parallel. */
import type { Command } from 'commander';
import { loadSweepFile } from '../../experiments/index.js';
import { integerOption, out } from '../context.js';
import { runSweepCommand } from '../sweep-run.js';
import { formatTable } from '../table.js';

interface SweepOptions {
  parallel?: number;
  dataset?: string;
  dryRun?: boolean;
}

export function registerSweepCommands(program: Command): void {
  program
    .command('sweep')
    .description(
      'run a hyperparameter sweep from a YAML file (grid, or random search over lists and ranges), trials in parallel',
    )
    .argument('<file>', 'sweep file, e.g. configs/sweeps/lr-hidden.yaml')
    .option(
      '--parallel <n>',
      "trials at once (default: the file's parallel, else the core count)",
      integerOption,
    )
    .option(
      '--dataset <fingerprint>',
      'train every trial on this prepared dataset instead of the current one',
    )
    .option('--dry-run', 'print the planned trials and stop')
    .addHelpText(
      'after',
      `
A sweep file (see configs/sweeps/):
  method: random          # grid (every combination) | random (trials draws, seeded)
  trials: 8               # random only
  seed: 7                 # random only: the seed of the draws
  overrides: [training.epochs=10]
  params:
    training.lr: {min: 0.0001, max: 0.01, log: true}
    model.hidden_dim: [32, 64]
    model.dropout: {min: 0, max: 0.3, step: 0.05}

Every trial is a run under runs/ (run.json names the sweep); the summary goes to runs/sweeps/<id>/summary.json.
The best trial is chosen by validation AUPRC; test metrics are shown, never used to choose.`,
    )
    .action(async (file: string, options: SweepOptions, command: Command) => {
      const plan = loadSweepFile(file);
      if (options.dryRun) {
        const keys = Object.keys(plan.trials[0]?.params ?? {});
        out(
          `${plan.trials.length} trials (${plan.method}${plan.seed === null ? '' : `, seed ${plan.seed}`}); ` +
            `every trial: ${plan.fixed.join(' ') || '(no fixed overrides)'}`,
        );
        out(
          formatTable(
            [{ header: '#', right: true }, ...keys.map((key) => ({ header: key, right: true }))],
            plan.trials.map((t) => [String(t.index), ...keys.map((key) => t.params[key] ?? '')]),
          ),
        );
        return;
      }
      await runSweepCommand(command, plan, {
        ...(options.parallel === undefined ? {} : { parallel: options.parallel }),
        ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
      });
    });
}
