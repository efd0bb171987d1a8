/**
 * `cardwatch monitor drift` as a user runs it (the built CLI in a scratch folder): a small model is trained and
 * exported, then data generated with and without `--drift` is compared with its reference sample.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDriftSpec } from '../src/data/drift-spec.js';
import { driftReportSchema, qualityReportSchema } from '../src/monitor/report-schema.js';
import { syntheticTable } from '../src/monitor/synthetic-table.js';
import { newPredictionId, openPredictionLog } from '../src/predictions/index.js';
import { runCli, scratchDir } from './cli-helpers.js';

const SHIFT =
  'V1:shift=2,V4:scale=1.5,V7:shift=-1,V10:shift=1,V12:shift=1,V14:shift=-2,V17:shift=1,V3:shift=1,V2:shift=1,V5:shift=-1,V9:shift=1,V11:shift=1,V16:shift=1,V18:shift=1,V19:shift=1';

describe('cardwatch monitor drift', () => {
  const cwd = scratchDir('cardwatch-monitor-');

  beforeAll(() => {
    const train = runCli(cwd, [
      'train',
      'data.synthetic_rows=20000',
      'training.epochs=2',
      'training.workers=1',
    ]);
    expect(train.status, train.stderr).toBe(0);
    const exported = runCli(cwd, ['export', '--promote']);
    expect(exported.status, exported.stderr).toBe(0);
    for (const [file, drift] of [
      ['fresh.csv', null],
      ['drifted.csv', SHIFT],
    ] as const) {
      const args = ['data', 'generate', '--rows', '20000', '--seed', '99', '--out', file];
      const generated = runCli(cwd, drift === null ? args : [...args, '--drift', drift]);
      expect(generated.status, generated.stderr).toBe(0);
    }
  }, 120_000);

  it('exits 0 on a fresh sample and writes drift.json and drift.html under the data folder', () => {
    const result = runCli(cwd, ['monitor', 'drift', '--current', 'fresh.csv']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^no dataset drift: 0 of 30 columns drifted/);
    const report = driftReportSchema.parse(
      JSON.parse(readFileSync(join(cwd, 'data/monitoring/drift.json'), 'utf8')),
    );
    expect(report.features.map((f) => f.name)).toContain('score');
    const html = readFileSync(join(cwd, 'data/monitoring/drift.html'), 'utf8');
    expect(html).toContain('No dataset drift');
    expect(html).toMatch(/<svg [^>]*aria-label="V1: reference vs current"/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('exits 1 on shifted data, naming the shifted columns first', () => {
    const result = runCli(cwd, ['monitor', 'drift', '--current', 'drifted.csv', '--out', 'reports']);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^DATASET DRIFT: \d+ of 30 columns drifted/);
    expect(result.stdout).toMatch(/\nV14 +yes +wasserstein/);
    expect(existsSync(join(cwd, 'reports/drift.html'))).toBe(true);
  });

  it('reads the prediction log: drift of its newest rows, and quality from their feedback', async () => {
    const aliases = JSON.parse(readFileSync(join(cwd, 'models/aliases.json'), 'utf8')) as {
      production: string;
    };
    const table = syntheticTable({ rows: 3000, seed: 5, drift: parseDriftSpec(SHIFT) });
    const log = openPredictionLog({ path: join(cwd, 'data/predictions.sqlite') });
    const v = Array.from({ length: 28 }, (_, j) => table.columns.get(`V${j + 1}`)!);
    const ids: string[] = [];
    const start = Date.now() - 10_000;
    for (let r = 0; r < table.rows; r++) {
      const score = table.columns.get('score')![r]!;
      const predictionId = newPredictionId(start + r);
      ids.push(predictionId);
      log.append({
        predictionId,
        createdAt: start + r,
        modelVersion: aliases.production,
        engine: 'float32',
        score,
        threshold: 2,
        isFraud: score > 2,
        latencyMs: 1,
        features: v.map((column) => column[r]!),
      });
    }
    await log.flush();
    for (const [i, id] of ids.slice(0, 100).entries()) await log.recordFeedback(id, i % 10 === 0 ? 1 : 0);
    await log.close();

    const drift = runCli(cwd, ['monitor', 'drift', '--window', '2000', '--out', 'from-log']);
    expect(drift.status, drift.stderr).toBe(1);
    expect(drift.stdout).toMatch(/current 2000 rows \(prediction log, newest 2000 predictions\)/);
    // The log holds V1..V28 and the score but no Amount here: Amount is reported as not compared.
    expect(drift.stdout).toMatch(/not compared: Amount/);

    const quality = runCli(cwd, ['monitor', 'quality', '--json']);
    expect(quality.status, quality.stderr).toBe(0);
    const report = qualityReportSchema.parse(JSON.parse(quality.stdout));
    expect(report.window).toMatchObject({ predictions: 3000, labelled: 100 });
    expect(report.labels).toEqual({ fraud: 10, legit: 90 });
    expect(report.model_version).toBe(aliases.production);
    expect(report.expected_alert_rate).toBeGreaterThan(0);
  });

  it('explains bad input without a stack trace', () => {
    const spec = runCli(cwd, ['data', 'generate', '--drift', 'V1:tilt=2']);
    expect(spec.status).toBe(1);
    expect(spec.stderr).toBe(
      'error: --drift "V1:tilt=2": unknown operation "tilt" in "V1:tilt=2"; use shift or scale\n',
    );
    const noLog = runCli(cwd, ['monitor', 'drift', '--window', '5', '--log', 'data/none.sqlite']);
    expect(noLog.status).toBe(1);
    expect(noLog.stderr).toMatch(
      /^error: no prediction log at data\/none.sqlite: .*\(or pass --current FILE\)/,
    );
    const both = runCli(cwd, ['monitor', 'drift', '--current', 'fresh.csv', '--window', '5']);
    expect(both.stderr).toMatch(/alternatives: give one/);
    const window = runCli(cwd, ['monitor', 'quality', '--window', 'lots']);
    expect(window.stderr).toMatch(/--window must be a whole number/);
  });
});
