import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0, makeRecord, tempDir } from './__fixtures__/records.js';
import { CSV_HEADER, csvText, exportCsv, formatFloat32 } from './csv-export.js';
import { openPredictionLog, type SqlitePredictionLog } from './prediction-log.js';
import { createQueries } from './queries.js';
import { openPredictionReader } from './reader.js';
import Database from 'better-sqlite3';

let dir: string;
let cleanup: () => void;
let log: SqlitePredictionLog;
let path: string;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  path = join(dir, 'predictions.sqlite');
  log = openPredictionLog({ path });
});
afterEach(async () => {
  await log.close().catch(() => undefined);
  cleanup();
});

/** Collects what is written to a stream. */
function sink(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('exportCsv', () => {
  it('writes the header and one exact line per prediction, label included', async () => {
    const first = makeRecord(0, { transactionId: 'a,"b"', amount: null });
    log.append(first);
    log.append(makeRecord(1, { features: Array.from({ length: 28 }, (_, k) => (k === 0 ? 0.1 : NaN)) }));
    await log.flush();
    await log.recordFeedback(first.predictionId, 1);
    const { out, text } = sink();
    expect(await log.exportCsv({}, out)).toEqual({ rows: 2 });
    const lines = text().split('\n');
    expect(`${lines[0]}\n`).toBe(CSV_HEADER);
    expect(lines[0]).toBe(
      'prediction_id,created_at,transaction_id,model_version,engine,score,threshold,is_fraud,latency_ms,label,' +
        Array.from({ length: 28 }, (_, i) => `V${i + 1}`).join(',') +
        ',amount,time',
    );
    const v = Array.from({ length: 28 }, (_, k) => String((k + 1) / 8));
    expect(lines[1]).toBe(
      `${first.predictionId},2024-05-01T12:00:00.000Z,"a,""b""",ae-test,float32,0.5,2,0,0.25,1,${v.join(',')},,100`,
    );
    // V1 = float32(0.1) prints as 0.1; NaN (a column the model does not take) prints empty; no label.
    expect(lines[2]).toMatch(
      /,2024-05-01T12:00:01\.000Z,tx-1,ae-test,float32,1\.5,2,0,0\.25,,0\.1,{27},11,101$/,
    );
    expect(lines[3]).toBe('');
    expect(lines).toHaveLength(4);
  });

  it('since is inclusive, until exclusive', async () => {
    for (let i = 0; i < 10; i++) log.append(makeRecord(i));
    await log.flush();
    const { out, text } = sink();
    expect(await log.exportCsv({ since: T0 + 3000, until: new Date(T0 + 6000) }, out)).toEqual({ rows: 3 });
    const ids = text()
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[2]);
    expect(ids).toEqual(['tx-3', 'tx-4', 'tx-5']);
  });

  it('pages through ties on created_at without losing or repeating rows', async () => {
    for (let i = 0; i < 25; i++) log.append(makeRecord(i, { createdAt: T0 + Math.floor(i / 10) }));
    await log.flush();
    await log.close();
    const db = new Database(path, { readonly: true });
    const queries = createQueries(db);
    const { out, text } = sink();
    const result = await exportCsv(queries.page, queries.latestTime, {}, out, 4);
    db.close();
    expect(result.rows).toBe(25);
    const txs = text()
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[2]);
    expect(new Set(txs).size).toBe(25);
  });

  it('waits for drain on a slow stream, and works from a read-only reader', async () => {
    for (let i = 0; i < 50; i++) log.append(makeRecord(i));
    await log.flush();
    const reader = openPredictionReader(path);
    let written = '';
    let drains = 0;
    const slow = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.toString('utf8');
        setTimeout(callback, 1);
      },
    });
    slow.on('drain', () => (drains += 1));
    expect(await reader.exportCsv({ since: T0 + 10_000 }, slow)).toEqual({ rows: 40 });
    reader.close();
    expect(drains).toBeGreaterThan(0);
    await new Promise<void>((resolve) => slow.end(resolve));
    expect(written.trim().split('\n')).toHaveLength(41);
  });

  it('an empty range gives the header only', async () => {
    const { out, text } = sink();
    expect(await log.exportCsv({ since: T0 }, out)).toEqual({ rows: 0 });
    expect(text()).toBe(CSV_HEADER);
  });
});

describe('CSV formatting', () => {
  it.each([
    [Math.fround(0.1), '0.1'],
    [Math.fround(-1.3598071336738), '-1.3598071'],
    [Math.fround(1 / 3), '0.33333334'],
    [1, '1'],
    [0, '0'],
    [NaN, ''],
    [Math.fround(3.4e38), '3.4e+38'],
  ])('formatFloat32(%f) = %s and reads back exactly', (value, text) => {
    expect(formatFloat32(value)).toBe(text);
    if (text !== '') expect(Math.fround(Number(text))).toBe(value);
  });

  it('quotes text only when needed', () => {
    expect(csvText('plain')).toBe('plain');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvText(null)).toBe('');
  });
});
