import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, commandNameOf, COMMAND_MODULES } from './main.js';

describe('the CLI loads only the command module it runs', () => {
  it('lists, for each module, exactly the top-level commands it registers', async () => {
    for (const module of COMMAND_MODULES) {
      const program = new Command('cardwatch');
      (await module.load())(program);
      expect(program.commands.map((command) => command.name())).toEqual(module.names);
    }
  });

  it('finds the command name past global options and their values', () => {
    expect(commandNameOf(['node', 'cardwatch', 'train', 'training.lr=0.1'])).toBe('train');
    expect(commandNameOf(['node', 'cardwatch', '-c', 'my.yaml', '--verbose', 'serve'])).toBe('serve');
    expect(commandNameOf(['node', 'cardwatch', '--config', 'train', 'data'])).toBe('data');
    expect(commandNameOf(['node', 'cardwatch', '--help'])).toBeNull();
    expect(commandNameOf(['node', 'cardwatch'])).toBeNull();
  });

  it('builds just that module for a known command, and every command otherwise', async () => {
    const all = COMMAND_MODULES.flatMap((module) => module.names);
    const names = (program: Command) => program.commands.map((command) => command.name());
    expect(names(await buildProgram(['node', 'cardwatch', 'export', '--promote']))).toEqual([
      'train',
      'evaluate',
      'export',
    ]);
    expect(names(await buildProgram(['node', 'cardwatch', '--help']))).toEqual(all);
    expect(names(await buildProgram(['node', 'cardwatch', 'trian']))).toEqual(all); // "did you mean train?"
    expect(names(await buildProgram())).toEqual(all);
    expect(names(await buildProgram(['node', 'cardwatch', '--version']))).toEqual([]);
  });
});
