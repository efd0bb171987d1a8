import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import {
  configDiff,
  createRunDir,
  formatConfigValue,
  formatDifferences,
  readRunSummaries,
  readRunSummary,
  removeRunDir,
  type RunRecord,
  runWeightsSha256,
  sparkline,
  weightsSha256,
} from './index.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'cardwatch-runs-report-'));

const RECORD: RunRecord = {
  id: 'run-a',
  status: 'completed',
  model_type: 'autoencoder',
  created_at: '2026-01-02T03:04:05.000Z',
  finished_at: '2026-01-02T03:04:15.000Z',
  duration_seconds: 10,
  data_fingerprint: 'f'.repeat(64),
  epochs_run: 2,
  best_epoch: 2,
  stopped_early: false,
  train_rows: 100,
  val_rows: 20,
  error: null,
  timings: { data: 0.1, split: 0.01, fit: 9, evaluate: 0.5 },
};

describe('configDiff', () => {
  const base = {
    seed: 42,
    model: { type: 'autoencoder', hidden_dim: 32, features: ['V1', 'V2'] },
    training: { lr: 0.001, epochs: 30 },
    serve: { port: 8000 },
  };

  it('lists changed, added and removed keys by dotted path, lists compared whole', () => {
    const run = {
      seed: 42,
      model: { type: 'autoencoder', hidden_dim: 64, features: ['V1'] },
      training: { lr: 0.001, epochs: 30, workers: 1 },
      serve: { port: 9000 },
    };
    expect(configDiff(base, run)).toEqual([
      { key: 'model.hidden_dim', a: 32, b: 64 },
      { key: 'model.features', a: ['V1', 'V2'], b: ['V1'] },
      { key: 'training.workers', a: undefined, b: 1 },
    ]);
    // serve.* never shapes a result, so it is not a difference worth showing.
    expect(configDiff(base, base)).toEqual([]);
  });

  it('formats values compactly', () => {
    expect(formatConfigValue(['V1', 'V2', 'V3'])).toBe('[V1,V2,V3]');
    expect(formatConfigValue(undefined)).toBe('—');
    expect(
      formatConfigValue(
        Array.from({ length: 28 }, (_, i) => `V${i + 1}`),
        20,
      ),
    ).toBe('[V1,V2,V3…,V27,V28]');
    expect(formatDifferences([{ key: 'training.lr', a: 0.001, b: 0.003 }])).toBe('training.lr=0.003');
  });
});

describe('sparkline', () => {
  it('scales a series between its min and max', () => {
    expect(sparkline([4, 3, 2, 1.5, 1])).toBe('█▆▃▂▁');
    expect(sparkline([1, 1, 1])).toBe('▁▁▁');
    expect(sparkline([1, Number.NaN, 2])).toBe('▁·█');
    expect(sparkline([])).toBe('');
  });

  it('averages buckets when there are more points than width', () => {
    const line = sparkline(
      Array.from({ length: 100 }, (_, i) => 100 - i),
      10,
    );
    expect([...line]).toHaveLength(10);
    expect(line.startsWith('█')).toBe(true);
    expect(line.endsWith('▁')).toBe(true);
  });
});

describe('weights hash', () => {
  it("is the network file's parameter hash, else a hash of the whole (key-order independent) model file", () => {
    const declared = 'a'.repeat(64);
    expect(weightsSha256({ parameters: 'xyz', parameters_sha256: declared })).toBe(declared);
    const h1 = weightsSha256({ type: 'trees', trees: [1, 2], depth: 3 });
    const h2 = weightsSha256({ depth: 3, trees: [1, 2], type: 'trees' });
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(h1).toBe(h2);
    expect(weightsSha256({ type: 'trees', trees: [1, 3], depth: 3 })).not.toBe(h1);
  });

  it('reads model.json of a run folder, null without one', () => {
    const runs = fresh();
    const run = createRunDir(runs, 'run-a');
    expect(runWeightsSha256(run.dir)).toBeNull();
    run.writeJson('model.json', { parameters_sha256: 'b'.repeat(64) });
    expect(runWeightsSha256(run.dir)).toBe('b'.repeat(64));
  });
});

describe('readRunSummary', () => {
  it('reads every file of a run and tolerates missing ones', () => {
    const runs = fresh();
    const run = createRunDir(runs, 'run-a');
    run.writeJson('run.json', { ...RECORD, weights_sha256: 'c'.repeat(64), sweep_id: 'sweep-1' });
    run.writeText('config.yaml', toYaml({ seed: 1, training: { lr: 0.01 } }));
    run.appendJsonLine('metrics.jsonl', {
      epoch: 1,
      train_loss: 2,
      val_loss: 2.5,
      seconds: 1,
      improved: true,
    });
    run.appendJsonLine('metrics.jsonl', {
      epoch: 2,
      train_loss: 1,
      val_loss: 1.5,
      seconds: 1,
      improved: true,
    });
    const summary = readRunSummary(runs, 'run-a');
    expect(summary.record?.sweep_id).toBe('sweep-1');
    expect(summary.config).toEqual({ seed: 1, training: { lr: 0.01 } });
    expect(summary.epochs.map((e) => e.val_loss)).toEqual([2.5, 1.5]);
    expect(summary.evaluation).toBeNull();
    expect(summary.provenance).toBeNull();
    expect(summary.weightsSha256).toBe('c'.repeat(64));
    expect(summary.problems).toEqual([]);
  });

  it('names unreadable files instead of failing, and old runs (no weights hash in run.json) fall back to model.json', () => {
    const runs = fresh();
    const run = createRunDir(runs, 'run-b');
    run.writeJson('run.json', RECORD);
    run.writeJson('model.json', { parameters_sha256: 'd'.repeat(64) });
    writeFileSync(run.path('evaluation.json'), '{ not json');
    const summary = readRunSummary(runs, 'run-b');
    expect(summary.weightsSha256).toBe('d'.repeat(64));
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0]).toMatch(/evaluation\.json/);
    expect(readRunSummaries(runs).map((s) => s.id)).toEqual(['run-b']);
  });

  it('removes a run folder, and refuses an unknown id', () => {
    const runs = fresh();
    createRunDir(runs, 'run-c').writeJson('run.json', RECORD);
    removeRunDir(runs, 'run-c');
    expect(readRunSummaries(runs)).toEqual([]);
    expect(() => removeRunDir(runs, 'run-c')).toThrow(/no run "run-c"/);
    expect(() => removeRunDir(runs, '../x')).toThrow(/invalid run id/);
  });
});
