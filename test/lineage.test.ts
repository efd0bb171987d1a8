/**
 * Data lineage and the promotion gate from the CLI, as a user types them: two datasets, two runs, two bundles;
 * `data status` says who used what and whether production matches the current data; `models gate` scores
 * both bundles on the same held-out rows and fails the worse one.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, scratchDir } from './cli-helpers.js';

interface StatusJson {
  verdict: string;
  reason: string;
  current: { kind: string; fingerprint: string; source_state: string | null } | null;
  production: { id: string; fingerprint: string | null } | null;
  datasets: {
    fingerprint: string;
    current: boolean;
    rows: number;
    runs: string[];
    bundles: { id: string }[];
  }[];
}

interface GateJson {
  passed: boolean;
  drop: number;
  rows: number;
  candidate: { id: string; metrics: { average_precision: number } };
  baseline: { id: string; metrics: { average_precision: number } };
}

function ok(cwd: string, args: string[]): string {
  const result = runCli(cwd, args);
  expect(result.status, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

const small = ['training.epochs=1', 'training.workers=1'];

describe('cardwatch data status and models gate', () => {
  const cwd = scratchDir('cardwatch-lineage-');
  let first = '';
  let second = '';
  let fingerprint = '';

  beforeAll(() => {
    ok(cwd, ['data', 'generate', '--rows', '12000', '--out', 'data/raw/a.csv']);
    fingerprint = /prepared ([0-9a-f]{64})/.exec(
      ok(cwd, ['data', 'prepare', '--input', 'data/raw/a.csv']),
    )![1]!;
    const runA = /run (run-\S+)/.exec(ok(cwd, ['train', ...small]))![1]!;
    first = /production → (\S+)/.exec(ok(cwd, ['export', runA, '--promote', '--no-int8']))![1]!;
    // A deliberately different network, so the two bundles score differently.
    const runB = /run (run-\S+)/.exec(
      ok(cwd, ['train', ...small, 'model.hidden_dim=4', 'model.latent_dim=2']),
    )![1]!;
    second = /bundle (\S+)/.exec(ok(cwd, ['export', runB, '--no-int8']))![1]!;
  }, 300_000);

  it('lists the dataset with both runs and both bundles, and production matches the current data', () => {
    const status = JSON.parse(ok(cwd, ['data', 'status', '--json'])) as StatusJson;
    expect(status.datasets).toHaveLength(1);
    const dataset = status.datasets[0]!;
    expect(dataset).toMatchObject({ fingerprint, current: true, rows: 12000 });
    expect(dataset.runs).toHaveLength(2);
    expect(dataset.bundles.map((b) => b.id).sort()).toEqual([first, second].sort());
    expect(status.production).toEqual({ alias: 'production', id: first, fingerprint });
    expect(status.verdict).toBe('same');
    expect(ok(cwd, ['data', 'status', '--check'])).toMatch(/^verdict: same/m);
  });

  it('fails the worse bundle and passes the better one on the same held-out rows', () => {
    const gate = (candidate: string, baseline: string) =>
      runCli(cwd, [
        'models',
        'gate',
        '--candidate',
        candidate,
        '--baseline',
        baseline,
        '--max-drop',
        '0',
        '--json',
      ]);
    const ab = gate(first, second);
    const ba = gate(second, first);
    const abJson = JSON.parse(ab.stdout) as GateJson;
    const baJson = JSON.parse(ba.stdout) as GateJson;
    // Same rows, same scores: each direction sees the other's numbers.
    expect(abJson.rows).toBe(baJson.rows);
    expect(abJson.candidate.metrics).toEqual(baJson.baseline.metrics);
    expect(abJson.drop).toBeCloseTo(-baJson.drop, 12);
    expect(abJson.drop).not.toBe(0);
    const worse = abJson.drop > 0 ? ab : ba;
    const better = abJson.drop > 0 ? ba : ab;
    expect(worse.status).toBe(1);
    expect(better.status).toBe(0);
    // A margin wider than the difference lets the worse one through; the table names the verdict.
    const lenient = runCli(cwd, [
      'models',
      'gate',
      '--candidate',
      abJson.drop > 0 ? first : second,
      '--baseline',
      abJson.drop > 0 ? second : first,
      '--max-drop',
      String(Math.abs(abJson.drop) + 0.001),
    ]);
    expect(lenient.status, lenient.stderr).toBe(0);
    expect(lenient.stdout).toMatch(/^gate PASSED: AUPRC dropped by/m);
  });

  it('refuses a bad margin and an unknown bundle with a clear message', () => {
    const margin = runCli(cwd, ['models', 'gate', '--baseline', first, '--max-drop', '-1']);
    expect(margin.status).toBe(1);
    expect(margin.stderr).toMatch(/--max-drop must be a number in \[0, 1\), got -1/);
    const unknown = runCli(cwd, ['models', 'gate', '--baseline', 'nope']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no model bundle or alias "nope"/);
  });

  it('says the data differs once another dataset is current, and when a source CSV changes', () => {
    ok(cwd, ['data', 'generate', '--rows', '12000', '--seed', '7', '--out', 'data/raw/b.csv']);
    ok(cwd, ['data', 'prepare', '--input', 'data/raw/b.csv']);
    const differs = runCli(cwd, ['data', 'status', '--check']);
    expect(differs.status).toBe(1);
    expect(differs.stdout).toMatch(
      /^verdict: differs — the current data \([0-9a-f]{12}\) is not what production/m,
    );
    const status = JSON.parse(ok(cwd, ['data', 'status', '--json'])) as StatusJson;
    expect(status.datasets.map((d) => d.current)).toEqual([false, true]);

    // Back to the first dataset, then edit its CSV: production still matches the dataset, not the file.
    ok(cwd, ['data', 'prepare', '--input', 'data/raw/a.csv']);
    expect(ok(cwd, ['data', 'status'])).toMatch(/source data\/raw\/a.csv unchanged/);
    appendFileSync(
      join(cwd, 'data/raw/a.csv'),
      readFileSync(join(cwd, 'data/raw/a.csv'), 'utf8').split('\n')[1] + '\n',
    );
    const changed = runCli(cwd, ['data', 'status', '--check']);
    expect(changed.status).toBe(1);
    expect(changed.stdout).toMatch(/source data\/raw\/a.csv CHANGED/);
    expect(changed.stdout).toMatch(/data prepare --input data\/raw\/a.csv/);
  });
});
