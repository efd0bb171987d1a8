import { describe, expect, it } from 'vitest';
import { createFeatureMapper, decodeFeatures, encodeFeatures } from './features.js';

describe('feature BLOBs', () => {
  it('round-trip 28 float32 values, also from an unaligned buffer', () => {
    const features = Float32Array.from({ length: 28 }, (_, i) => i * 0.1 - 1);
    const blob = encodeFeatures(features);
    expect(blob.byteLength).toBe(112);
    const unaligned = Buffer.alloc(113);
    blob.copy(unaligned, 1);
    expect(decodeFeatures(unaligned.subarray(1))).toEqual(features);
  });
});

describe('createFeatureMapper', () => {
  it('splits a Time, V…, Amount row; V columns the model does not take are NaN', () => {
    const split = createFeatureMapper(['Time', 'V2', 'V1', 'Amount']);
    const { features, amount, time } = split([10, 0.5, -1, 99.5]);
    expect(time).toBe(10);
    expect(amount).toBe(99.5);
    expect(features[0]).toBe(-1);
    expect(features[1]).toBe(0.5);
    expect(Number.isNaN(features[2])).toBe(true);
  });

  it('maps the default V1..V28 model with no Amount/Time', () => {
    const split = createFeatureMapper(Array.from({ length: 28 }, (_, i) => `V${i + 1}`));
    const values = Array.from({ length: 28 }, (_, i) => i);
    expect(split(values)).toEqual({ features: Float32Array.from(values), amount: null, time: null });
  });

  it('rejects an unknown column and a wrong row width', () => {
    expect(() => createFeatureMapper(['V1', 'V29'])).toThrow('cannot log model input column "V29"');
    expect(() => createFeatureMapper(['V1', 'V2'])([1])).toThrow('expected 2 values');
  });
});
