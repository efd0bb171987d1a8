import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { validateConfig } from '../config/index.js';
import { collectProvenance, createRunDir, type RunRecord, type RunSummary } from '../runs/index.js';
import { compareReproduction, prepareReproduction } from './index.js';

const RECORD: RunRecord = {
  id: 'run-a',
  status: 'completed',
  model_type: 'autoencoder',
  created_at: '2026-01-02T03:04:05.000Z',
  finished_at: null,
  duration_seconds: 1,
  data_fingerprint: 'f'.repeat(64),
  epochs_run: 2,
  best_epoch: 2,
  stopped_early: false,
  train_rows: 10,
  val_rows: 5,
  error: null,
  timings: {},
  weights_sha256: 'a'.repeat(64),
};

function summary(overrides: Partial<RunSummary> = {}): RunSummary {
  const split = {
    roc_auc: 0.91,
    average_precision: 0.7,
    precision: 0.2,
    recall: 0.8,
    f1: 0.32,
    confusion: [
      [1, 2],
      [3, 4],
    ] as [[number, number], [number, number]],
    rows: 10,
    frauds: 2,
  };
  const curves = {
    roc: { fpr: [], tpr: [], thresholds: [] },
    pr: { precision: [], recall: [], thresholds: [] },
  };
  return {
    id: 'run-a',
    dir: '/nowhere',
    record: RECORD,
    config: {},
    evaluation: {
      threshold: { value: 1.5, strategy: 'x', chosen_on: 'validation' },
      validation: split,
      test: { ...split },
      baselines: {
        validation: { prevalence_ap: 0.1, roc_auc: 0.5 },
        test: { prevalence_ap: 0.1, roc_auc: 0.5 },
      },
      curves: { validation: curves, test: curves },
    },
    epochs: [
      { epoch: 1, train_loss: 0.9, val_loss: 0.95 },
      { epoch: 2, train_loss: 0.8, val_loss: 0.85 },
    ],
    provenance: collectProvenance({ seed: 42, dataFingerprint: 'f'.repeat(64), workers: 2 }),
    weightsSha256: 'a'.repeat(64),
    problems: [],
    ...overrides,
  };
}

describe('compareReproduction', () => {
  it('is identical when every loss, metric and the weights hash match exactly', () => {
    const verdict = compareReproduction(summary(), summary({ id: 'run-b' }));
    expect(verdict.identical).toBe(true);
    expect(verdict.checks.every((c) => c.same)).toBe(true);
    expect(verdict.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['weights sha256', 'val loss per epoch', 'validation AUPRC', 'test ROC AUC']),
    );
  });

  it('names what differs, down to the first differing epoch and the last bit', () => {
    const again = summary({
      epochs: [
        { epoch: 1, train_loss: 0.9, val_loss: 0.95 },
        { epoch: 2, train_loss: 0.8000000000000002, val_loss: 0.85 },
      ],
      weightsSha256: 'b'.repeat(64),
    });
    const verdict = compareReproduction(summary(), again);
    expect(verdict.identical).toBe(false);
    const differing = verdict.checks.filter((c) => !c.same);
    expect(differing.map((c) => c.name)).toEqual(['train loss per epoch', 'weights sha256']);
    expect(differing[0]).toMatchObject({
      original: 'epoch 2: 0.8',
      reproduction: 'epoch 2: 0.8000000000000002',
    });
  });

  it('notes environment changes that could explain a difference', () => {
    const base = summary();
    const moved = summary({
      provenance: { ...base.provenance!, node_version: 'v99.0.0', workers: 1, git_commit: 'abc' },
    });
    const notes = compareReproduction(base, moved).notes.join('\n');
    expect(notes).toMatch(/Node\.js .* then, v99\.0\.0 now/);
    expect(notes).toMatch(/workers: 2 then, 1 now/);
    expect(notes).toMatch(/commit .* then, abc now/);
  });
});

describe('prepareReproduction', () => {
  function runWith(record: RunRecord, preparedDir: string) {
    const runs = mkdtempSync(join(tmpdir(), 'cardwatch-reproduce-'));
    const run = createRunDir(runs, record.id);
    run.writeJson('run.json', record);
    run.writeText('config.yaml', toYaml(validateConfig({ data: { prepared_dir: preparedDir } })));
    run.writeJson('provenance.json', {
      ...collectProvenance({ seed: 42, dataFingerprint: record.data_fingerprint, workers: 2 }),
      data_source: 'data/raw/creditcard.csv',
    });
    return runs;
  }

  it('explains how to get a vanished dataset back', () => {
    const runs = runWith(RECORD, join(tmpdir(), 'no-prepared-data-here'));
    expect(() => prepareReproduction(runs, 'run-a')).toThrow(
      /run run-a trained on prepared dataset ffffffffffff, which is no longer under .*\n.*cardwatch data prepare --input data\/raw\/creditcard\.csv/,
    );
  });

  it('refuses a run that did not complete', () => {
    const runs = runWith({ ...RECORD, status: 'failed' }, 'data/prepared');
    expect(() => prepareReproduction(runs, 'run-a')).toThrow(/cannot be reproduced: its status is failed/);
    expect(() => prepareReproduction(runs, 'run-zzz')).toThrow(/no run "run-zzz"/);
  });
});
