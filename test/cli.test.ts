/** The CLI as documentation and as the main job: every command has help; `start` trains once, then reuses. */
import { existsSync, readFileSync } from 'node:fs';
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
  ['models', 'import'],
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

describe('cardwatch models import', () => {
  const fixture = new URL('../../shared/fixtures/pytorch-onnx/', import.meta.url).pathname;

  it('wraps the PyTorch-exported autoencoder and serves its golden scores (error_scaled)', async () => {
    const cwd = scratchDir('cardwatch-import-');
    const golden = JSON.parse(readFileSync(join(fixture, 'golden.json'), 'utf8')) as {
      threshold: number;
      rows: { features: number[]; error_scaled: number }[];
    };
    const imported = runCli(cwd, [
      'models',
      'import',
      '--onnx',
      join(fixture, 'model.onnx'),
      '--scaler',
      join(fixture, 'scaler.json'),
      '--threshold',
      String(golden.threshold),
      '--id',
      'torch-ae',
      '--promote',
    ]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('production → torch-ae');
    const list = runCli(cwd, ['models', 'list']);
    expect(list.stdout).toMatch(/torch-ae\s+production\s+import\s+float32\+int8/);

    const server = await startCli(cwd, ['serve', '--port', '0'], /serving model \S+ on (http:\/\/\S+)/);
    try {
      for (const row of golden.rows) {
        const response = await fetch(`${server.match[1]!}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ features: row.features }),
        });
        expect(response.status).toBe(200);
        const { score } = (await response.json()) as { score: number };
        expect(Math.abs(score - row.error_scaled)).toBeLessThanOrEqual(1e-5 * Math.max(1, row.error_scaled));
      }
    } finally {
      await stop(server.child);
    }
  });

  it('refuses a missing file and a bad threshold clearly', () => {
    const cwd = scratchDir('cardwatch-import-');
    const missing = runCli(cwd, [
      'models',
      'import',
      '--onnx',
      'nope.onnx',
      '--scaler',
      'nope.json',
      '--threshold',
      '1',
    ]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nope\.onnx/m);
    const bad = runCli(cwd, ['models', 'import', '--onnx', 'a', '--scaler', 'b', '--threshold', 'high']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--threshold must be a finite number, got "high"/);
  });
});
