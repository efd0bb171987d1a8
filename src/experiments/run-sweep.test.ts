/**
 * The sweep runner against a stand-in CLI (a small script that "trains" by sleeping and writing a run
 * folder), so scheduling, parallelism and failure handling are tested in milliseconds; test/sweep.test.ts
 * runs real trials through the built CLI.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep, type SweepPlan, sweepSummarySchema } from './index.js';

const FAKE_CLI = `
import { mkdirSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
const value = (flag) => args[args.indexOf(flag) + 1];
const id = value('--run-id');
const overrides = Object.fromEntries(args.filter((a) => a.includes('=')).map((a) => a.split('=')));
if (overrides.fail) { console.error('error: this trial was told to fail'); process.exit(1); }
await new Promise((r) => setTimeout(r, 250));
const split = (ap) => ({ roc_auc: 0.9, average_precision: ap, precision: 0.1, recall: 0.5, f1: 0.2,
  confusion: [[1, 2], [3, 4]], rows: 10, frauds: 2 });
const curves = { roc: { fpr: [], tpr: [], thresholds: [] }, pr: { precision: [], recall: [], thresholds: [] } };
const dir = 'runs/' + id;
mkdirSync(dir, { recursive: true });
writeFileSync(dir + '/evaluation.json', JSON.stringify({
  threshold: { value: 1, strategy: 'x', chosen_on: 'validation' },
  validation: split(Number(overrides.score)), test: split(1 - Number(overrides.score)),
  baselines: { validation: { prevalence_ap: 0.1, roc_auc: 0.5 }, test: { prevalence_ap: 0.1, roc_auc: 0.5 } },
  curves: { validation: curves, test: curves } }));
writeFileSync(dir + '/run.json', JSON.stringify({ id, status: 'completed', model_type: 'fake',
  created_at: new Date().toISOString(), finished_at: null, duration_seconds: 0.25, data_fingerprint: value('--dataset'),
  epochs_run: 3, best_epoch: 3, stopped_early: false, train_rows: 1, val_rows: 1, error: null, timings: {},
  sweep_id: value('--sweep-id') }));
`;

function plan(scores: string[]): SweepPlan {
  return {
    method: 'grid',
    source: '--multirun',
    name: null,
    seed: null,
    fixed: [],
    trials: scores.map((score, i) => ({ index: i + 1, overrides: [`score=${score}`], params: { score } })),
    parallel: null,
  };
}

function maxConcurrent(intervals: [number, number][]): number {
  const events = intervals.flatMap(([a, b]) => [
    [a, 1],
    [b, -1],
  ]);
  events.sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
  let now = 0;
  let most = 0;
  for (const [, step] of events) most = Math.max(most, (now += step!));
  return most;
}

describe('runSweep', () => {
  it('runs every trial in its own process, at most `parallel` at once, and keeps the best by validation AUPRC', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cardwatch-sweep-run-'));
    const cli = join(cwd, 'fake-cli.mjs');
    writeFileSync(cli, FAKE_CLI);
    const starts: number[] = [];
    const summary = await runSweep({
      plan: plan(['0.5', '0.8', '0.6', '0.7']),
      sweepId: 'sweep-test',
      runsDir: join(cwd, 'runs'),
      dataFingerprint: 'f'.repeat(64),
      parallel: 2,
      workersPerTrial: 1,
      cli,
      cwd,
      onTrialStart: (trial) => starts.push(trial.index),
    });
    expect(starts).toEqual([1, 2, 3, 4]);
    expect(summary.status).toBe('completed');
    expect(summary.trials.map((t) => t.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    // Trial 2 has the best validation AUPRC (its test AUPRC is the worst: the test split never chooses).
    expect(summary.best_run_id).toBe(summary.trials[1]!.run_id);
    expect(summary.trials[1]!.validation?.average_precision).toBe(0.8);
    expect(summary.trials[1]!.epochs).toBe(3);
    const intervals = summary.trials.map(
      (t) => [Date.parse(t.started_at!), Date.parse(t.finished_at!)] as [number, number],
    );
    expect(maxConcurrent(intervals)).toBe(2);
    // Four 250 ms trials two at a time take about two rounds, not four.
    expect(summary.wall_seconds!).toBeLessThan(4 * 0.25 + 1.5);
    const stored = sweepSummarySchema.parse(
      JSON.parse(readFileSync(join(cwd, 'runs', 'sweeps', 'sweep-test', 'summary.json'), 'utf8')),
    );
    expect(stored).toEqual(summary);
    // Each trial's run records its sweep, and its output is kept as a log.
    const run = JSON.parse(
      readFileSync(join(cwd, 'runs', summary.trials[0]!.run_id, 'run.json'), 'utf8'),
    ) as {
      sweep_id: string;
    };
    expect(run.sweep_id).toBe('sweep-test');
    expect(
      existsSync(join(cwd, 'runs', 'sweeps', 'sweep-test', 'logs', `${summary.trials[0]!.run_id}.log`)),
    ).toBe(true);
  });

  it('records a failed trial with its error and goes on with the others', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cardwatch-sweep-run-'));
    const cli = join(cwd, 'fake-cli.mjs');
    writeFileSync(cli, FAKE_CLI);
    const failing = plan(['0.5', '0.6']);
    failing.trials[0]!.overrides.push('fail=1');
    const summary = await runSweep({
      plan: failing,
      sweepId: 'sweep-fail',
      runsDir: join(cwd, 'runs'),
      dataFingerprint: 'f'.repeat(64),
      parallel: 4,
      workersPerTrial: 1,
      cli,
      cwd,
    });
    expect(summary.status).toBe('failed');
    expect(summary.trials[0]).toMatchObject({
      status: 'failed',
      error: 'error: this trial was told to fail',
    });
    expect(summary.trials[1]!.status).toBe('completed');
    expect(summary.best_run_id).toBe(summary.trials[1]!.run_id);
  });
});
