/**
 * `cardwatch <command>`: one CLI over every floor. Commands parse arguments, call one module function and
 * render; errors print their message (the stack only with --verbose) and exit non-zero.
 */
import { Command, CommanderError } from 'commander';
import { isCardwatchError } from '../util/errors.js';
import { registerDataCommands } from './commands/data.js';
import { registerModelCommands } from './commands/models.js';
import { registerMonitorCommands } from './commands/monitor.js';
import { registerPredictionCommands } from './commands/predictions.js';
import { registerRunCommands } from './commands/runs.js';
import { registerServeCommands } from './commands/serve.js';
import { registerSimulateCommands } from './commands/simulate.js';
import { registerStreamCommands } from './commands/stream.js';
import { registerSweepCommands } from './commands/sweep.js';
import { registerTrainCommands } from './commands/train.js';
import { packageVersion } from './context.js';

export function buildProgram(): Command {
  const program = new Command('cardwatch')
    .description(
      'Card-fraud scoring from raw transactions to a monitored service: data, training, evaluation, model bundles, scoring API.',
    )
    .version(packageVersion())
    .option('-c, --config <file>', 'configuration YAML (default: configs/default.yaml)')
    .option('--verbose', 'print stack traces of errors')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Configuration overrides (Hydra-style) follow a command: cardwatch train training.lr=0.005 model.hidden_dim=64

Quick start:
  cardwatch start                  train on the built-in data if no model exists, then serve on :8000
  cardwatch data prepare --input creditcard.csv
  cardwatch train && cardwatch export --promote && cardwatch serve`,
    );
  registerDataCommands(program);
  registerTrainCommands(program);
  registerRunCommands(program);
  registerSweepCommands(program);
  registerModelCommands(program);
  registerServeCommands(program);
  registerPredictionCommands(program);
  registerMonitorCommands(program);
  registerSimulateCommands(program);
  registerStreamCommands(program);
  return program;
}

/**
 * Runs the CLI and resolves to its exit code. `bin/cardwatch.js` calls it; importing this module runs nothing,
 * so tools can read `buildProgram()` (scripts/docs.mjs generates the CLI reference from it).
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit "successfully" through this path
      return error.exitCode;
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose ?? false;
    if (isCardwatchError(error)) {
      process.stderr.write(`error: ${error.message}\n`);
    } else {
      process.stderr.write(
        `internal error: ${error instanceof Error ? error.message : String(error)}\n(re-run with --verbose for details)\n`,
      );
    }
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
