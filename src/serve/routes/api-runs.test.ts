import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { EvaluationReport, SplitMetrics } from '../../evaluate/report-schema.js';
import { createRunDir } from '../../runs/index.js';
import type { RunRecord } from '../../runs/index.js';
import { closeHarnesses, expectError, harness, tempFolder } from '../__fixtures__/harness.js';
import type { RunDetail, RunList } from './api-runs.js';

afterEach(closeHarnesses);

const DEFAULTS = { seed: 42, model: { type: 'autoencoder', hidden_dim: 32 }, training: { lr: 0.001 } };

function split(rocAuc: number, ap: number): SplitMetrics {
  return {
    roc_auc: rocAuc,
    average_precision: ap,
    precision: 0.5,
    recall: 0.6,
    f1: 0.55,
    confusion: [
      [90, 5],
      [4, 6],
    ],
    rows: 105,
    frauds: 10,
  };
}

function report(testAp: number): EvaluationReport {
  const curves = {
    roc: { fpr: [0, 0.1, 1], tpr: [0, 0.8, 1], thresholds: [null, 2, 0] },
    pr: { precision: [0.1, 0.6, 1], recall: [1, 0.8, 0], thresholds: [0, 2] },
  };
  return {
    threshold: { value: 1.5, strategy: 'normal_percentile(95) on validation', chosen_on: 'validation' },
    validation: split(0.9, 0.5),
    test: split(0.92, testAp),
    baselines: {
      validation: { prevalence_ap: 0.1, roc_auc: 0.5 },
      test: { prevalence_ap: 0.1, roc_auc: 0.5 },
    },
    curves: { validation: curves, test: curves },
  };
}

function writeRun(runsDir: string, id: string, config: object, evaluation: EvaluationReport | null): void {
  const run = createRunDir(runsDir, id);
  const record: RunRecord = {
    id,
    status: evaluation === null ? 'failed' : 'completed',
    model_type: 'autoencoder',
    created_at: '2026-11-26T10:00:00.000Z',
    finished_at: '2026-11-26T10:01:00.000Z',
    duration_seconds: 60,
    data_fingerprint: 'fp',
    epochs_run: 2,
    best_epoch: 2,
    stopped_early: false,
    train_rows: 100,
    val_rows: 20,
    error: null,
    timings: {},
  };
  run.writeJson('run.json', record);
  run.writeText('config.yaml', stringify(config));
  run.appendJsonLine('metrics.jsonl', { epoch: 1, train_loss: 1.2, val_loss: 1.3 });
  run.appendJsonLine('metrics.jsonl', {
    epoch: 2,
    train_loss: 0.9,
    val_loss: 1.0,
    val_average_precision: 0.4,
  });
  if (evaluation !== null) run.writeJson('evaluation.json', evaluation);
}

async function app() {
  const runsDir = tempFolder('api-runs');
  writeRun(runsDir, 'run-20261126-100000-aaaa', DEFAULTS, report(0.4));
  writeRun(runsDir, 'run-20261126-110000-bbbb', { ...DEFAULTS, training: { lr: 0.003 } }, report(0.45));
  writeRun(runsDir, 'run-20261126-120000-cccc', DEFAULTS, null);
  return (await harness({ app: { runsDir, defaultConfig: DEFAULTS } })).app;
}

describe('GET /api/runs', () => {
  it('lists the runs newest first with their changes from the default and their scores', async () => {
    const res = await (await app()).inject({ method: 'GET', url: '/api/runs' });
    expect(res.statusCode).toBe(200);
    const { runs } = res.json<RunList>();
    expect(runs.map((r) => r.id)).toEqual([
      'run-20261126-120000-cccc',
      'run-20261126-110000-bbbb',
      'run-20261126-100000-aaaa',
    ]);
    expect(runs[1]?.changes).toEqual([{ key: 'training.lr', value: '0.003', default: '0.001' }]);
    expect(runs[1]?.test).toEqual({ roc_auc: 0.92, average_precision: 0.45 });
    expect(runs[2]?.changes).toEqual([]);
    // A failed run has no evaluation: it is listed, with null scores.
    expect(runs[0]?.status).toBe('failed');
    expect(runs[0]?.validation).toBeNull();
  });

  it('does not exist when the server has no runs folder', async () => {
    const { app: plain } = await harness();
    expectError(await plain.inject({ method: 'GET', url: '/api/runs' }), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('GET /api/runs/:id', () => {
  it('returns the loss per epoch and the evaluation with its curves', async () => {
    const res = await (await app()).inject({ method: 'GET', url: '/api/runs/run-20261126-110000-bbbb' });
    expect(res.statusCode).toBe(200);
    const run = res.json<RunDetail>();
    expect(run.epochs).toEqual([
      { epoch: 1, train_loss: 1.2, val_loss: 1.3, val_average_precision: null },
      { epoch: 2, train_loss: 0.9, val_loss: 1.0, val_average_precision: 0.4 },
    ]);
    expect(run.evaluation?.curves.test.pr.recall).toEqual([1, 0.8, 0]);
    expect(run.record?.duration_seconds).toBe(60);
  });

  it('names the known runs for an unknown id and refuses ids that are not run ids', async () => {
    const server = await app();
    const message = expectError(
      await server.inject({ method: 'GET', url: '/api/runs/run-nope' }),
      404,
      'RUN_NOT_FOUND',
    );
    expect(message).toContain('run-20261126-120000-cccc');
    expectError(await server.inject({ method: 'GET', url: '/api/runs/..%2F..%2Fetc' }), 400, 'INVALID_INPUT');
  });
});
