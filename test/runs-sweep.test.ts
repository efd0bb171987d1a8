/**
 * Runs, sweeps, reproduction and profiling through the built CLI (`npm run build` first; `npm test` does),
 * on a 20,000-row generated dataset with one epoch per run so the whole file takes seconds.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli, scratchDir } from './cli-helpers.js';

const cwd = scratchDir('cardwatch-runs-');
const runsDir = join(cwd, 'runs');

function runIds(): string[] {
  return readdirSync(runsDir)
    .filter((name) => name.startsWith('run-'))
    .sort();
}

function json<T>(...path: string[]): T {
  return JSON.parse(readFileSync(join(...path), 'utf8')) as T;
}

interface Summary {
  status: string;
  parallel: number;
  workers_per_trial: number | null;
  best_run_id: string;
  trials: {
    run_id: string;
    status: string;
    started_at: string;
    finished_at: string;
    params: Record<string, string>;
    validation: { average_precision: number };
  }[];
}

function maxOverlap(trials: Summary['trials']): number {
  return Math.max(
    ...trials.map((t) => {
      const start = Date.parse(t.started_at);
      return trials.filter((u) => Date.parse(u.started_at) <= start && start < Date.parse(u.finished_at))
        .length;
    }),
  );
}

beforeAll(() => {
  const generate = runCli(cwd, ['data', 'generate', '--rows', '20000']);
  expect(generate.status, generate.stderr).toBe(0);
  const prepare = runCli(cwd, ['data', 'prepare', '--input', 'data/raw/synthetic.csv']);
  expect(prepare.status, prepare.stderr).toBe(0);
});

describe('train --multirun', () => {
  let sweepSummary: Summary;

  it('without --multirun, still refuses a comma in an override', () => {
    const result = runCli(cwd, ['train', 'training.lr=0.001,0.003']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /a comma separates multirun values; sweeps are not available in this command/,
    );
    expect(existsSync(runsDir)).toBe(false);
  });

  it('runs a 2 × 2 grid as four runs of one sweep, two at a time, and ranks them by validation AUPRC', () => {
    const result = runCli(cwd, [
      'train',
      '--multirun',
      '--parallel',
      '2',
      'training.lr=0.001,0.003',
      'model.hidden_dim=16,32',
      'training.epochs=1',
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr.match(/^\[\d\/4\] start /gm)).toHaveLength(4);
    expect(result.stderr.match(/^\[\d\/4\] done {4}run-\S+ {2}val AUPRC 0\.\d{4}/gm)).toHaveLength(4);
    expect(result.stderr).toMatch(/\(4\/4 finished\)/);
    expect(result.stdout).toMatch(/training\.lr\s+model\.hidden_dim\s+val AUPRC\s+val ROC AUC\s+test AUPRC/);
    expect(result.stdout).toMatch(
      /best by validation AUPRC: run-\S+ \(training\.lr=0\.00\d model\.hidden_dim=\d+\)/,
    );

    const [sweepId] = readdirSync(join(runsDir, 'sweeps'));
    sweepSummary = json<Summary>(runsDir, 'sweeps', sweepId!, 'summary.json');
    expect(sweepSummary).toMatchObject({ status: 'completed', parallel: 2, workers_per_trial: 1 });
    expect(sweepSummary.trials.map((t) => t.params)).toEqual([
      { 'training.lr': '0.001', 'model.hidden_dim': '16' },
      { 'training.lr': '0.001', 'model.hidden_dim': '32' },
      { 'training.lr': '0.003', 'model.hidden_dim': '16' },
      { 'training.lr': '0.003', 'model.hidden_dim': '32' },
    ]);
    expect(maxOverlap(sweepSummary.trials)).toBe(2);
    const best = [...sweepSummary.trials].sort(
      (a, b) => b.validation.average_precision - a.validation.average_precision,
    )[0]!;
    expect(sweepSummary.best_run_id).toBe(best.run_id);
    for (const trial of sweepSummary.trials) {
      expect(json<{ sweep_id: string; status: string }>(runsDir, trial.run_id, 'run.json')).toMatchObject({
        sweep_id: sweepId,
        status: 'completed',
      });
      const config = parseYaml(readFileSync(join(runsDir, trial.run_id, 'config.yaml'), 'utf8')) as {
        training: { workers: number; lr: number };
        model: { hidden_dim: number };
      };
      // One training worker per trial: trials already fill the cores.
      expect(config.training.workers).toBe(1);
      expect(String(config.training.lr)).toBe(trial.params['training.lr']);
      expect(String(config.model.hidden_dim)).toBe(trial.params['model.hidden_dim']);
    }
  });

  it('checks every trial before running any', () => {
    const before = runIds().length;
    const result = runCli(cwd, ['train', '--multirun', 'training.lr=0.001,fast', 'training.epochs=1']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /trial 2 \(training\.lr=fast\): invalid configuration:\n\s+training\.lr: expected a number, got "fast"/,
    );
    expect(runIds()).toHaveLength(before);
  });

  it('runs a seeded random search from a sweep file', () => {
    writeFileSync(
      join(cwd, 'random.yaml'),
      'method: random\ntrials: 2\nseed: 3\noverrides: [training.epochs=1]\nparams:\n  training.lr: {min: 0.0005, max: 0.005, log: true}\n',
    );
    const dry = runCli(cwd, ['sweep', 'random.yaml', '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/2 trials \(random, seed 3\); every trial: training\.epochs=1/);
    const before = runIds().length;
    const result = runCli(cwd, ['sweep', 'random.yaml']);
    expect(result.status, result.stderr).toBe(0);
    expect(runIds()).toHaveLength(before + 2);
    expect(result.stdout).toMatch(/2\/2 trials completed/);
  });
});

describe('runs list / show / compare', () => {
  it('lists runs with metrics and their config changes from the default', () => {
    const result = runCli(cwd, ['runs', 'list']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^run\s+created \(UTC\)\s+status\s+val AUC\s+val AUPRC\s+test AUC\s+test AUPRC\s+epochs\s+time\s+config vs default/,
    );
    expect(result.stdout).toMatch(
      /completed\s+0\.\d{4}\s+0\.\d{4}\s+0\.\d{4}\s+0\.\d{4}\s+1\s+[\d.]+ s\s+.*model\.hidden_dim=16 .*training\.lr=0\.003/,
    );
    const [sweepId] = readdirSync(join(runsDir, 'sweeps')).sort();
    const ofSweep = runCli(cwd, ['runs', 'list', '--sweep', sweepId!]);
    expect(ofSweep.stdout.trim().split('\n')).toHaveLength(1 + 4);
  });

  it('shows a run: config, metrics, curves as sparklines and SVG paths, provenance', () => {
    const id = runIds()[0]!;
    const result = runCli(cwd, ['runs', 'show', id]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^run ${id} — completed, autoencoder`));
    expect(result.stdout).toMatch(/^\* training\.epochs\s+1$/m);
    expect(result.stdout).toMatch(/AUPRC\s+0\.\d{4}\s+0\.\d{4}/);
    expect(result.stdout).toMatch(/train loss [▁▂▃▄▅▆▇█]+ {2}[\d.]+ → [\d.]+/);
    expect(result.stdout).toMatch(/plots: runs\/run-\S+\/plots\/loss\.svg/);
    expect(result.stdout).toMatch(/training {4}seed 42, 1 worker\(s\)/);
    expect(result.stdout).toMatch(/weights {5}sha256 [0-9a-f]{64}/);
  });

  it('compares two runs: config differences and metric deltas', () => {
    // Two runs of the grid with different hidden_dim (run ids sort by time, not by grid position).
    const hiddenDim = (id: string) =>
      /^\s+hidden_dim: (\d+)$/m.exec(readFileSync(join(runsDir, id, 'config.yaml'), 'utf8'))?.[1];
    const ids = runIds();
    const a = ids[0]!;
    const b = ids.find((id) => hiddenDim(id) !== hiddenDim(a));
    expect(b, 'a run with another hidden_dim').toBeDefined();
    const result = runCli(cwd, ['runs', 'compare', a, b!]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/model\.hidden_dim\s+(16\s+32|32\s+16)/);
    expect(result.stdout).toMatch(/validation AUPRC\s+0\.\d{4}\s+0\.\d{4}\s+[+-]0\.\d{4}/);
    expect(result.stdout).toMatch(/same data: yes; same weights: no/);
  });
});

describe('cardwatch reproduce', () => {
  it('re-runs a run and finds it bit-identical', () => {
    const id = runIds()[0]!;
    const result = runCli(cwd, ['reproduce', id]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/weights sha256\s+[0-9a-f]{16}…\s+[0-9a-f]{16}…\s+yes/);
    expect(result.stdout).toMatch(/verdict: REPRODUCED — run-\S+ is bit-identical to /);
    const again = runIds().at(-1)!;
    expect(json<{ reproduces: string }>(runsDir, again, 'run.json').reproduces).toBe(id);
  });

  it('exits non-zero with the differences when the outcome differs', () => {
    const id = runIds()[1]!;
    const path = join(runsDir, id, 'run.json');
    const record = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...record, weights_sha256: '0'.repeat(64) }));
    const result = runCli(cwd, ['reproduce', id]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/weights sha256\s+0{64}\s+[0-9a-f]{64}\s+NO/);
    expect(result.stdout).toMatch(/verdict: DIFFERENT — 1 of \d+ checks differ \(weights sha256\)/);
  });

  it('says how to get the dataset back when it is gone', () => {
    renameSync(join(cwd, 'data', 'prepared'), join(cwd, 'data', 'prepared-away'));
    try {
      const result = runCli(cwd, ['reproduce', runIds()[0]!]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /trained on prepared dataset [0-9a-f]{12}, which is no longer under data\/prepared/,
      );
      expect(result.stderr).toMatch(/cardwatch data prepare --input data\/raw\/synthetic\.csv/);
    } finally {
      renameSync(join(cwd, 'data', 'prepared-away'), join(cwd, 'data', 'prepared'));
    }
  });
});

describe('runs rm', () => {
  it('asks for --yes, and refuses a run a bundle was exported from unless --force', () => {
    const [exported, plain] = runIds();
    const exportResult = runCli(cwd, ['export', exported!, '--no-int8']);
    expect(exportResult.status, exportResult.stderr).toBe(0);

    const unconfirmed = runCli(cwd, ['runs', 'rm', plain!]);
    expect(unconfirmed.status).toBe(1);
    expect(unconfirmed.stderr).toMatch(/nothing removed: add --yes to delete/);
    expect(existsSync(join(runsDir, plain!))).toBe(true);

    const refused = runCli(cwd, ['runs', 'rm', exported!, plain!, '--yes']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `refusing to remove runs that model bundles were exported from: ${exported} → bundle autoencoder-`,
      ),
    );
    expect(existsSync(join(runsDir, plain!))).toBe(true); // nothing removed, not even the unprotected one

    const removed = runCli(cwd, ['runs', 'rm', plain!, '--yes']);
    expect(removed.status, removed.stderr).toBe(0);
    expect(existsSync(join(runsDir, plain!))).toBe(false);

    const forced = runCli(cwd, ['runs', 'rm', exported!, '--yes', '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/warning: removing runs that bundles were exported from/);
    expect(existsSync(join(runsDir, exported!))).toBe(false);
  });
});

describe('train --profile', () => {
  it('writes a CPU profile, a phase breakdown and its chart into the run', () => {
    const result = runCli(cwd, ['train', '--profile', 'training.epochs=2', 'training.workers=1']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^data: load\s+[\d.]+\s+[\d.]+%$/m);
    expect(result.stderr).toMatch(/^2 epochs \(mean [\d.]+ s\)/m);
    expect(result.stderr).toMatch(/main-thread CPU profile: \d+ samples/);
    const id = runIds().at(-1)!;
    const profile = json<{
      phases: { name: string; seconds: number }[];
      wall_seconds: number;
      cpu_profile: { hotspots: unknown[] };
    }>(runsDir, id, 'profile.json');
    expect(profile.phases.map((p) => p.name)).toEqual([
      'data: load',
      'split',
      'fit: set-up, teardown',
      'epoch 1',
      'epoch 2',
      'evaluate',
      'other (run files, git)',
    ]);
    expect(profile.phases.reduce((a, p) => a + p.seconds, 0)).toBeCloseTo(profile.wall_seconds, 2);
    expect(profile.cpu_profile.hotspots.length).toBeGreaterThan(3);
    const cpuprofile = json<{ nodes: unknown[]; samples: number[] }>(runsDir, id, 'profile.cpuprofile');
    expect(cpuprofile.nodes.length).toBeGreaterThan(10);
    expect(readFileSync(join(runsDir, id, 'plots', 'profile.svg'), 'utf8')).toMatch(/^<svg /);
    const timings = json<{ timings: Record<string, number> }>(runsDir, id, 'run.json').timings;
    expect(Object.keys(timings)).toEqual(['data', 'split', 'fit', 'evaluate']);
  });
});

describe('help', () => {
  it.each([
    ['runs', 'list'],
    ['runs', 'show'],
    ['runs', 'compare'],
    ['runs', 'rm'],
    ['reproduce'],
    ['sweep'],
    ['train'],
  ])('documents %s %s', (...command) => {
    const help = runCli(cwd, [...command.filter(Boolean), '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cardwatch /);
  });

  it('shows the sweep options of train and the sweep file format', () => {
    expect(runCli(cwd, ['train', '--help']).stdout).toMatch(
      /--multirun[\s\S]*--parallel <n>[\s\S]*--profile[\s\S]*--dataset/,
    );
    expect(runCli(cwd, ['sweep', '--help']).stdout).toMatch(/method: random[\s\S]*validation AUPRC/);
  });
});
