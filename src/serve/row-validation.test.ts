import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { predictRowSchema } from './routes/predict-schemas.js';
import { checkRow, isPlainValidRow, transactionIdOf } from './row-validation.js';

const number = fc.oneof(
  fc.double({ noNaN: false }),
  fc.constantFrom(0, -0, 3.4028234663852886e38, 3.4028235677973366e38, 1e39, -1e39, Number.MAX_VALUE),
  fc.integer(),
);
const value = fc.oneof(
  number,
  fc.string({ maxLength: 4 }),
  fc.constant(null),
  fc.boolean(),
  fc.constant(undefined),
);
const row = fc.record(
  {
    features: fc.oneof(fc.array(number, { maxLength: 30 }), fc.array(value, { maxLength: 5 }), value),
    amount: value,
    time: value,
    transaction_id: fc.oneof(fc.string({ maxLength: 130 }), value),
    extra: value,
  },
  { requiredKeys: [] },
);

describe('isPlainValidRow (the fast path)', () => {
  it('accepts only rows the schema accepts (property, seeded)', () => {
    fc.assert(
      fc.property(fc.oneof(row, fc.anything()), (candidate) => {
        if (isPlainValidRow(candidate)) expect(predictRowSchema.safeParse(candidate).success).toBe(true);
      }),
      { seed: 20260101, numRuns: 5000 },
    );
  });

  it('accepts the common valid row', () => {
    expect(isPlainValidRow({ features: [1, 2, 3], amount: 1.5, transaction_id: 't' })).toBe(true);
  });
});

describe('checkRow', () => {
  it('agrees with the schema on every row (property, seeded)', () => {
    fc.assert(
      fc.property(row, (candidate) => {
        const checked = checkRow(candidate);
        expect(checked.error === undefined).toBe(predictRowSchema.safeParse(candidate).success);
      }),
      { seed: 7, numRuns: 5000 },
    );
  });

  it.each([
    [{ features: [1, 'x'] }, 'features[1] must be a finite number, got a string ("x")'],
    [null, 'row must be a JSON object like {"features": [...]}, got null'],
    [{ features: [1e39] }, 'features[0] must fit in float32 (|x| <= 3.4028235e+38), got 1e+39'],
  ])('words the problem like POST /predict does: %j', (candidate, message) => {
    expect(checkRow(candidate).error).toBe(message);
  });

  it('takes a value that rounds to the largest float32 (left to zod by the fast path)', () => {
    expect(isPlainValidRow({ features: [3.4028235e38] })).toBe(false);
    expect(checkRow({ features: [3.4028235e38] }).error).toBeUndefined();
  });
});

describe('transactionIdOf', () => {
  it.each([
    [{ transaction_id: 'abc' }, 'abc'],
    [{ transaction_id: 5 }, null],
    [{ transaction_id: 'x'.repeat(129) }, null],
    ['text', null],
  ])('%j → %j', (candidate, id) => {
    expect(transactionIdOf(candidate)).toBe(id);
  });
});
