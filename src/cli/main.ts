/**
 * `cardwatch <command>`: one CLI over every floor. Commands parse arguments, call one module function and
 * render; errors print their message (the stack only with --verbose) and exit non-zero.
 */
import { Command, CommanderError } from 'commander';
import { isCardwatchError } from '../util/errors.js';
import { packageVersion } from './context.js';

type Register = (program: Command) => void;

/**
 * Each command module and the top-level commands it registers, in help order. A module is imported only when
 * its command runs (or for help and the docs), because importing all of them (ONNX Runtime, Fastify, NATS,
 * pg, the training engine…) took ~1 s before any command started. A test holds the names to what each
 * module really registers.
 */
export const COMMAND_MODULES: readonly { readonly names: readonly string[]; load(): Promise<Register> }[] = [
  { names: ['data'], load: async () => (await import('./commands/data.js')).registerDataCommands },
  {
    names: ['train', 'evaluate', 'export'],
    load: async () => (await import('./commands/train.js')).registerTrainCommands,
  },
  {
    names: ['runs', 'reproduce'],
    load: async () => (await import('./commands/runs.js')).registerRunCommands,
  },
  { names: ['sweep'], load: async () => (await import('./commands/sweep.js')).registerSweepCommands },
  {
    names: ['models', 'score'],
    load: async () => (await import('./commands/models.js')).registerModelCommands,
  },
  {
    names: ['serve', 'start'],
    load: async () => (await import('./commands/serve.js')).registerServeCommands,
  },
  {
    names: ['predictions'],
    load: async () => (await import('./commands/predictions.js')).registerPredictionCommands,
  },
  { names: ['monitor'], load: async () => (await import('./commands/monitor.js')).registerMonitorCommands },
  {
    names: ['simulate'],
    load: async () => (await import('./commands/simulate.js')).registerSimulateCommands,
  },
  { names: ['stream'], load: async () => (await import('./commands/stream.js')).registerStreamCommands },
];

/** Global options that take a value (their value is not the command name). */
const VALUE_OPTIONS = new Set(['-c', '--config']);

/** The top-level command `argv` (process.argv form) names, or null (help, version, none). */
export function commandNameOf(argv: readonly string[]): string | null {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (VALUE_OPTIONS.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith('-')) return arg;
  }
  return null;
}

/**
 * The CLI with every command, or (given `argv`) with only the module of the command it names: the others are
 * not even imported. An unknown name or none (help) loads them all, so help and "did you mean" see everything.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const name = argv === undefined ? null : commandNameOf(argv);
  const wanted = COMMAND_MODULES.filter((module) => name !== null && module.names.includes(name));
  const versionOnly =
    name === null && argv !== undefined && argv.some((a) => a === '-V' || a === '--version');
  const modules = wanted.length > 0 ? wanted : versionOnly ? [] : COMMAND_MODULES;
  const registers = await Promise.all(modules.map((module) => module.load()));
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
  for (const register of registers) register(program);
  return program;
}

/**
 * Runs the CLI and resolves to its exit code. `bin/cardwatch.js` calls it; importing this module runs nothing,
 * so tools can read `buildProgram()` (scripts/docs.mjs generates the CLI reference from it).
 */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
