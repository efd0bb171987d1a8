import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMultirun } from '../config/index.js';
import { bestTrial, loadSweepFile, parseSweepFile, planMultirun, type TrialResult } from './index.js';

function trial(
  index: number,
  val: number | null,
  test: number | null,
  status: TrialResult['status'] = 'completed',
): TrialResult {
  return {
    index,
    run_id: `run-${index}`,
    params: {},
    overrides: [],
    status,
    started_at: null,
    finished_at: null,
    seconds: 1,
    epochs: 1,
    validation: val === null ? null : { roc_auc: 0.9, average_precision: val },
    test: test === null ? null : { roc_auc: 0.9, average_precision: test },
    error: null,
  };
}

describe('planMultirun', () => {
  it('plans one trial per grid point with its swept params', () => {
    const plan = planMultirun(
      parseMultirun(['training.lr=0.001,0.003', 'model.hidden_dim=32,64', 'training.epochs=1']),
    );
    expect(plan.method).toBe('grid');
    expect(plan.fixed).toEqual(['training.epochs=1']);
    expect(plan.trials.map((t) => t.params)).toEqual([
      { 'training.lr': '0.001', 'model.hidden_dim': '32' },
      { 'training.lr': '0.001', 'model.hidden_dim': '64' },
      { 'training.lr': '0.003', 'model.hidden_dim': '32' },
      { 'training.lr': '0.003', 'model.hidden_dim': '64' },
    ]);
    expect(plan.trials[3]).toMatchObject({
      index: 4,
      overrides: ['training.epochs=1', 'training.lr=0.003', 'model.hidden_dim=64'],
    });
  });

  it('needs at least one swept key', () => {
    expect(() => planMultirun(parseMultirun(['training.lr=0.001']))).toThrow(
      /at least one override with comma/,
    );
  });
});

describe('sweep files', () => {
  it('plan a grid over lists, {values} and stepped ranges', () => {
    const plan = parseSweepFile(
      {
        method: 'grid',
        overrides: ['training.epochs=2'],
        params: {
          'training.lr': [0.001, 0.003],
          'model.features': { values: [['V1', 'V2'], ['V3']] },
          'model.dropout': { min: 0, max: 0.2, step: 0.1 },
        },
      },
      'inline',
    );
    expect(plan.trials).toHaveLength(2 * 2 * 3);
    expect(plan.trials[0]!.overrides).toEqual([
      'training.epochs=2',
      'training.lr=0.001',
      'model.features=[V1,V2]',
      'model.dropout=0',
    ]);
    expect(plan.trials.map((t) => t.params['model.dropout'])).toContain('0.2');
  });

  it('draw a random search from the seed: same seed, same trials; ranges respected', () => {
    const file = {
      method: 'random',
      trials: 20,
      seed: 7,
      params: {
        'training.lr': { min: 1e-4, max: 1e-2, log: true },
        'model.hidden_dim': { min: 16, max: 96, step: 16, int: true },
        'data.split': ['stratified', 'time'],
      },
    };
    const a = parseSweepFile(file, 'a');
    const b = parseSweepFile(file, 'b');
    expect(a.trials.map((t) => t.overrides)).toEqual(b.trials.map((t) => t.overrides));
    expect(parseSweepFile({ ...file, seed: 8 }, 'c').trials.map((t) => t.params)).not.toEqual(
      a.trials.map((t) => t.params),
    );
    for (const t of a.trials) {
      const lr = Number(t.params['training.lr']);
      expect(lr).toBeGreaterThanOrEqual(1e-4);
      expect(lr).toBeLessThanOrEqual(1e-2);
      expect([16, 32, 48, 64, 80, 96]).toContain(Number(t.params['model.hidden_dim']));
      expect(['stratified', 'time']).toContain(t.params['data.split']);
    }
    // Log-uniform: about half the draws fall below the geometric middle (1e-3), not a tenth.
    const low = a.trials.filter((t) => Number(t.params['training.lr']) < 1e-3).length;
    expect(low).toBeGreaterThan(4);
    expect(a).toMatchObject({ method: 'random', seed: 7 });
  });

  it('refuse what cannot be planned, naming the key', () => {
    expect(() => parseSweepFile({ method: 'random', params: { 'training.lr': [1] } }, 'f.yaml')).toThrow(
      /invalid sweep file f\.yaml:\n {2}trials: a random search needs trials: N/,
    );
    expect(() => parseSweepFile({ method: 'grid', trials: 3, params: { 'training.lr': [1] } }, 'f')).toThrow(
      /trials applies to method: random/,
    );
    expect(() => parseSweepFile({ params: { 'training.lr': { min: 0.1, max: 1 } } }, 'f')).toThrow(
      /training\.lr: a grid over a range needs a step/,
    );
    expect(() => parseSweepFile({ params: { 'training.lr': { min: 1, max: 0.1 } } }, 'f')).toThrow(
      /max must be >= min/,
    );
    expect(() => parseSweepFile({ params: {} }, 'f')).toThrow(/at least one key/);
    expect(() => parseSweepFile({ params: { 'bad..key': [1] } }, 'f')).toThrow(/not of the form/);
  });

  it('load from YAML, like the shipped examples', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cardwatch-sweep-'));
    const path = join(dir, 's.yaml');
    writeFileSync(
      path,
      'method: random\ntrials: 3\nseed: 1\nparams:\n  training.lr: {min: 0.0001, max: 0.01, log: true}\n',
    );
    expect(loadSweepFile(path).trials).toHaveLength(3);
    for (const shipped of ['lr-hidden.yaml', 'random-search.yaml']) {
      const plan = loadSweepFile(new URL(`../../configs/sweeps/${shipped}`, import.meta.url).pathname);
      expect(plan.trials.length, shipped).toBeGreaterThan(1);
    }
  });
});

describe('bestTrial', () => {
  it('ranks by validation AUPRC only: the test split never chooses', () => {
    const trials = [
      trial(1, 0.5, 0.9),
      trial(2, 0.7, 0.1),
      trial(3, 0.6, 0.95),
      trial(4, null, null, 'failed'),
    ];
    expect(bestTrial(trials)?.index).toBe(2);
    expect(bestTrial([trial(1, 0.7, 0.1), trial(2, 0.7, 0.9)])?.index).toBe(1); // a tie keeps the earlier
    expect(bestTrial([trial(1, null, null, 'failed')])).toBeNull();
  });
});
