import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFeatures } from './features.js';
import { toQueuedPrediction, topFeaturesJson } from './queued-prediction.js';
import type { PredictionRecord } from './types.js';

const record: PredictionRecord = {
  predictionId: 'p-1',
  createdAt: 1_700_000_000_000,
  transactionId: 'tx-1',
  modelVersion: 'autoencoder-1',
  engine: 'float32',
  score: 0.5,
  threshold: 0.25,
  isFraud: true,
  latencyMs: 1.5,
  features: Array.from({ length: 28 }, (_, i) => i / 10),
  amount: 12.5,
  time: null,
  topFeatures: [
    { name: 'V14', contribution: 3.25 },
    { name: 'V3', contribution: 0.5 },
  ],
};

describe('topFeaturesJson', () => {
  it('is JSON.stringify of any list of top features', () => {
    const item = fc.record({
      name: fc.string({ unit: 'binary', maxLength: 12 }),
      contribution: fc.double(),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), (top) => {
        expect(topFeaturesJson(top)).toBe(JSON.stringify(top));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('toQueuedPrediction', () => {
  it('copies the features (an array stays one, other array-likes become float32) and the top features into their JSON', () => {
    const features = [...(record.features as number[])];
    const queued = toQueuedPrediction({ ...record, features });
    features[0] = 99;
    expect(Array.isArray(queued.features)).toBe(true);
    expect(queued.features[0]).toBe(0);
    expect(queued.features[27]).toBe(2.7);
    // Stored as the same float32 bytes either way.
    const typed = Float32Array.from(features.map((v, i) => (i === 0 ? 0 : v)));
    const fromTyped = toQueuedPrediction({ ...record, features: typed });
    typed[1] = 99;
    expect(fromTyped.features).toBeInstanceOf(Float32Array);
    expect(fromTyped.features[1]).toBeCloseTo(0.1, 6);
    expect(encodeFeatures(fromTyped.features)).toEqual(encodeFeatures(queued.features));
    expect(JSON.parse(queued.topFeaturesJson as string)).toEqual(record.topFeatures);
    expect(queued).toMatchObject({ isFraud: 1, amount: 12.5, time: null, transactionId: 'tx-1' });
    expect(toQueuedPrediction({ ...record, topFeatures: null }).topFeaturesJson).toBeNull();
    // A caller that wrote the JSON already hands it over; it is stored as given.
    const written = '[{"name":"V1","contribution":2}]';
    expect(toQueuedPrediction({ ...record, topFeaturesJson: written }).topFeaturesJson).toBe(written);
  });

  it('names the field of a record the service should never have produced', () => {
    expect(() => toQueuedPrediction({ ...record, score: NaN })).toThrow(/score must be a finite number/);
    expect(() => toQueuedPrediction({ ...record, features: [1, 2] })).toThrow(/28 values/);
    expect(() => toQueuedPrediction({ ...record, predictionId: '' })).toThrow(/predictionId/);
    expect(() => toQueuedPrediction({ ...record, engine: 'fp16' as 'int8' })).toThrow(
      /engine must be one of/,
    );
  });
});
