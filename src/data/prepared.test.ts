import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { csv, HEADER, row } from './__fixtures__/csv.js';
import { fingerprintBuffer } from './fingerprint.js';
import {
  currentPreparedFingerprint,
  loadPreparedDataset,
  prepareDataset,
  preparedMetaSchema,
  setCurrentPrepared,
} from './prepared.js';
import { rejection } from '../util/__fixtures__/rejection.js';

const root = mkdtempSync(join(tmpdir(), 'cardwatch-prepared-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let preparedDir = '';
let counter = 0;
beforeEach(() => {
  preparedDir = join(root, `prepared-${counter++}`);
});

function input(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

const text = csv(50);
const fingerprint = fingerprintBuffer(new TextEncoder().encode(text));

describe('prepareDataset', () => {
  it('stores the arrays and meta under the fingerprint and makes the dataset current', async () => {
    const path = input('good.csv', text);
    const stages = new Set<string>();
    const prepared = await prepareDataset({
      input: path,
      preparedDir,
      onProgress: (stage) => stages.add(stage),
    });
    expect(prepared.reused).toBe(false);
    expect(prepared.skipped).toBe(0);
    expect(prepared.fingerprint).toBe(fingerprint);
    expect(prepared.dir).toBe(join(preparedDir, fingerprint));
    expect([...stages]).toEqual(['fingerprint', 'parse', 'write']);
    expect(readdirSync(prepared.dir).sort()).toEqual(['meta.json', 'x.f32', 'y.u8']);
    expect(readFileSync(join(prepared.dir, 'x.f32')).length).toBe(50 * 30 * 4);
    const meta = preparedMetaSchema.parse(JSON.parse(readFileSync(join(prepared.dir, 'meta.json'), 'utf8')));
    expect(meta).toMatchObject({
      format_version: 1,
      fingerprint,
      source: path,
      rows: 50,
      frauds: 10,
      class_balance: { normal: 40, fraud: 10, fraud_rate: 0.2 },
      skipped_rows: 0,
      skipped_examples: [],
      time_range: [0, 49 * 7],
    });
    expect(currentPreparedFingerprint(preparedDir)).toBe(fingerprint);
    // Only the dataset folder and CURRENT: no temporary folder left behind.
    expect(readdirSync(preparedDir).sort()).toEqual(['CURRENT', fingerprint].sort());
  });

  it('reuses a prepared file, and loads back exactly what was parsed', async () => {
    const path = input('again.csv', text);
    const first = await prepareDataset({ input: path, preparedDir });
    const second = await prepareDataset({ input: path, preparedDir });
    expect(second.reused).toBe(true);
    expect(second.meta).toEqual(first.meta);
    expect(Buffer.from(second.dataset.x.buffer).equals(Buffer.from(first.dataset.x.buffer))).toBe(true);
    expect(second.dataset.y).toEqual(first.dataset.y);
    const loaded = loadPreparedDataset(preparedDir, fingerprint);
    expect(loaded.dataset.rows).toBe(50);
    expect(loaded.dataset.columns).toEqual(first.dataset.columns);
    expect(Array.from(loaded.dataset.x)).toEqual(Array.from(first.dataset.x));
  });

  it('skips bad rows only when asked, and records them', async () => {
    const lines = text.split('\n');
    lines[3] = row(2, '5');
    lines[8] = 'nonsense';
    const path = input('bad.csv', lines.join('\n'));
    const error = await rejection(prepareDataset({ input: path, preparedDir }));
    expect(error.code).toBe('CSV_ROW');
    expect(error.message).toBe('line 4, column Class: "5" must be 0 or 1');
    const prepared = await prepareDataset({ input: path, preparedDir, skipBadRows: true });
    expect(prepared.skipped).toBe(2);
    expect(prepared.dataset.rows).toBe(48);
    expect(prepared.meta.skipped_rows).toBe(2);
    expect(prepared.meta.skipped_examples.map((e) => e.line)).toEqual([4, 9]);
    // Reusing it without skipping refuses the file, as parsing it again would.
    const again = await rejection(prepareDataset({ input: path, preparedDir }));
    expect(again.message).toBe('line 4, column Class: "5" must be 0 or 1');
    expect((await prepareDataset({ input: path, preparedDir, skipBadRows: true })).reused).toBe(true);
  });

  it('refuses a file with no rows, or with one class only', async () => {
    const empty = await rejection(prepareDataset({ input: input('empty.csv', `${HEADER}\n`), preparedDir }));
    expect(empty.code).toBe('DATA_INVALID');
    expect(empty.message).toMatch(/has no data rows/);
    const normalOnly = [HEADER, row(1), row(2), row(3)].join('\n');
    const oneClass = await rejection(
      prepareDataset({ input: input('one-class.csv', normalOnly), preparedDir }),
    );
    expect(oneClass.code).toBe('DATA_INVALID');
    expect(oneClass.message).toMatch(/only normal rows \(Class 0\)/);
    expect(currentPreparedFingerprint(preparedDir)).toBeNull();
  });

  it('refuses a file without labels and a missing file', async () => {
    const noClass = [HEADER.replace(',Class', ''), row(1, null)].join('\n');
    expect(
      (await rejection(prepareDataset({ input: input('nolabel.csv', noClass), preparedDir }))).code,
    ).toBe('CSV_HEADER');
    const missing = join(root, 'missing.csv');
    const error = await rejection(prepareDataset({ input: missing, preparedDir }));
    expect(error.code).toBe('DATA_NOT_FOUND');
    expect(error.message).toBe(`no such file: ${missing}`);
  });

  it('rebuilds a damaged earlier preparation', async () => {
    const path = input('rebuild.csv', text);
    const first = await prepareDataset({ input: path, preparedDir });
    truncateSync(join(first.dir, 'x.f32'), 100);
    const second = await prepareDataset({ input: path, preparedDir });
    expect(second.reused).toBe(false);
    expect(readFileSync(join(first.dir, 'x.f32')).length).toBe(50 * 30 * 4);
  });
});

describe('loadPreparedDataset', () => {
  it('names the missing dataset and how to make one', () => {
    expect(() => loadPreparedDataset(preparedDir, fingerprint)).toThrow(
      new CardwatchError(
        'DATA_NOT_FOUND',
        `no prepared dataset ${fingerprint.slice(0, 12)} under ${preparedDir}; ` +
          'run `cardwatch data prepare --input FILE`',
      ),
    );
    expect(() => loadPreparedDataset(preparedDir, '../etc')).toThrow(/not a dataset fingerprint/);
  });

  const damage: [string, (dir: string) => void, RegExp][] = [
    ['a short x.f32', (dir) => truncateSync(join(dir, 'x.f32'), 12), /x\.f32: 12 bytes, expected 6000/],
    ['a missing y.u8', (dir) => rmSync(join(dir, 'y.u8')), /y\.u8: the file is missing/],
    [
      'a label that is not 0 or 1',
      (dir) => writeFileSync(join(dir, 'y.u8'), new Uint8Array(50).fill(2)),
      /y\.u8: label 2/,
    ],
    [
      'labels that disagree with meta',
      (dir) => writeFileSync(join(dir, 'y.u8'), new Uint8Array(50)),
      /0 frauds, meta\.json says 10/,
    ],
    [
      'a non-finite value',
      (dir) => writeFileSync(join(dir, 'x.f32'), new Float32Array(1500).fill(NaN)),
      /x\.f32: value 0/,
    ],
    ['meta.json that is not JSON', (dir) => writeFileSync(join(dir, 'meta.json'), '{'), /meta\.json: /],
    [
      'meta.json of the wrong shape',
      (dir) => {
        const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
        writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...meta, rows: -3 }));
      },
      /meta\.json: rows: /,
    ],
  ];
  for (const [what, harm, message] of damage) {
    it(`refuses ${what} with DATA_INVALID naming the file`, async () => {
      const prepared = await prepareDataset({ input: input(`damage-${counter}.csv`, text), preparedDir });
      harm(prepared.dir);
      let error: unknown;
      try {
        loadPreparedDataset(preparedDir, fingerprint);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CardwatchError);
      expect((error as CardwatchError).code).toBe('DATA_INVALID');
      expect((error as CardwatchError).message).toMatch(message);
      expect((error as CardwatchError).message).toContain(prepared.dir);
    });
  }
});

describe('CURRENT', () => {
  it('is null without CURRENT, for garbage, and when it points at a missing dataset', async () => {
    expect(currentPreparedFingerprint(preparedDir)).toBeNull();
    const prepared = await prepareDataset({ input: input('current.csv', text), preparedDir });
    expect(currentPreparedFingerprint(preparedDir)).toBe(prepared.fingerprint);
    writeFileSync(join(preparedDir, 'CURRENT'), 'not a fingerprint\n');
    expect(currentPreparedFingerprint(preparedDir)).toBeNull();
    writeFileSync(join(preparedDir, 'CURRENT'), `${'0'.repeat(64)}\n`);
    expect(currentPreparedFingerprint(preparedDir)).toBeNull();
    setCurrentPrepared(preparedDir, prepared.fingerprint);
    expect(readFileSync(join(preparedDir, 'CURRENT'), 'utf8')).toBe(`${prepared.fingerprint}\n`);
    rmSync(prepared.dir, { recursive: true });
    expect(currentPreparedFingerprint(preparedDir)).toBeNull();
  });

  it('can only point at an existing dataset', () => {
    expect(() => setCurrentPrepared(preparedDir, 'f'.repeat(64))).toThrow(/no prepared dataset ffffffffffff/);
    expect(existsSync(join(preparedDir, 'CURRENT'))).toBe(false);
  });

  it('moves to the last prepared dataset', async () => {
    const a = await prepareDataset({ input: input('a.csv', text), preparedDir });
    const b = await prepareDataset({ input: input('b.csv', csv(20)), preparedDir });
    expect(currentPreparedFingerprint(preparedDir)).toBe(b.fingerprint);
    const again = await prepareDataset({ input: input('a.csv', text), preparedDir });
    expect(again.reused).toBe(true);
    expect(currentPreparedFingerprint(preparedDir)).toBe(a.fingerprint);
  });
});
