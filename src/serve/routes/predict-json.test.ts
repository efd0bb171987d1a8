import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { predictResponseJson, topFeaturesTexts, TOP_FEATURES_JSON } from './predict-json.js';
import { predictResponseSchema, type PredictResponse } from './predict-schemas.js';

const contribution = fc.record({
  feature: fc.string({ unit: 'binary', maxLength: 12 }),
  contribution: fc.double({ noNaN: true, noDefaultInfinity: true }),
  share: fc.double({ min: 0, max: 1, noNaN: true }),
});

const answer: fc.Arbitrary<PredictResponse> = fc.record({
  prediction_id: fc.oneof(fc.uuid(), fc.string({ unit: 'binary' })),
  transaction_id: fc.option(fc.string({ unit: 'binary' }), { nil: null }),
  is_fraud: fc.boolean(),
  score: fc.double({ noNaN: true, noDefaultInfinity: true }),
  threshold: fc.double({ noNaN: true, noDefaultInfinity: true }),
  risk: fc.constantFrom('low', 'moderate', 'high'),
  model_version: fc.string({ unit: 'binary' }),
  engine: fc.constantFrom('float32', 'int8'),
  top_features: fc.array(contribution, { maxLength: 30 }),
});

describe('predictResponseJson', () => {
  it('is JSON.stringify of the answer as the schema orders it, for any answer of the schema', () => {
    fc.assert(
      fc.property(answer, (value) => {
        expect(predictResponseJson(value)).toBe(JSON.stringify(predictResponseSchema.parse(value)));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes every field of the schema (a field added to the schema must be added here)', () => {
    const text = predictResponseJson({
      prediction_id: '0190a1b2-c3d4-7e5f-8a6b-0123456789ab',
      transaction_id: 'tx "1"',
      is_fraud: true,
      score: 0.25,
      threshold: 0.1,
      risk: 'high',
      model_version: 'autoencoder-1',
      engine: 'int8',
      top_features: [{ feature: 'V14', contribution: 3.5, share: 0.75 }],
    });
    expect(Object.keys(JSON.parse(text) as object)).toEqual(Object.keys(predictResponseSchema.shape));
    expect(JSON.parse(text)).toMatchObject({ transaction_id: 'tx "1"', top_features: [{ feature: 'V14' }] });
  });

  it('writes the same text when the answer carries its top features already written', () => {
    fc.assert(
      fc.property(answer, (value) => {
        const carried = { ...value, [TOP_FEATURES_JSON]: topFeaturesTexts(value.top_features).answer };
        expect(predictResponseJson(carried)).toBe(predictResponseJson(value));
        // The carried text is invisible to every other reader of the answer.
        expect(JSON.stringify(carried)).toBe(JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
  });
});

describe('topFeaturesTexts', () => {
  it("writes the answer's and the log's JSON of any top features, as JSON.stringify does", () => {
    fc.assert(
      fc.property(fc.array(contribution, { maxLength: 30 }), (top) => {
        const texts = topFeaturesTexts(top);
        expect(texts.answer).toBe(JSON.stringify(top));
        expect(texts.log).toBe(
          JSON.stringify(top.map((item) => ({ name: item.feature, contribution: item.contribution }))),
        );
      }),
      { numRuns: 3000 },
    );
  });
});
