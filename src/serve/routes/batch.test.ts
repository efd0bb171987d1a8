import { afterEach, describe, expect, it } from 'vitest';
import { INPUT_COLUMNS, KAGGLE_COLUMNS } from '../../data/columns.js';
import { staticModelProvider } from '../model-provider.js';
import {
  closeHarnesses,
  expectError,
  harness,
  postRaw,
  readLogged,
  UUID_V7,
  zeros,
} from '../__fixtures__/harness.js';
import { V1_TO_V28 } from '../__fixtures__/fake-scorer.js';
import type { BatchResponse } from './predict-schemas.js';

afterEach(closeHarnesses);

const URL = '/predict/batch';

function postBatch(app: Awaited<ReturnType<typeof harness>>['app'], rows: unknown, query = '') {
  return app.inject({ method: 'POST', url: `${URL}${query}`, payload: { rows } });
}

/** A Kaggle CSV line: Time, V1..V28 all `v`, Amount (and Class when given). */
function csvLine(time: number, v: number, amount: number, label?: number): string {
  return [time, ...new Array<number>(28).fill(v), amount, ...(label === undefined ? [] : [label])].join(',');
}

describe('POST /predict/batch: JSON rows', () => {
  it('answers one result per row, in order, with the batch-level model, engine and threshold', async () => {
    const { app } = await harness({ scorer: { id: 'ae-b', threshold: 0.5 } });
    const rows = [
      { features: new Array(28).fill(1), transaction_id: 'a' },
      { features: zeros(28), transaction_id: 'b' },
      { features: new Array(28).fill(0.6) },
    ];
    const res = await postBatch(app, rows);
    expect(res.statusCode).toBe(200);
    const body = res.json<BatchResponse>();
    expect(body).toMatchObject({
      model_version: 'ae-b',
      engine: 'float32',
      threshold: 0.5,
      rows: 3,
      scored: 3,
      failed: 0,
    });
    expect(body.results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(body.results).toMatchObject([
      { row: 0, transaction_id: 'a', is_fraud: true, score: 1, risk: 'high' },
      { row: 1, transaction_id: 'b', is_fraud: false, score: 0, risk: 'low' },
      { row: 2, transaction_id: null, is_fraud: false, risk: 'moderate' },
    ]);
    for (const result of body.results)
      if (result.status === 'ok') expect(result.prediction_id).toMatch(UUID_V7);
  });

  it('gives a bad row its own error and scores the rest in one model call', async () => {
    const { app, scorer } = await harness();
    const rows = [
      { features: zeros(28) },
      { features: [1, 2, 3], transaction_id: 'short' },
      null,
      { features: zeros(28), Amount: 5 },
      { features: [...zeros(27), '1'] },
      { features: new Array(28).fill(1) },
    ];
    const res = await postBatch(app, rows);
    expect(res.statusCode).toBe(200);
    const body = res.json<BatchResponse>();
    expect(body).toMatchObject({ rows: 6, scored: 2, failed: 4 });
    expect(body.results.map((r) => [r.row, r.status])).toEqual([
      [0, 'ok'],
      [1, 'error'],
      [2, 'error'],
      [3, 'error'],
      [4, 'error'],
      [5, 'ok'],
    ]);
    expect(body.results[1]).toEqual({
      row: 1,
      status: 'error',
      transaction_id: 'short',
      error: { code: 'SHAPE_MISMATCH', message: 'expected 28 features (V1..V28), got 3' },
    });
    expect(body.results[2]).toMatchObject({
      error: {
        code: 'INVALID_INPUT',
        message: 'row must be a JSON object like {"features": [...]}, got null',
      },
    });
    expect(body.results[3]).toMatchObject({
      error: { message: expect.stringMatching(/unknown field "Amount"/) },
    });
    expect(body.results[4]).toMatchObject({
      error: { message: 'features[27] must be a finite number, got a string ("1")' },
    });
    expect(scorer.calls).toHaveLength(1);
    expect(scorer.calls[0]?.rows).toBe(2);
  });

  it('answers 200 with only errors when no row is valid (nothing is scored)', async () => {
    const { app, scorer } = await harness();
    const res = await postBatch(app, [{}, { features: 'x' }]);
    expect(res.json()).toMatchObject({ rows: 2, scored: 0, failed: 2 });
    expect(scorer.calls).toHaveLength(0);
  });

  it('names a missing amount per row for a model that takes Amount', async () => {
    const { app } = await harness({ scorer: { inputColumns: [...V1_TO_V28, 'Amount'] } });
    const res = await postBatch(app, [{ features: zeros(28), amount: 3 }, { features: zeros(28) }]);
    const body = res.json<BatchResponse>();
    expect(body.results[0]?.status).toBe('ok');
    expect(body.results[1]).toMatchObject({
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/"amount"/) },
    });
  });

  it('scores every row with int8 on ?engine=int8, and 404s when the bundle lacks it', async () => {
    const withInt8 = await harness({ scorer: { engines: ['float32', 'int8'] } });
    const res = await postBatch(withInt8.app, [{ features: zeros(28) }], '?engine=int8');
    expect(res.json()).toMatchObject({ engine: 'int8' });
    const without = await harness();
    expectError(
      await postBatch(without.app, [{ features: zeros(28) }], '?engine=int8'),
      404,
      'ENGINE_NOT_AVAILABLE',
    );
  });

  it.each([
    ['{"rows":[]}', 'rows must hold at least one row'],
    ['{}', 'rows is required: an array of rows like {"features": [...]}'],
    ['{"rows":{"0":1}}', 'rows must be an array of rows, got an object'],
    ['[]', 'body must be a JSON object like {"rows": [...]}, got an array'],
    ['{"rows":[{}],"extra":1}', 'body has unknown field "extra"; the only accepted field is "rows"'],
  ])('rejects the body %s with a 400', async (raw, message) => {
    const { app } = await harness();
    expect(expectError(await postRaw(app, raw, 'application/json', URL), 400, 'INVALID_INPUT')).toBe(message);
  });

  it('rejects more rows than serve.batch_max_rows', async () => {
    const { app, scorer } = await harness({ app: { batchMaxRows: 3 } });
    const res = await postBatch(app, new Array(4).fill({ features: zeros(28) }));
    expect(expectError(res, 400, 'INVALID_INPUT')).toBe(
      'rows must hold at most 3 rows (serve.batch_max_rows), got 4',
    );
    expect(scorer.calls).toHaveLength(0);
  });

  it('takes bodies up to its own limit, larger than the single-row one', async () => {
    const { app } = await harness({ app: { bodyLimitBytes: 1000, batchBodyLimitBytes: 100_000 } });
    const rows = new Array(20).fill({ features: new Array(28).fill(0.125) });
    expect(JSON.stringify({ rows }).length).toBeGreaterThan(1000);
    expect((await postBatch(app, rows)).statusCode).toBe(200);
    const huge = new Array(1000).fill({ features: new Array(28).fill(0.125) });
    expect(expectError(await postBatch(app, huge), 413, 'PAYLOAD_TOO_LARGE')).toBe(
      'request body is larger than the limit of 100000 bytes',
    );
  });

  it('handles 10,000 rows (the default maximum)', async () => {
    const { app } = await harness();
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ features: new Array(28).fill((i % 10) / 10) }));
    const res = await postBatch(app, rows);
    expect(res.statusCode).toBe(200);
    const body = res.json<BatchResponse>();
    expect(body.scored).toBe(10_000);
    expect(body.results[9_999]).toMatchObject({ row: 9_999, status: 'ok' });
  });

  it('answers 503 when no model is loaded', async () => {
    const { app } = await harness({ provider: staticModelProvider(null) });
    expectError(await postBatch(app, [{ features: zeros(28) }]), 503, 'MODEL_NOT_FOUND');
  });
});

describe('POST /predict/batch: CSV upload', () => {
  const header = INPUT_COLUMNS.join(',');

  function postCsv(app: Awaited<ReturnType<typeof harness>>['app'], csv: string, contentType = 'text/csv') {
    return app.inject({ method: 'POST', url: URL, headers: { 'content-type': contentType }, payload: csv });
  }

  it('scores a Kaggle CSV without Class, one result per data line', async () => {
    const { app, scorer } = await harness({ scorer: { threshold: 0.5 } });
    const csv = [header, csvLine(0, 1, 10), csvLine(1, 0, 20)].join('\n') + '\n';
    const res = await postCsv(app, csv);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      rows: 2,
      scored: 2,
      results: [
        { row: 0, status: 'ok', is_fraud: true, score: 1 },
        { row: 1, status: 'ok', is_fraud: false, score: 0 },
      ],
    });
    // The model got V1..V28 of each line (the fake takes V1..V28).
    expect(Array.from(scorer.calls[0]?.x.subarray(0, 28) ?? [])).toEqual(new Array(28).fill(1));
  });

  it('accepts the Class column (ignored), CRLF and a charset parameter', async () => {
    const { app } = await harness();
    const csv = [KAGGLE_COLUMNS.join(','), csvLine(0, 0, 1, 1), csvLine(1, 0, 1, 0)].join('\r\n');
    const res = await postCsv(app, csv, 'text/csv; charset=utf-8');
    expect(res.json()).toMatchObject({ rows: 2, scored: 2 });
  });

  it('maps Time and Amount of the CSV onto a model that takes them', async () => {
    const { app, scorer } = await harness({ scorer: { inputColumns: ['Time', ...V1_TO_V28, 'Amount'] } });
    await postCsv(app, [header, csvLine(5, 0, 42)].join('\n'));
    const x = Array.from(scorer.calls[0]?.x ?? []);
    expect([x[0], x[29]]).toEqual([5, 42]);
  });

  it('reports a bad line as that row’s error (naming line and column) and scores the rest', async () => {
    const { app } = await harness();
    const bad = csvLine(1, 0, 1).replace(/^1,0/, '1,abc');
    const csv = [header, csvLine(0, 0, 1), bad, csvLine(2, 0, 1)].join('\n');
    const body = (await postCsv(app, csv)).json<BatchResponse>();
    expect(body).toMatchObject({ rows: 3, scored: 2, failed: 1 });
    expect(body.results.map((r) => r.status)).toEqual(['ok', 'error', 'ok']);
    expect(body.results[1]).toMatchObject({
      row: 1,
      error: { code: 'CSV_ROW', message: expect.stringMatching(/^line 3, column V1: .*abc/) },
    });
  });

  it.each([
    ['Time,V1,V2\n1,2,3\n', 'CSV_HEADER'],
    ['', 'CSV_HEADER'],
  ])('rejects a CSV whose header is not the Kaggle schema: %j', async (csv, code) => {
    const { app } = await harness();
    expectError(await postCsv(app, csv), 400, code);
  });

  it('rejects a CSV with a header and no data lines', async () => {
    const { app } = await harness();
    expect(expectError(await postCsv(app, `${header}\n`), 400, 'INVALID_INPUT')).toMatch(/no data lines/);
  });

  it('rejects a CSV with more data lines than serve.batch_max_rows', async () => {
    const { app } = await harness({ app: { batchMaxRows: 2 } });
    const csv = [header, csvLine(0, 0, 1), csvLine(1, 0, 1), csvLine(2, 0, 1)].join('\n');
    expect(expectError(await postCsv(app, csv), 400, 'INVALID_INPUT')).toBe(
      'the CSV has 3 data lines; one batch takes at most 2 (serve.batch_max_rows)',
    );
  });

  it('is the only route that takes CSV, and says which types it takes', async () => {
    const { app } = await harness();
    expect(expectError(await postCsv(app, 'x', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE')).toBe(
      'unsupported content type "text/plain": send the body as application/json ({"rows": [...]}) or text/csv (Kaggle schema)',
    );
  });
});

describe('POST /predict/batch: the prediction log', () => {
  it('logs every scored row (and no failed one), with the CSV’s Amount and Time', async () => {
    const { app, log, logPath } = await harness({ withLog: true });
    const header = INPUT_COLUMNS.join(',');
    const csv = [header, csvLine(3, 0.5, 9.75), 'garbage', csvLine(4, 0.25, 1.5)].join('\n');
    const body = (
      await app.inject({ method: 'POST', url: URL, headers: { 'content-type': 'text/csv' }, payload: csv })
    ).json<BatchResponse>();
    const ids = body.results.flatMap((r) => (r.status === 'ok' ? [r.prediction_id] : []));
    expect(ids).toHaveLength(2);
    await log?.flush();
    const rows = readLogged(logPath as string, ids);
    expect(rows.size).toBe(2);
    expect(rows.get(ids[0] as string)).toMatchObject({ amount: 9.75, time: 3 });
    expect(Array.from(rows.get(ids[1] as string)?.features ?? [])).toEqual(new Array(28).fill(0.25));
    expect(log?.stats().appended).toBe(2);
  });

  it('refuses the whole batch with 503 when the log cannot take all its rows', async () => {
    const { app, log, scorer } = await harness({ withLog: true });
    const limited = log as NonNullable<typeof log>;
    Object.assign(limited, { hasCapacity: (count = 1) => count <= 1 });
    const res = await postBatch(app, [{ features: zeros(28) }, { features: zeros(28) }]);
    expectError(res, 503, 'LOG_BACKPRESSURE');
    expect(scorer.calls).toHaveLength(0);
  });
});
