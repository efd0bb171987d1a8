import { describe, expect, it } from 'vitest';
import { parseKaggleCsv } from './csv-parse.js';
import { formatDriftSpec, parseDriftSpec } from './drift-spec.js';
import { generateSyntheticCsv } from './synthetic.js';

describe('parseDriftSpec', () => {
  it('parses columns, operations and the fraud rate', () => {
    expect(parseDriftSpec('V1:shift=2,V4:scale=1.5,V4:shift=-1,fraud_rate=0.01')).toEqual({
      columns: { V1: { shift: 2, scale: 1 }, V4: { shift: -1, scale: 1.5 } },
      fraud_rate: 0.01,
    });
    expect(formatDriftSpec(parseDriftSpec(' Amount:scale=3 , V2:shift=0.5'))).toBe(
      'V2:shift=0.5,Amount:scale=3',
    );
  });

  it.each([
    ['', /an item is empty/],
    ['V1:shift=2,,V2:shift=1', /an item is empty/],
    ['V1', /"V1" is not an item; expected items like V1:shift=2/],
    ['V29:shift=1', /unknown column "V29" in "V29:shift=1"; columns are V1..V28 and Amount/],
    ['Time:shift=1', /unknown column "Time"/],
    ['V1:tilt=1', /unknown operation "tilt" in "V1:tilt=1"; use shift or scale/],
    ['V1:shift=abc', /in "V1:shift=abc", "abc" is not a number/],
    ['V1:shift=', /"" is not a number/],
    ['V1:scale=0', /V1:scale: scale must be > 0/],
    ['V1:shift=1,V1:shift=2', /V1:shift is given twice/],
    ['fraud_rate=2', /fraud_rate: fraud_rate must be in \[0, 1\]/],
    ['fraud_rate=0.1,fraud_rate=0.2', /fraud_rate is given twice/],
  ])('refuses %j with a clear message', (spec, message) => {
    expect(() => parseDriftSpec(spec)).toThrow(message);
    try {
      parseDriftSpec(spec);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('INVALID_INPUT');
    }
  });
});

describe('generateSyntheticCsv with a drift spec', () => {
  const rows = 4000;
  const column = (csv: string, name: string) => {
    const { dataset } = parseKaggleCsv(csv);
    const c = dataset.columns.indexOf(name);
    return Array.from({ length: dataset.rows }, (_, r) => dataset.x[r * dataset.columns.length + c]!);
  };
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

  it('without drift the output is unchanged (byte-identical to no spec)', () => {
    expect(generateSyntheticCsv({ rows: 50, seed: 3, drift: parseDriftSpec('fraud_rate=0.5') })).not.toBe(
      generateSyntheticCsv({ rows: 50, seed: 3 }),
    );
    expect(generateSyntheticCsv({ rows: 50, seed: 3, drift: { columns: {} } })).toBe(
      generateSyntheticCsv({ rows: 50, seed: 3 }),
    );
  });

  it('shifts and scales the named columns only, and sets the fraud rate exactly', () => {
    const base = generateSyntheticCsv({ rows, seed: 7 });
    const drifted = generateSyntheticCsv({ rows, seed: 7, drift: parseDriftSpec('V1:shift=2,V4:scale=3') });
    expect(mean(column(drifted, 'V1')) - mean(column(base, 'V1'))).toBeCloseTo(2, 4);
    const v4 = column(base, 'V4');
    const v4Drifted = column(drifted, 'V4');
    expect(v4Drifted[10]! / v4[10]!).toBeCloseTo(3, 4);
    expect(column(drifted, 'V2')).toEqual(column(base, 'V2'));
    const { dataset } = parseKaggleCsv(
      generateSyntheticCsv({ rows, seed: 7, drift: parseDriftSpec('fraud_rate=0.05') }),
    );
    expect(dataset.y?.reduce((sum, label) => sum + label, 0)).toBe(200);
  });
});
