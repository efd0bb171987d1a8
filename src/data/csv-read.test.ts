import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { csv, row } from './__fixtures__/csv.js';
import { readKaggleCsvFile, readKaggleCsvFileAsync, splitRanges } from './csv-read.js';
import { generateSyntheticCsv } from './synthetic.js';
import type { ParsedCsv } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'cardwatch-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function expectSame(a: ParsedCsv, b: ParsedCsv): void {
  expect(b.dataset.rows).toBe(a.dataset.rows);
  expect(b.dataset.columns).toEqual(a.dataset.columns);
  expect(Buffer.from(b.dataset.x.buffer, b.dataset.x.byteOffset, b.dataset.x.byteLength)).toEqual(
    Buffer.from(a.dataset.x.buffer, a.dataset.x.byteOffset, a.dataset.x.byteLength),
  );
  expect(b.dataset.y).toEqual(a.dataset.y);
  expect(b.lines).toEqual(a.lines);
  expect(b.errors).toEqual(a.errors);
  expect(b.hasClass).toBe(a.hasClass);
}

async function rejection(promise: Promise<unknown>): Promise<CardwatchError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CardwatchError) return error;
    throw error;
  }
  return expect.fail('expected a CardwatchError');
}

describe('readKaggleCsvFile / readKaggleCsvFileAsync', () => {
  const workers = { threads: 2, workerThresholdBytes: 0 } as const;

  it('give identical results, in the calling thread and with worker threads', async () => {
    const path = file('synthetic.csv', generateSyntheticCsv({ rows: 3000, seed: 3 }));
    const sync = readKaggleCsvFile(path);
    expect(sync.dataset.rows).toBe(3000);
    expectSame(sync, await readKaggleCsvFileAsync(path, workers));
    expectSame(sync, await readKaggleCsvFileAsync(path, { threads: 3, workerThresholdBytes: 0 }));
    expectSame(sync, await readKaggleCsvFileAsync(path));
  });

  it('give identical errors and line numbers when skipping bad rows across the worker split', async () => {
    const lines = csv(400, { eol: '\r\n' }).split('\r\n');
    for (const index of [5, 150, 201, 202, 350]) lines[index] = index % 2 === 0 ? 'oops' : row(index, '3');
    lines.splice(260, 0, '');
    const path = file('bad.csv', lines.join('\r\n'));
    const options = { onBadRow: 'skip' } as const;
    const sync = readKaggleCsvFile(path, options);
    expect(sync.errors.map((e) => e.line)).toEqual([6, 151, 202, 203, 261, 352]);
    expect(sync.errors[4]!.message).toBe('line 261: expected 31 values, found an empty line');
    expectSame(sync, await readKaggleCsvFileAsync(path, { ...options, ...workers }));
    expectSame(sync, await readKaggleCsvFileAsync(path, { ...options, threads: 4, workerThresholdBytes: 0 }));
  });

  it('throw the same first error with onBadRow error', async () => {
    const lines = csv(300).split('\n');
    lines[250] = row(249, '2');
    lines[280] = 'x';
    const path = file('first-error.csv', lines.join('\n'));
    let syncError: unknown;
    try {
      readKaggleCsvFile(path);
    } catch (error) {
      syncError = error;
    }
    expect((syncError as CardwatchError).message).toBe('line 251, column Class: "2" must be 0 or 1');
    const asyncError = await rejection(readKaggleCsvFileAsync(path, workers));
    expect(asyncError.code).toBe('CSV_ROW');
    expect(asyncError.message).toBe((syncError as CardwatchError).message);
  });

  it('refuse a missing file with DATA_NOT_FOUND', async () => {
    const missing = join(dir, 'nope.csv');
    expect(() => readKaggleCsvFile(missing)).toThrow(new CardwatchError('DATA_NOT_FOUND', `no such file: ${missing}`));
    const error = await rejection(readKaggleCsvFileAsync(missing));
    expect(error.code).toBe('DATA_NOT_FOUND');
    expect(error.message).toBe(`no such file: ${missing}`);
  });

  it('report a bad header from the async reader too', async () => {
    const path = file('header.csv', `Time,V1\n1,2\n`);
    expect((await rejection(readKaggleCsvFileAsync(path, workers))).code).toBe('CSV_HEADER');
  });
});

describe('splitRanges', () => {
  it('cuts after newlines into contiguous ranges covering the body', () => {
    const bytes = new TextEncoder().encode('a\nbb\nccc\ndddd\neeeee');
    const ranges = splitRanges(bytes, 0, bytes.length, 3);
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(bytes.length);
    for (let i = 1; i < ranges.length; i++) {
      expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
      expect(bytes[ranges[i]![0] - 1]).toBe(10);
    }
    expect(ranges.length).toBeGreaterThan(1);
    expect(splitRanges(bytes, 0, bytes.length, 1)).toEqual([[0, bytes.length]]);
    expect(splitRanges(bytes, 5, 5, 4)).toEqual([[5, 5]]);
  });
});
