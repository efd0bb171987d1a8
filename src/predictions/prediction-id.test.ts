import { describe, expect, it } from 'vitest';
import { newPredictionId, predictionIdTime } from './prediction-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newPredictionId', () => {
  it('is a UUID v7 whose first 48 bits are the time', () => {
    const at = Date.UTC(2024, 4, 1, 12);
    const id = newPredictionId(at + 10_000_000); // later than any id made so far in this file
    expect(id).toMatch(UUID_V7);
    expect(predictionIdTime(id)).toBe(at + 10_000_000);
  });

  it('sorts in creation order, also within one millisecond and when the clock steps back', () => {
    const at = Date.UTC(2030, 0, 1);
    const ids = [
      ...Array.from({ length: 5000 }, () => newPredictionId(at)), // overflows the 12-bit counter once
      newPredictionId(at - 60_000),
      newPredictionId(at + 5),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // 4096 ids fit in one millisecond; the rest borrow the next one instead of reordering.
    expect(predictionIdTime(ids[4095])).toBe(at);
    expect(predictionIdTime(ids[4096])).toBe(at + 1);
  });

  it('predictionIdTime is null for other UUIDs', () => {
    expect(predictionIdTime('8d2f6f5e-2f0b-4c1e-9a55-0c2d3e4f5a6b')).toBeNull();
    expect(predictionIdTime('nope')).toBeNull();
  });
});
