/**
 * Property test: thousands of random, seeded bodies at the scoring routes (wrong types and lengths, NaN and
 * 1e999, strings, nested junk, huge arrays, truncated JSON, empty bodies, wrong content types, odd queries).
 * Every answer must be a well-formed 2xx, or a 4xx in the one error shape; never a 5xx, never a stack trace;
 * and the server must still be healthy and scoring afterwards.
 */
import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_COLUMNS } from '../data/columns.js';
import {
  closeHarnesses,
  ERROR_KEYS,
  harness,
  PREDICTION_KEYS,
  type Harness,
} from './__fixtures__/harness.js';
import { V1_TO_V28 } from './__fixtures__/fake-scorer.js';

const RUNS = 1500;

const numberish = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e-320, 1e38, 3.4e38, -3.4e38, 3.4028235e38, 1e39, Number.MAX_SAFE_INTEGER),
);
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constant(null),
  fc.boolean(),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }),
);
const features = fc.oneof(
  fc.array(numberish, { minLength: 28, maxLength: 28 }),
  fc.array(numberish, { maxLength: 64 }),
  fc.array(fc.oneof(numberish, junk), { minLength: 28, maxLength: 28 }),
  junk,
);
const row = fc.record(
  {
    features,
    amount: fc.oneof(numberish, junk),
    time: fc.oneof(numberish, junk),
    transaction_id: fc.oneof(fc.string({ maxLength: 200 }), junk),
    Amount: numberish,
    extra: junk,
  },
  { requiredKeys: [] },
);

/** Rows a client would send: the path that scores and logs must hold up under fuzzing too. */
const plausible = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const validRow = fc.record(
  {
    features: fc.array(plausible, { minLength: 28, maxLength: 28 }),
    amount: plausible,
    time: plausible,
    transaction_id: fc.string({ minLength: 1, maxLength: 128 }),
  },
  { requiredKeys: ['features', 'amount', 'time'] },
);
const anyRow = fc.oneof({ weight: 2, arbitrary: row }, { weight: 1, arbitrary: validRow });

/** Replaces the k-th number of a JSON text by a literal JSON.stringify cannot produce. */
function injectLiteral(json: string, k: number, literal: string): string {
  let seen = 0;
  return json.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, (match) => (seen++ === k ? literal : match));
}

const text = (rowArb: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: rowArb.map((value) => JSON.stringify(value) ?? '') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          rowArb,
          fc.nat(40),
          fc.constantFrom('1e999', '-1e999', 'NaN', 'Infinity', '1e39', '0x10', '01', '.5'),
        )
        .map(([value, k, literal]) => injectLiteral(JSON.stringify(value) ?? '', k, literal)),
    },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
    {
      weight: 1,
      arbitrary: rowArb.chain((value) => {
        const json = JSON.stringify(value) ?? '';
        return fc.nat(json.length).map((cut) => json.slice(0, cut)); // truncated
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 20_000 })
        .map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 5_000 })
        .map((depth) => `{"features":${'['.repeat(depth)}1${']'.repeat(depth)}}`),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 100, max: 60_000 }).map((n) => `{"features":[${'1,'.repeat(n)}1]}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'null',
        '{}',
        '[]',
        '"',
        '{"__proto__":{"x":1}}',
        '{"constructor":{"prototype":{}}}',
      ),
    },
  );

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | undefined>('application/json') },
  { weight: 1, arbitrary: fc.constant<string | undefined>('application/json; charset=utf-8') },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | undefined>(
      'text/plain',
      'text/csv',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
      undefined,
    ),
  },
);
const query = fc.constantFrom(
  '',
  '',
  '',
  '?engine=int8',
  '?engine=float32',
  '?engine=fp16',
  '?x=1',
  '?engine=int8&engine=float32',
);

/** A CSV body: the Kaggle header (or a broken one) and random lines. */
const csv = fc
  .tuple(
    fc.constantFrom(INPUT_COLUMNS.join(','), `${INPUT_COLUMNS.join(',')},Class`, 'Time,V1', '', '"Time",V1'),
    fc.array(
      fc.oneof(
        fc
          .array(fc.oneof(numberish.map(String), fc.constantFrom('', 'abc', 'NaN', '1e999', '"1"')), {
            minLength: 29,
            maxLength: 32,
          })
          .map((cells) => cells.join(',')),
        fc.string({ maxLength: 60 }),
      ),
      { maxLength: 20 },
    ),
    fc.constantFrom('\n', '\r\n'),
  )
  .map(([header, lines, eol]) => [header, ...lines].join(eol));

function expectWellFormed(res: LightMyRequestResponse, url: string): void {
  const where = `${url} → ${res.statusCode} ${res.body.slice(0, 200)}`;
  expect(res.statusCode < 300 || (res.statusCode >= 400 && res.statusCode < 500), where).toBe(true);
  expect(res.headers['content-type'], where).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(res.body, where).not.toMatch(/\bat .*\.(ts|js):\d+|"stack"/);
  if (res.statusCode >= 400) {
    expect(Object.keys(body).sort(), where).toEqual(ERROR_KEYS);
    expect(body.statusCode, where).toBe(res.statusCode);
    expect(typeof body.code === 'string' && typeof body.message === 'string', where).toBe(true);
    expect((body.message as string).length, where).toBeLessThanOrEqual(1001);
  } else if (url.startsWith('/predict/batch')) {
    const results = body.results as unknown[];
    expect(results.length, where).toBe(body.rows);
  } else {
    expect(Object.keys(body).sort(), where).toEqual(PREDICTION_KEYS);
  }
}

async function expectStillHealthy(app: FastifyInstance): Promise<void> {
  expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  const res = await app.inject({
    method: 'POST',
    url: '/predict',
    payload: { features: new Array(28).fill(0.5), amount: 1, time: 2 },
  });
  expect(res.statusCode).toBe(200);
}

describe.each([
  ['V1..V28', V1_TO_V28],
  ['Time, V1..V28, Amount', ['Time', ...V1_TO_V28, 'Amount']],
])('fuzzing the scoring routes of a model on %s', (_name, inputColumns) => {
  let h: Harness;
  const statuses = new Map<number, number>();
  beforeAll(async () => {
    h = await harness({
      withLog: true,
      scorer: { inputColumns, engines: ['float32', 'int8'] },
      app: { batchMaxRows: 50 },
    });
  });
  afterAll(closeHarnesses);

  it(`answers ${RUNS} random POST /predict bodies with a 2xx or a 4xx error object`, async () => {
    await fc.assert(
      fc.asyncProperty(text(anyRow), contentType, query, async (body, type, q) => {
        const url = `/predict${q}`;
        const res = await h.app.inject({
          method: 'POST',
          url,
          headers: type === undefined ? {} : { 'content-type': type },
          payload: body,
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expectWellFormed(res, url);
      }),
      { seed: 424242, numRuns: RUNS },
    );
    // The generator reaches both sides: real scores and every kind of refusal.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(413)).toBeGreaterThan(0);
    expect(statuses.get(415)).toBeGreaterThan(0);
  });

  it(`answers ${RUNS} random POST /predict/batch bodies (JSON and CSV) the same way`, async () => {
    const jsonBatch = text(
      fc.record({ rows: fc.array(fc.oneof(anyRow, junk), { maxLength: 60 }) }, { requiredKeys: [] }),
    );
    const body = fc.oneof(
      fc.tuple(jsonBatch, contentType),
      fc.tuple(
        csv,
        fc.constantFrom<string | undefined>('text/csv', 'text/csv; charset=utf-8', 'application/json'),
      ),
    );
    let scored = 0;
    await fc.assert(
      fc.asyncProperty(body, query, async ([payload, type], q) => {
        const url = `/predict/batch${q}`;
        const res = await h.app.inject({
          method: 'POST',
          url,
          headers: type === undefined ? {} : { 'content-type': type },
          payload,
        });
        expectWellFormed(res, url);
        if (res.statusCode === 200) scored += res.json<{ scored: number }>().scored;
      }),
      { seed: 737373, numRuns: RUNS },
    );
    expect(scored).toBeGreaterThan(20); // valid rows were scored and logged, too
  });

  it('is still healthy and scoring afterwards, and never logged a server error', async () => {
    await expectStillHealthy(h.app);
    expect(h.logs.filter((entry) => (entry.level as number) >= 50)).toEqual([]);
    expect(h.log?.healthy()).toBe(true);
  });
});
