/** What every command needs: the resolved config (from --config and overrides) and the package version. */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { type Config, loadConfig } from '../config/index.js';

export function packageVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(raw) as { version: string }).version;
}

/** The root program's options, whichever subcommand is running. */
export function globalOptions(command: Command): { config?: string; verbose?: boolean } {
  let root = command;
  while (root.parent) root = root.parent;
  return root.opts<{ config?: string; verbose?: boolean }>();
}

export function resolveConfig(command: Command, overrides: readonly string[] = []): Config {
  return loadConfig({ file: globalOptions(command).config, overrides });
}

export const OVERRIDES_HELP = 'config overrides, e.g. training.lr=0.005 model.hidden_dim=64';

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function info(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A commander parser for a fraction in [0, 1). */
export function fractionOption(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed >= 1) {
      throw new InvalidArgumentError(`${name} must be a number in [0, 1), got "${value}"`);
    }
    return parsed;
  };
}

/** A commander parser for a whole number >= 1 (counts such as --parallel). */
export function integerOption(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || parsed < 1) {
    throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`);
  }
  return parsed;
}
