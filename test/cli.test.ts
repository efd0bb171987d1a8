/** The CLI as documentation and as the main job: every command has help; `start` trains once, then reuses. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, scratchDir, startCli, stop } from './cli-helpers.js';

const COMMANDS = [
  ['data', 'generate'],
  ['data', 'prepare'],
  ['train'],
  ['evaluate'],
  ['export'],
  ['models', 'list'],
  ['models', 'promote'],
  ['score'],
  ['serve'],
  ['start'],
];

describe('cardwatch --help', () => {
  it('lists every command', () => {
    const help = runCli(scratchDir(), ['--help']);
    expect(help.status).toBe(0);
    for (const name of ['data', 'train', 'evaluate', 'export', 'models', 'score', 'serve', 'start']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    expect(help.stdout).toContain('training.lr=0.005');
  });

  it.each(COMMANDS)('documents %s %s', (...command) => {
    const help = runCli(scratchDir(), [...command.filter(Boolean), '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cardwatch /);
    // A description line and at least the --help option.
    expect(help.stdout.split('\n').filter((line) => line.trim() !== '').length).toBeGreaterThan(3);
  });

  it('rejects an unknown command with a hint, not a stack trace', () => {
    const result = runCli(scratchDir(), ['trian']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/unknown command 'trian'/);
    expect(result.stderr).toMatch(/Did you mean train\?/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing input file clearly', () => {
    const result = runCli(scratchDir(), ['data', 'prepare', '--input', 'nope.csv']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: .*nope\.csv/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('cardwatch start', () => {
  const cwd = scratchDir('cardwatch-start-');
  const small = ['data.synthetic_rows=20000', 'training.epochs=1'];

  it('with no data and no model: generates, trains, exports, promotes, then serves', async () => {
    const server = await startCli(
      cwd,
      ['start', '--port', '0', ...small],
      /serving model (\S+) on (http:\/\/\S+)/,
      120_000,
    );
    try {
      const output = server.output();
      expect(output).toMatch(/no "production" model yet/);
      expect(output).toMatch(/generate/);
      expect(output).toMatch(/epoch 1\/1/);
      expect(existsSync(join(cwd, 'data', 'raw', 'synthetic.csv'))).toBe(true);
      const status = (await (await fetch(`${server.match[2]!}/`)).json()) as { model_version: string };
      expect(status.model_version).toBe(server.match[1]);
    } finally {
      await stop(server.child);
    }
  });

  it('with a production model: serves it without training again', async () => {
    const server = await startCli(
      cwd,
      ['start', '--port', '0', ...small],
      /serving model (\S+) on (http:\/\/\S+)/,
    );
    try {
      expect(server.output()).not.toMatch(/training one|epoch 1\/1/);
      expect((await fetch(`${server.match[2]!}/`)).status).toBe(200);
    } finally {
      await stop(server.child);
    }
  });
});
