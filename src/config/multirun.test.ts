import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { expandMultirun, loadConfig, parseMultirun, splitMultirunValue } from './index.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CardwatchError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected an error');
}

describe('multirun values', () => {
  it('split at top-level commas only', () => {
    expect(splitMultirunValue('0.0003,0.001, 0.003')).toEqual(['0.0003', '0.001', '0.003']);
    expect(splitMultirunValue('[V1,V2],[V3]')).toEqual(['[V1,V2]', '[V3]']);
    expect(splitMultirunValue('"a,b",c')).toEqual(['"a,b"', 'c']);
    expect(splitMultirunValue('single')).toEqual(['single']);
  });
});

describe('parseMultirun / expandMultirun', () => {
  it('turn comma lists into axes and expand the grid, first axis slowest, fixed overrides first', () => {
    const multirun = parseMultirun([
      'training.lr=0.0003,0.001,0.003',
      'model.hidden_dim=32,64',
      'training.epochs=1',
    ]);
    expect(multirun).toEqual({
      fixed: ['training.epochs=1'],
      axes: [
        { key: 'training.lr', values: ['0.0003', '0.001', '0.003'] },
        { key: 'model.hidden_dim', values: ['32', '64'] },
      ],
    });
    const grid = expandMultirun(multirun);
    expect(grid).toHaveLength(6);
    expect(grid[0]).toEqual(['training.epochs=1', 'training.lr=0.0003', 'model.hidden_dim=32']);
    expect(grid[1]).toEqual(['training.epochs=1', 'training.lr=0.0003', 'model.hidden_dim=64']);
    expect(grid[5]).toEqual(['training.epochs=1', 'training.lr=0.003', 'model.hidden_dim=64']);
    // Every trial is an ordinary override list: it loads like a single run's.
    for (const overrides of grid) expect(loadConfig({ overrides }).training.epochs).toBe(1);
  });

  it('keep list values whole', () => {
    const grid = expandMultirun(parseMultirun(['model.features=[V1,V2],[V3,V4,V5]']));
    expect(grid.map((o) => loadConfig({ overrides: o }).model.features)).toEqual([
      ['V1', 'V2'],
      ['V3', 'V4', 'V5'],
    ]);
  });

  it('refuse empty values, a key given twice and malformed keys', () => {
    expect(codeOf(() => parseMultirun(['training.lr=0.001,,0.003']))).toMatch(
      /CONFIG_OVERRIDE_SYNTAX: .*empty value/,
    );
    expect(codeOf(() => parseMultirun(['training.lr=0.001,']))).toMatch(/empty value/);
    expect(codeOf(() => parseMultirun(['training.lr=0.001,0.003', 'training.lr=0.01']))).toMatch(
      /given twice/,
    );
    expect(codeOf(() => parseMultirun(['training..lr=1,2']))).toMatch(/CONFIG_OVERRIDE_SYNTAX/);
  });

  it('leave the single-run refusal of a comma as it was', () => {
    expect(codeOf(() => loadConfig({ overrides: ['training.lr=0.001,0.003'] }))).toMatch(
      /CONFIG_OVERRIDE_SYNTAX: override "training.lr=0.001,0.003": a comma separates multirun values; sweeps are not available in this command.*--multirun/,
    );
  });
});

describe('overrides into a section the config file leaves out', () => {
  it('land in the default member of a tagged union', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardwatch-multirun-'));
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, 'seed: 1\n');
    const config = loadConfig({
      file,
      overrides: ['model.hidden_dim=16', 'evaluation.threshold.percentile=90'],
    });
    expect(config.model).toMatchObject({ type: 'autoencoder', hidden_dim: 16 });
    expect(config.evaluation.threshold).toEqual({ strategy: 'normal_percentile', percentile: 90 });
    // An explicit member switch still wins.
    const switched = loadConfig({
      file,
      overrides: ['evaluation.threshold.precision=0.8', 'evaluation.threshold.strategy=target_precision'],
    });
    expect(switched.evaluation.threshold).toEqual({ strategy: 'target_precision', precision: 0.8 });
  });
});
