import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidTransaction, parseTransaction, streamTransactionSchema } from './transaction.js';

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const number = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, 3.4028234663852886e38, 3.4028235e38, 3.41e38, -3.5e38, Number.MAX_VALUE, 1e-50),
);
const value = fc.oneof(number, fc.constant(null), fc.string(), fc.boolean());
const transaction = fc.record(
  {
    features: fc.oneof(fc.array(number, { maxLength: 30 }), fc.array(value, { maxLength: 30 }), value),
    amount: value,
    time: value,
    transaction_id: fc.oneof(fc.string({ maxLength: 130 }), value),
    Amount: value,
    extra: value,
  },
  { requiredKeys: [] },
);

/** Mostly valid messages, so both answers are exercised near the boundary. */
const nearlyValid = fc.record(
  {
    features: fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), number), {
      maxLength: 30,
    }),
    amount: fc.oneof(number, fc.constant(null)),
    time: fc.oneof(number, fc.constant(null)),
    transaction_id: fc.string({ maxLength: 130 }),
  },
  { requiredKeys: ['features', 'transaction_id'] },
);

describe('the transaction message', () => {
  it('the hand-written check accepts exactly what the API schema accepts', () => {
    const outcomes = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(fc.oneof(transaction, nearlyValid, value, fc.array(value)), (input) => {
        // JSON round trip: what a message can carry (no undefined, no -0 distinction needed).
        const json: unknown = JSON.parse(JSON.stringify(input) ?? 'null');
        const expected = streamTransactionSchema.safeParse(json).success;
        outcomes[expected ? 'valid' : 'invalid'] += 1;
        expect(isValidTransaction(json)).toBe(expected);
      }),
      { numRuns: 5_000 },
    );
    expect(outcomes.valid).toBeGreaterThan(100);
    expect(outcomes.invalid).toBeGreaterThan(100);
  });

  it('reasons name the field, as the API does', () => {
    expect(parseTransaction(encode({ features: [1, 'x'], transaction_id: 't' }))).toEqual({
      ok: false,
      reason: expect.stringMatching(/^features\.1 must be a finite number/),
    });
    expect(parseTransaction(encode({ features: [1], transaction_id: '' }))).toEqual({
      ok: false,
      reason: 'transaction_id must not be empty',
    });
    expect(parseTransaction(new Uint8Array([0xff, 0xfe]))).toMatchObject({ ok: false, reason: /^not JSON/ });
    expect(parseTransaction(encode({ features: [1, 2], amount: null, transaction_id: 't1' }))).toEqual({
      ok: true,
      transaction: { features: [1, 2], amount: null, transaction_id: 't1' },
    });
  });
});
