import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { servingScorerOptions } from './serving-scorer.js';

describe('servingScorerOptions', () => {
  it('runs each model run on one ONNX Runtime thread by default, and leaves 0 to ORT', () => {
    const config = loadConfig({ overrides: [] });
    expect(config.serve.onnx_threads).toBe(1);
    expect(servingScorerOptions(config)).toEqual({ intraOpThreads: 1 });
    const ortDefault = loadConfig({ overrides: ['serve.onnx_threads=0'] });
    expect(servingScorerOptions(ortDefault)).toEqual({});
    const four = loadConfig({ overrides: ['serve.onnx_threads=4'] });
    expect(servingScorerOptions(four)).toEqual({ intraOpThreads: 4 });
  });
});
