import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintBuffer } from '../data/index.js';
import { formatDataStatus } from './format.js';
import { dataStatus, type StatusPaths } from './status.js';

function scratch(): StatusPaths {
  const root = mkdtempSync(join(tmpdir(), 'cardwatch-lineage-'));
  return {
    preparedDir: join(root, 'data', 'prepared'),
    runsDir: join(root, 'runs'),
    modelsDir: join(root, 'models'),
    syntheticPath: join(root, 'data', 'raw', 'synthetic.csv'),
  };
}

function writeRun(runsDir: string, id: string, fingerprint: string): void {
  mkdirSync(join(runsDir, id), { recursive: true });
  writeFileSync(
    join(runsDir, id, 'run.json'),
    JSON.stringify({
      id,
      status: 'completed',
      model_type: 'autoencoder',
      created_at: '2026-11-27T00:00:00.000Z',
      finished_at: null,
      duration_seconds: null,
      data_fingerprint: fingerprint,
      epochs_run: 1,
      best_epoch: 1,
      stopped_early: false,
      train_rows: 1,
      val_rows: 1,
      error: null,
      timings: {},
    }),
  );
}

describe('dataStatus', () => {
  it('with nothing at all: no datasets, no current data, verdict unknown', async () => {
    const status = await dataStatus(scratch());
    expect(status).toMatchObject({ datasets: [], current: null, production: null, verdict: 'unknown' });
    expect(status.production_error).toMatch(/no bundles yet/);
    expect(formatDataStatus(status)).toMatch(/^no datasets: /);
  });

  it('an unprepared built-in CSV is the current data, named by its sha256', async () => {
    const paths = scratch();
    mkdirSync(join(paths.syntheticPath, '..'), { recursive: true });
    const bytes = new TextEncoder().encode('Time,V1\n0,1\n');
    writeFileSync(paths.syntheticPath, bytes);
    const status = await dataStatus(paths);
    expect(status.current).toEqual({
      kind: 'csv',
      fingerprint: fingerprintBuffer(bytes),
      path: paths.syntheticPath,
      source_state: null,
      source_fingerprint: null,
    });
    expect(formatDataStatus(status)).toContain('not prepared yet; train prepares it');
  });

  it('lists a fingerprint that only a run remembers, as not prepared here', async () => {
    const paths = scratch();
    const gone = 'a'.repeat(64);
    writeRun(paths.runsDir, 'run-1', gone);
    writeRun(paths.runsDir, 'run-2', gone);
    const status = await dataStatus(paths);
    expect(status.datasets).toEqual([
      {
        fingerprint: gone,
        prepared: false,
        dir: null,
        current: false,
        rows: null,
        frauds: null,
        source: null,
        prepared_at: null,
        runs: ['run-1', 'run-2'],
        bundles: [],
      },
    ]);
    expect(formatDataStatus(status)).toMatch(/aaaaaaaaaaaa .*\(not prepared here\) .* run-1, run-2/);
  });
});
