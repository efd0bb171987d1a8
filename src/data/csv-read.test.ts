import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { csv, QUOTED_HEADER, row } from './__fixtures__/csv.js';
import { readKaggleCsvFile, readKaggleCsvFileAsync } from './csv-read.js';
import { readOwnedLines } from './csv-range.js';
import { generateSyntheticCsv } from './synthetic.js';
import type { ParsedCsv } from './types.js';
import { rejection } from '../util/__fixtures__/rejection.js';

const dir = mkdtempSync(join(tmpdir(), 'cardwatch-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Byte-for-byte equality of two typed arrays (a deep `toEqual` over 100k elements is slow). */
function sameBytes(a: ArrayBufferView | null, b: ArrayBufferView | null): boolean {
  if (a === null || b === null) return a === b;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function expectSame(a: ParsedCsv, b: ParsedCsv): void {
  expect(b.dataset.rows).toBe(a.dataset.rows);
  expect(b.dataset.columns).toEqual(a.dataset.columns);
  expect(b.dataset.x.length).toBe(a.dataset.x.length);
  expect(sameBytes(a.dataset.x, b.dataset.x), 'x').toBe(true);
  expect(sameBytes(a.dataset.y, b.dataset.y), 'y').toBe(true);
  expect(sameBytes(a.lines, b.lines), 'lines').toBe(true);
  expect(b.errors).toEqual(a.errors);
  expect(b.hasClass).toBe(a.hasClass);
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

  it('agree on BOM, CRLF, quoted Kaggle files, trailing blank lines and header-only files', async () => {
    const body = csv(200, { eol: '\r\n', header: QUOTED_HEADER, trailing: false }).replace(
      /,([01])\r\n/g,
      ',"$1"\r\n',
    );
    const variants = [
      `\uFEFF${body}`,
      `${body}\r\n`,
      `${body}\r\n\r\n\n`,
      `${body}${'\n'.repeat(70_000)}`,
      QUOTED_HEADER,
      `${QUOTED_HEADER}\n\n`,
    ];
    for (const [i, text] of variants.entries()) {
      const path = file(`variant-${i}.csv`, text);
      const sync = readKaggleCsvFile(path);
      expect(sync.dataset.rows).toBe(i < 4 ? 200 : 0);
      expectSame(sync, await readKaggleCsvFileAsync(path, workers));
    }
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
    expect(() => readKaggleCsvFile(missing)).toThrow(
      new CardwatchError('DATA_NOT_FOUND', `no such file: ${missing}`),
    );
    const error = await rejection(readKaggleCsvFileAsync(missing));
    expect(error.code).toBe('DATA_NOT_FOUND');
    expect(error.message).toBe(`no such file: ${missing}`);
  });

  it('report a bad header from the async reader too', async () => {
    const path = file('header.csv', `Time,V1\n1,2\n`);
    expect((await rejection(readKaggleCsvFileAsync(path, workers))).code).toBe('CSV_HEADER');
  });
});

describe('readOwnedLines', () => {
  it('gives every line to exactly one share, wherever the shares are cut', () => {
    const lines = ['header', 'a', '', 'bb', 'x'.repeat(150_000), 'ccc', '', 'dddd', 'eeeee'];
    const text = lines.join('\n');
    const path = file('lines.txt', text);
    const bodyStart = 'header\n'.length;
    const bodyEnd = text.length;
    const body = text.slice(bodyStart);
    const cuts = [bodyStart, bodyStart + 1, bodyStart + 2, bodyStart + 3, bodyStart + 5, bodyStart + 6];
    cuts.push(
      bodyStart + 7,
      bodyStart + 10,
      bodyStart + 80_000,
      bodyStart + 150_006,
      bodyEnd - 7,
      bodyEnd - 1,
    );
    for (const cut of cuts) {
      for (const second of [cut + 1, cut + 3, cut + 70_000, bodyEnd]) {
        const shares = [bodyStart, cut, Math.min(Math.max(second, cut), bodyEnd), bodyEnd];
        let joined = '';
        for (let i = 0; i < 3; i++) {
          const owned = readOwnedLines(path, shares[i]!, shares[i + 1]!, bodyStart, bodyEnd);
          joined += Buffer.from(owned.bytes.subarray(owned.start, owned.end)).toString('latin1');
        }
        expect(joined === body, `cuts ${shares.join(',')}`).toBe(true);
      }
    }
  });
});
