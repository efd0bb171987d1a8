import { describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { HEADER, HEADER_NO_CLASS, QUOTED_HEADER, csv, row, rowValues } from './__fixtures__/csv.js';
import { INPUT_COLUMNS, KAGGLE_COLUMNS } from './columns.js';
import { parseKaggleCsv } from './csv-parse.js';
import type { CsvOptions } from './types.js';

function thrown(input: string, options?: CsvOptions): CardwatchError {
  try {
    parseKaggleCsv(input, options);
  } catch (error) {
    if (error instanceof CardwatchError) return error;
    throw error;
  }
  return expect.fail('expected a CardwatchError');
}

function expectRow(x: Float32Array, r: number, values: number[]): void {
  expect(Array.from(x.subarray(r * 30, (r + 1) * 30))).toEqual(values.map((v) => Math.fround(v)));
}

describe('parseKaggleCsv: header', () => {
  it('reads a plain CSV into float32 rows and labels', () => {
    const parsed = parseKaggleCsv(csv(6));
    expect(parsed.hasClass).toBe(true);
    expect(parsed.dataset.columns).toEqual(INPUT_COLUMNS);
    expect(parsed.dataset.rows).toBe(6);
    expect(parsed.dataset.x).toHaveLength(6 * 30);
    for (let r = 0; r < 6; r++) expectRow(parsed.dataset.x, r, rowValues(r));
    expect(Array.from(parsed.dataset.y!)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(Array.from(parsed.lines)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(parsed.errors).toEqual([]);
  });

  it('accepts the Kaggle download: quoted header and labels, CRLF, BOM, final newline or not', () => {
    const lines = [QUOTED_HEADER, `${row(0, null)},"0"`, `${row(1, null)},"1"`];
    for (const eol of ['\n', '\r\n']) {
      for (const ending of ['', eol, `${eol}${eol}`]) {
        for (const bom of ['', '\uFEFF']) {
          const parsed = parseKaggleCsv(bom + lines.join(eol) + ending);
          expect(parsed.dataset.rows, JSON.stringify({ eol, ending, bom })).toBe(2);
          expect(Array.from(parsed.dataset.y!)).toEqual([0, 1]);
          expectRow(parsed.dataset.x, 1, rowValues(1));
        }
      }
    }
  });

  it('accepts bytes as well as a string', () => {
    const parsed = parseKaggleCsv(new TextEncoder().encode(csv(3)));
    expect(parsed.dataset.rows).toBe(3);
  });

  it('reads a file without Class when the label is optional (y is null)', () => {
    const input = [HEADER_NO_CLASS, row(0, null), row(1, null)].join('\n');
    const parsed = parseKaggleCsv(input, { classColumn: 'optional' });
    expect(parsed.hasClass).toBe(false);
    expect(parsed.dataset.y).toBeNull();
    expectRow(parsed.dataset.x, 1, rowValues(1));
    // With Class present an optional label is still read.
    expect(parseKaggleCsv(csv(2), { classColumn: 'optional' }).dataset.y).not.toBeNull();
  });

  it('refuses a missing Class column unless it is optional', () => {
    const error = thrown(`${HEADER_NO_CLASS}\n${row(0, null)}\n`);
    expect(error.code).toBe('CSV_HEADER');
    expect(error.message).toBe('CSV header: expected 31 columns, found 30');
  });

  it('names the first wrong column', () => {
    const names = [...KAGGLE_COLUMNS];
    [names[4], names[5]] = [names[5]!, names[4]!];
    const error = thrown(`${names.join(',')}\n`);
    expect(error.code).toBe('CSV_HEADER');
    expect(error.message).toBe('CSV header: column 5: expected "V4", found "V5"');
  });

  it('reports a missing column with the count and where the order breaks', () => {
    const names = KAGGLE_COLUMNS.filter((name) => name !== 'V5');
    expect(thrown(names.join(',')).message).toBe(
      'CSV header: expected 31 columns, found 30 (column 6: expected "V5", found "V6")',
    );
  });

  it('reports a short header by its count and the columns it lacks', () => {
    expect(thrown('Time,V1\n1,2\n').message).toBe(
      'CSV header: expected 31 columns, found 2 (missing V2 … Amount (28 columns))',
    );
    const noAmount = KAGGLE_COLUMNS.slice(0, 29).join(',');
    expect(thrown(noAmount, { classColumn: 'optional' }).message).toBe(
      'CSV header: expected 30 or 31 columns, found 29 (missing Amount)',
    );
  });

  it('reports an extra column', () => {
    const error = thrown(`${HEADER},Extra\n`);
    expect(error.message).toBe(
      'CSV header: expected 31 columns, found 32 (column 32: unexpected extra column "Extra")',
    );
    expect(thrown(`${HEADER},Extra\n`, { classColumn: 'optional' }).message).toBe(
      'CSV header: expected 30 or 31 columns, found 32 (column 32: unexpected extra column "Extra")',
    );
  });

  it('refuses an empty file or a blank header line', () => {
    expect(thrown('').code).toBe('CSV_HEADER');
    expect(thrown('\n0,1\n').message).toMatch(/^CSV header: the first line is empty/);
  });

  it('gives zero rows for a header alone', () => {
    for (const input of [HEADER, `${HEADER}\n`, `${HEADER}\r\n\r\n`]) {
      const parsed = parseKaggleCsv(input);
      expect(parsed.dataset.rows).toBe(0);
      expect(parsed.dataset.x).toHaveLength(0);
    }
  });
});

describe('parseKaggleCsv: rows', () => {
  const withLine = (lines: Record<number, string>, rows = 10): string => {
    const all = csv(rows, { trailing: false }).split('\n');
    for (const [index, text] of Object.entries(lines)) all[Number(index) - 1] = text;
    return `${all.join('\n')}\n`;
  };

  it('throws CSV_ROW at the first bad row with an exact message', () => {
    const short = row(5).split(',').slice(0, 30).join(',');
    const error = thrown(withLine({ 7: short, 9: 'x' }));
    expect(error.code).toBe('CSV_ROW');
    expect(error.message).toBe('line 7: expected 31 values, found 30');
    expect(error.details).toEqual({ line: 7, column: null, message: 'line 7: expected 31 values, found 30' });
  });

  it('names line and column of a value that is not a number', () => {
    const fields = row(3).split(',');
    fields[7] = 'abc';
    expect(thrown(withLine({ 5: fields.join(',') })).message).toBe(
      'line 5, column V7: "abc" is not a number',
    );
    fields[7] = '"abc"';
    expect(thrown(withLine({ 5: fields.join(',') })).message).toBe(
      'line 5, column V7: "abc" is not a number',
    );
  });

  it('refuses NaN, Infinity and overflowing values as not finite', () => {
    for (const value of ['NaN', 'Infinity', '-inf', '1e999']) {
      const fields = row(1).split(',');
      fields[2] = value;
      expect(thrown(withLine({ 3: fields.join(',') })).message).toBe(
        `line 3, column V2: "${value}" is not a finite number`,
      );
    }
    const fields = row(1).split(',');
    fields[29] = '1e39';
    expect(thrown(withLine({ 3: fields.join(',') })).message).toBe(
      'line 3, column Amount: "1e39" is out of the float32 range',
    );
  });

  it('requires Class to be 0 or 1', () => {
    expect(thrown(withLine({ 9: row(7, '2') })).message).toBe('line 9, column Class: "2" must be 0 or 1');
    expect(thrown(withLine({ 9: row(7, '"0.5"') })).message).toBe(
      'line 9, column Class: "0.5" must be 0 or 1',
    );
    expect(thrown(withLine({ 9: row(7, 'yes') })).message).toBe(
      'line 9, column Class: "yes" is not a number',
    );
    expect(parseKaggleCsv(withLine({ 9: row(7, '1.0') })).dataset.y![7]).toBe(1);
  });

  it('reports too many values and blank lines in the middle of the file', () => {
    expect(thrown(withLine({ 4: `${row(2)},5` })).message).toBe('line 4: expected 31 values, found 32');
    expect(thrown(withLine({ 4: '' })).message).toBe('line 4: expected 31 values, found an empty line');
    expect(thrown(withLine({ 4: '\r' })).message).toBe('line 4: expected 31 values, found an empty line');
  });

  it('skips and reports every bad row in file order with onBadRow skip', () => {
    const short = row(0).split(',').slice(0, 29).join(',');
    const bad = row(4).replace(/^28,/, 'x,');
    const input = withLine({ 3: short, 4: '', 6: bad, 11: row(9, '7') });
    const parsed = parseKaggleCsv(input, { onBadRow: 'skip' });
    expect(parsed.errors).toEqual([
      { line: 3, column: null, message: 'line 3: expected 31 values, found 29' },
      { line: 4, column: null, message: 'line 4: expected 31 values, found an empty line' },
      { line: 6, column: 'Time', message: 'line 6, column Time: "x" is not a number' },
      { line: 11, column: 'Class', message: 'line 11, column Class: "7" must be 0 or 1' },
    ]);
    expect(parsed.dataset.rows).toBe(10 - 4);
    expect(Array.from(parsed.lines)).toEqual([2, 5, 7, 8, 9, 10]);
    // The kept rows are the right ones, in order.
    expectRow(parsed.dataset.x, 1, rowValues(3));
    expectRow(parsed.dataset.x, 5, rowValues(8));
    expect(parsed.dataset.x).toHaveLength(6 * 30);
    expect(parsed.dataset.y).toHaveLength(6);
  });

  it('recovers values the fast path cannot read exactly (long mantissas, large exponents)', () => {
    const fields = row(2).split(',');
    fields[1] = '-1.35980713367380123456';
    fields[2] = '1.5e-30';
    fields[3] = '"3.25"';
    const parsed = parseKaggleCsv(withLine({ 4: fields.join(',') }));
    const x = parsed.dataset.x.subarray(2 * 30, 3 * 30);
    expect(x[1]).toBe(Math.fround(parseFloat('-1.35980713367380123456')));
    expect(x[2]).toBe(Math.fround(1.5e-30));
    expect(x[3]).toBe(3.25);
    expect(parsed.errors).toEqual([]);
  });

  it('reports a missing Class value on a file that has the column', () => {
    const input = `${HEADER}\n${row(0, null)}\n`;
    expect(thrown(input).message).toBe('line 2: expected 31 values, found 30');
  });

  it('counts lines with CRLF the same way', () => {
    const input = csv(4, { eol: '\r\n' }).replace(row(2), row(2, '9'));
    expect(thrown(input).message).toBe('line 4, column Class: "9" must be 0 or 1');
    expect(HEADER.split(',')).toHaveLength(31);
  });
});
