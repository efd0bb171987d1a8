/**
 * GET /drift and GET /quality through the app: a real prediction log filled by POST /predict/batch, a models
 * folder holding the fake model's reference sample, feedback through POST /feedback, and the gauges.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatReferenceCsv } from '../../bundle/reference-sample.js';
import { parseDriftSpec, type DriftSpec } from '../../data/drift-spec.js';
import { driftReportSchema, qualityReportSchema } from '../../monitor/report-schema.js';
import { createMonitorService } from '../../monitor/service.js';
import { openPredictionReader } from '../../predictions/index.js';
import { hasMonitorReads, type MonitorReads } from '../../predictions/monitor-queries.js';
import { syntheticTable } from '../../monitor/synthetic-table.js';
import type { MonitorTable } from '../../monitor/table.js';
import { closeHarnesses, expectError, harness, tempFolder } from '../__fixtures__/harness.js';
import { V1_TO_V28 } from '../__fixtures__/fake-scorer.js';
import { monitoringSettings } from './monitoring.js';

const MODEL_ID = 'fake-20260101-000000-abcd';

afterEach(closeHarnesses);

/** A models folder whose fake bundle has a reference sample of V1..V28 and the fake model's score. */
function modelsDirWithReference(reference: MonitorTable): string {
  const modelsDir = tempFolder('models');
  const columns = [...V1_TO_V28, 'score'];
  const rows = new Float32Array(reference.rows * columns.length);
  columns.forEach((name, c) => {
    const values = reference.columns.get(name)!;
    for (let r = 0; r < reference.rows; r++) rows[r * columns.length + c] = values[r]!;
  });
  mkdirSync(join(modelsDir, MODEL_ID));
  writeFileSync(
    join(modelsDir, MODEL_ID, 'reference.bin'),
    formatReferenceCsv({ columns, rows, count: reference.rows }),
  );
  return modelsDir;
}

function rowsOf(rows: number, seed: number, drift?: DriftSpec) {
  const table = syntheticTable({ rows, seed, ...(drift === undefined ? {} : { drift }) });
  return Array.from({ length: rows }, (_, r) => ({
    features: V1_TO_V28.map((name) => table.columns.get(name)![r]!),
    amount: table.columns.get('Amount')![r]!,
  }));
}

async function setup(options: { modelsDir?: string | null; interval?: number } = {}) {
  const modelsDir =
    options.modelsDir === undefined
      ? modelsDirWithReference(syntheticTable({ rows: 2000, seed: 1 }))
      : options.modelsDir;
  return harness({
    withLog: true,
    app: { modelsDir, defaultConfig: { monitoring: { interval_s: options.interval ?? 0 } } },
  });
}

async function send(h: Awaited<ReturnType<typeof setup>>, rows: ReturnType<typeof rowsOf>) {
  const ids: string[] = [];
  for (let start = 0; start < rows.length; start += 1000) {
    const res = await h.app.inject({
      method: 'POST',
      url: '/predict/batch',
      payload: { rows: rows.slice(start, start + 1000) },
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    for (const result of res.json<{ results: { prediction_id: string }[] }>().results) {
      ids.push(result.prediction_id);
    }
  }
  await h.log!.flush();
  return ids;
}

describe('GET /drift', () => {
  it('no drift on a fresh sample, drift on shifted traffic, gauges follow the default window', async () => {
    const h = await setup();
    await send(h, rowsOf(1500, 2));
    const quiet = await h.app.inject({ method: 'GET', url: '/drift' });
    expect(quiet.statusCode, quiet.body.slice(0, 300)).toBe(200);
    const report = driftReportSchema.parse(quiet.json());
    expect(report.model_version).toBe(MODEL_ID);
    expect(report.current.rows).toBe(1500);
    expect(report.dataset.drift).toBe(false);
    expect(report.features.find((f) => f.name === 'score')?.kind).toBe('prediction');

    let metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^cardwatch_dataset_drift 0$/m);
    expect(metrics).toMatch(
      /^cardwatch_feature_drift_score\{feature="V1",method="wasserstein"\} [0-9.e-]+$/m,
    );

    const shift = Array.from({ length: 20 }, (_, i) => `V${i + 1}:shift=1.5`).join(',');
    await send(h, rowsOf(1500, 3, parseDriftSpec(shift)));
    const windowed = driftReportSchema.parse(
      (await h.app.inject({ method: 'GET', url: '/drift?window=1500' })).json(),
    );
    expect(windowed.current.rows).toBe(1500);
    expect(windowed.dataset.drift).toBe(true);
    expect(windowed.features[0]!.drift).toBe(true);
    // A request with its own window leaves the gauges alone…
    metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^cardwatch_dataset_drift 0$/m);
    // …the default window (all 3,000 rows, half of them shifted) moves them.
    await h.app.inject({ method: 'GET', url: '/drift' });
    metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^cardwatch_dataset_drift 1$/m);
    expect(metrics).toMatch(/^cardwatch_feature_drift\{feature="V1"\} 1$/m);
  });

  it('answers clear errors: bad window, empty log, no models folder', async () => {
    const h = await setup();
    expect(
      expectError(await h.app.inject({ method: 'GET', url: '/drift?window=0' }), 400, 'INVALID_INPUT'),
    ).toMatch(/window must be at least 1/);
    expect(expectError(await h.app.inject({ method: 'GET', url: '/drift' }), 400, 'DATA_INVALID')).toMatch(
      /has no rows/,
    );
    expect(
      expectError(await h.app.inject({ method: 'GET', url: '/drift?since=yesterday' }), 400, 'INVALID_INPUT'),
    ).toMatch(/since "yesterday"/);
    const bare = await setup({ modelsDir: null });
    await send(bare, rowsOf(10, 2));
    expect(expectError(await bare.app.inject({ method: 'GET', url: '/drift' }), 503, 'NOT_READY')).toMatch(
      /without a models folder/,
    );
  });
});

describe('the drift worker thread', () => {
  it('gives the same report, byte for byte, as computing in-process', async () => {
    const modelsDir = modelsDirWithReference(syntheticTable({ rows: 2000, seed: 1 }));
    const h = await setup({ modelsDir });
    await send(h, rowsOf(1200, 2));
    const shift = Array.from({ length: 12 }, (_, i) => `V${i + 1}:shift=1`).join(',');
    await send(h, rowsOf(800, 3, parseDriftSpec(shift)));
    const reads = h.log;
    if (!hasMonitorReads(reads)) throw new Error('the SQLite log should offer monitoring reads');
    const service = (driftThread: boolean, from: MonitorReads = reads) =>
      createMonitorService({
        currentModel: () => ({ manifest: h.scorer.manifest }),
        reads: from,
        modelsDir,
        settings: monitoringSettings(null),
        driftThread,
      });
    const inProcess = service(false);
    const threaded = service(true);
    // An empty log: both fail the same way (DATA_INVALID, thrown by the statistics, so on the thread).
    const noRows: MonitorReads = { recent: () => [], window: () => [] };
    const emptyInProcess = service(false, noRows);
    const emptyThreaded = service(true, noRows);
    // generated_at is stamped on the request thread, so one clock gives both the same.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-02-03T04:05:06.789Z') });
    try {
      for (const request of [{}, { window: 900 }, { since: '2000-01-01T00:00:00Z', window: 1500 }]) {
        const expected = JSON.stringify(await inProcess.drift(request));
        expect(JSON.stringify(await threaded.drift(request))).toBe(expected);
      }
      const expected = await emptyInProcess.drift().then(
        () => expect.fail('an empty window should fail'),
        (error: unknown) => error,
      );
      expect(expected).toMatchObject({ code: 'DATA_INVALID', message: expect.stringMatching(/has no rows/) });
      await expect(emptyThreaded.drift()).rejects.toEqual(expected);
    } finally {
      vi.useRealTimers();
      for (const monitor of [inProcess, threaded, emptyInProcess, emptyThreaded]) await monitor.close();
    }
  });
});

describe('GET /quality', () => {
  it('precision, recall and alert rate from feedback labels, by hand', async () => {
    const h = await setup();
    const ids = await send(h, rowsOf(200, 4));
    // Label 40 predictions: fraud for every 4th, so labels and decisions disagree in a known way.
    const labelled = ids.slice(0, 40);
    for (const [i, id] of labelled.entries()) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/feedback',
        payload: { prediction_id: id, label: i % 4 === 0 ? 1 : 0 },
      });
      expect(res.statusCode).toBe(200);
    }
    // The decisions the clients got, read back from the log, give the expected confusion.
    const reader = openPredictionReader(h.logPath!);
    const flaggedIds = new Set(ids.filter((id) => reader.get(id)!.isFraud));
    reader.close();
    let tp = 0;
    let fp = 0;
    let fn = 0;
    labelled.forEach((id, i) => {
      const fraud = i % 4 === 0;
      const flagged = flaggedIds.has(id);
      if (fraud && flagged) tp++;
      else if (!fraud && flagged) fp++;
      else if (fraud) fn++;
    });
    const res = await h.app.inject({ method: 'GET', url: '/quality' });
    expect(res.statusCode).toBe(200);
    const quality = qualityReportSchema.parse(res.json());
    expect(quality.alert_rate).toBeCloseTo(flaggedIds.size / 200, 12);
    expect(quality.window).toMatchObject({ predictions: 200, labelled: 40 });
    expect(quality.labels).toEqual({ fraud: 10, legit: 30 });
    expect(quality.precision).toBe(tp + fp === 0 ? null : tp / (tp + fp));
    expect(quality.recall).toBe(tp / (tp + fn));
    expect(quality.prevalence).toBe(0.25);
    expect(quality.auprc).not.toBeNull();
    // The fake manifest's validation confusion [[90, 5], [1, 4]] flags 9 of 100 rows.
    expect(quality.expected_alert_rate).toBeCloseTo(0.09, 12);
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^cardwatch_quality_labelled_predictions 40$/m);
    expect(metrics).toMatch(/^cardwatch_model_validation_alert_rate 0\.09$/m);
    expect(metrics).toMatch(/^cardwatch_model_loaded 1$/m);
  });

  it('an empty log gives nulls, not zeros', async () => {
    const h = await setup();
    const quality = qualityReportSchema.parse(
      (await h.app.inject({ method: 'GET', url: '/quality' })).json(),
    );
    expect(quality).toMatchObject({ alert_rate: null, precision: null, recall: null, auprc: null });
  });
});

describe('the schedule', () => {
  it('recomputes on its interval and stops when the app closes', async () => {
    const h = await setup({ interval: 1 });
    await send(h, rowsOf(300, 5));
    // The first run, after 1 s, also starts the drift worker thread (under vitest it compiles its modules
    // first, up to a second on a busy machine): wait for its gauges rather than a fixed time.
    let metrics = '';
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
      if (/^cardwatch_drift_window_rows 300$/m.test(metrics)) break;
    }
    expect(metrics).toMatch(/^cardwatch_drift_window_rows 300$/m);
    expect(metrics).toMatch(/^cardwatch_quality_alert_rate [0-9.]+$/m);
    await h.app.close();
  });
});

describe('monitoringSettings', () => {
  it('reads the config section, defaults without one, and names a bad key', () => {
    expect(monitoringSettings(null).interval_s).toBe(300);
    expect(monitoringSettings({ monitoring: { interval_s: 5 } })).toMatchObject({
      interval_s: 5,
      drift_window: 10_000,
    });
    expect(() => monitoringSettings({ monitoring: { drift_share: 2 } })).toThrow(/monitoring\.drift_share/);
  });
});
