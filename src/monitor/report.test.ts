/**
 * Drift verdicts end to end on the synthetic generator: shifted data is flagged, a fresh sample of the same
 * distribution is not, under both of Evidently's default tests (KS for small references, Wasserstein above).
 */
import { describe, expect, it } from 'vitest';
import { parseDriftSpec } from '../data/drift-spec.js';
import { falseAlarmRate } from './false-alarms.js';
import { driftPreset, parseDriftOptions } from './preset.js';
import { computeDrift, runDriftReport } from './report.js';
import { driftReportSchema } from './report-schema.js';
import { syntheticTable } from './synthetic-table.js';
import { SCORE_COLUMN, type MonitorTable } from './table.js';

const input = (reference: MonitorTable, current: MonitorTable) => ({
  reference,
  current,
  referenceSource: 'synthetic reference',
  currentSource: 'synthetic current',
  modelVersion: 'm-test',
  now: new Date('2026-01-01T00:00:00Z'),
});

describe('drift verdicts on synthetic data', () => {
  const reference = syntheticTable({ rows: 5000, seed: 11 });
  const smallReference = syntheticTable({ rows: 800, seed: 11 });
  const fresh = syntheticTable({ rows: 10_000, seed: 12 });
  const shifted = syntheticTable({
    rows: 10_000,
    seed: 12,
    drift: parseDriftSpec(
      Array.from({ length: 20 }, (_, i) => `V${i + 1}:shift=1`).join(',') + ',Amount:scale=2',
    ),
  });

  it('a fresh sample of the same distribution is not drift (Wasserstein, 5,000 reference rows)', () => {
    const report = computeDrift(input(reference, fresh));
    expect(report.dataset.drift).toBe(false);
    expect(report.dataset.drifted_features).toBe(0);
    expect(report.features.every((f) => f.method === 'wasserstein')).toBe(true);
    expect(report.dataset.features).toBe(30);
    expect(() => driftReportSchema.parse(report)).not.toThrow();
    // Display histograms: 20 bins, each side's shares sum to 1 (the tails are folded into the end bins).
    for (const feature of report.features) {
      expect(feature.histogram.edges).toHaveLength(21);
      const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
      expect(sum(feature.histogram.reference)).toBeCloseTo(1, 9);
      expect(sum(feature.histogram.current)).toBeCloseTo(1, 9);
    }
  });

  it('shifted features are drift, flagged by name and sorted first', () => {
    const report = computeDrift(input(reference, shifted));
    expect(report.dataset.drift).toBe(true);
    const drifted = new Set(report.features.filter((f) => f.drift).map((f) => f.name));
    for (let i = 1; i <= 20; i++) expect(drifted.has(`V${i}`)).toBe(true);
    expect(drifted.has('Amount')).toBe(true);
    // The untouched columns stay quiet.
    for (let i = 21; i <= 28; i++) expect(drifted.has(`V${i}`)).toBe(false);
    expect(report.features[0]!.drift).toBe(true);
    const severities = report.features.map((f) => f.severity);
    expect(severities).toEqual([...severities].sort((a, b) => b - a));
    expect(report.dataset.drift_share).toBeCloseTo(report.dataset.drifted_features / 30, 12);
  });

  it('KS is used for references of at most 1,000 rows, with the same verdicts', () => {
    const quiet = computeDrift(input(smallReference, fresh));
    expect(quiet.features.every((f) => f.method === 'ks')).toBe(true);
    expect(quiet.dataset.drift).toBe(false);
    const loud = computeDrift(input(smallReference, shifted));
    expect(loud.dataset.drift).toBe(true);
    expect(loud.features.find((f) => f.name === 'V1')!.score).toBeLessThan(1e-6);
  });

  it('a small shift of one feature drifts that feature but not the dataset (50% rule)', () => {
    const one = syntheticTable({ rows: 10_000, seed: 12, drift: parseDriftSpec('V3:shift=1') });
    const report = computeDrift(input(reference, one));
    expect(report.features[0]!.name).toBe('V3');
    expect(report.dataset.drifted_features).toBe(1);
    expect(report.dataset.drift).toBe(false);
    // …and with a low enough share threshold it is.
    expect(computeDrift(input(reference, one), { drift_share: 0.03 }).dataset.drift).toBe(true);
  });

  it('columns missing on one side are skipped with a reason, not compared', () => {
    const columns = new Map(fresh.columns);
    columns.set('Amount', new Float64Array(fresh.rows).fill(Number.NaN));
    columns.delete(SCORE_COLUMN);
    const report = computeDrift(input(reference, { rows: fresh.rows, columns }));
    expect(report.dataset.features).toBe(28);
    expect(report.skipped).toEqual([
      { name: 'Amount', reason: 'no finite current values (not logged for this model)' },
      { name: 'score', reason: 'not in the current data' },
    ]);
  });

  it('an empty current window is an error, not a false all-clear', () => {
    expect(() => computeDrift(input(reference, { rows: 0, columns: new Map() }))).toThrow(/has no rows/);
  });

  it('the preset is one value metric per column plus the dataset metric; bad options are named', () => {
    const specs = driftPreset(parseDriftOptions());
    expect(specs).toHaveLength(31);
    expect(specs.at(-1)!.metric).toBe('dataset_drift');
    expect(() => parseDriftOptions({ drift_share: 0 })).toThrow(/drift_share/);
    expect(() => runDriftReport(input(reference, fresh), specs.slice(0, 2))).toThrow(/dataset_drift/);
  });
});

describe('false alarms over repeated seeds', () => {
  it('no dataset drift on same-distribution samples, and few column alarms', () => {
    const result = falseAlarmRate({ referenceRows: 5000, currentRows: 5000, seeds: 6 });
    expect(result.method).toBe('wasserstein');
    expect(result.datasetAlarms).toBe(0);
    expect(result.columnAlarmRate).toBeLessThan(0.05);
  });

  it('with KS (small reference) column alarms stay near the 5% significance level', () => {
    const result = falseAlarmRate({ referenceRows: 500, currentRows: 2000, seeds: 6 });
    expect(result.method).toBe('ks');
    expect(result.datasetAlarms).toBe(0);
    expect(result.columnAlarmRate).toBeLessThan(0.12);
  });
});
