import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { servingScorerOptions } from './serving-scorer.js';

describe('servingScorerOptions', () => {
  it("leaves ONNX Runtime's threads to ORT by default (0), and passes any other count", () => {
    const config = loadConfig({ overrides: [] });
    expect(config.serve.onnx_threads).toBe(0);
    expect(servingScorerOptions(config)).toEqual({});
    const one = loadConfig({ overrides: ['serve.onnx_threads=1'] });
    expect(servingScorerOptions(one)).toEqual({ intraOpThreads: 1 });
    const four = loadConfig({ overrides: ['serve.onnx_threads=4'] });
    expect(servingScorerOptions(four)).toEqual({ intraOpThreads: 4 });
  });
});
