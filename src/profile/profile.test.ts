import { describe, expect, it } from 'vitest';
import {
  buildProfileReport,
  type CpuProfile,
  cpuProfileBreakdown,
  profileReportSchema,
  startCpuProfile,
} from './index.js';

/** root → main → {gemm (wasm), (garbage collector)}, with a known timeline. */
const PROFILE: CpuProfile = {
  nodes: [
    {
      id: 1,
      callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 },
      children: [2, 5],
    },
    {
      id: 2,
      callFrame: {
        functionName: 'epoch',
        url: 'file:///x/dist/nn/trainer.js',
        lineNumber: 9,
        columnNumber: 0,
      },
      children: [3],
    },
    {
      id: 3,
      callFrame: { functionName: 'wasm-function[0]', url: 'wasm://wasm/abc', lineNumber: 0, columnNumber: 0 },
    },
    {
      id: 4,
      callFrame: {
        functionName: 'epoch',
        url: 'file:///x/dist/nn/trainer.js',
        lineNumber: 9,
        columnNumber: 0,
      },
    },
    { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1, columnNumber: -1 } },
  ],
  startTime: 0,
  endTime: 10_000,
  samples: [3, 3, 3, 2, 4, 5, 3],
  // Each sample lasts until the next one: 1 ms apart, the last one has no known end.
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000],
};

describe('cpuProfileBreakdown', () => {
  it('sums self time per function across call sites and per kind of code', () => {
    const breakdown = cpuProfileBreakdown(PROFILE);
    expect(breakdown.samples).toBe(7);
    expect(breakdown.total_ms).toBe(6);
    expect(breakdown.by_kind).toMatchObject({ wasm: 3, javascript: 2, gc: 1 });
    expect(breakdown.hotspots[0]).toEqual({
      function: 'wasm-function[0]',
      location: 'wasm',
      self_ms: 3,
      share: 0.5,
    });
    // Two nodes of `epoch` (two call paths) are one function.
    expect(breakdown.hotspots[1]).toEqual({
      function: 'epoch',
      location: 'dist/nn/trainer.js:10',
      self_ms: 2,
      share: 0.3333,
    });
  });

  it('restricts itself to a window of the timeline (seconds from the profile start)', () => {
    const part = cpuProfileBreakdown(PROFILE, 15, { from: 0.0025, to: 0.0045 });
    expect(part.samples).toBe(2);
    expect(part.hotspots).toEqual([
      { function: 'epoch', location: 'dist/nn/trainer.js:10', self_ms: 2, share: 1 },
    ]);
  });
});

describe('buildProfileReport', () => {
  it('breaks the wall time into phases that add up, epochs into pass and validation', () => {
    const { report, svg } = buildProfileReport({
      runId: 'run-x',
      workers: 1,
      wallSeconds: 10,
      dataPhases: [{ name: 'load', seconds: 0.5 }],
      timings: { split: 0.1, fit: 7, evaluate: 2 },
      epochs: [
        { epoch: 1, train_seconds: 3, validation_seconds: 0.2, rows_per_second: 1000 },
        { epoch: 2, train_seconds: 3, validation_seconds: 0.3, rows_per_second: 1000 },
      ],
      cpuProfile: PROFILE,
      samplingIntervalUs: 500,
      windows: [{ name: 'epochs', from: 0, to: 0.0035 }],
    });
    expect(profileReportSchema.parse(report)).toEqual(report);
    expect(report.phases.map((p) => [p.name, p.seconds])).toEqual([
      ['data: load', 0.5],
      ['split', 0.1],
      ['fit: set-up, teardown', 0.5],
      ['epoch 1', 3.2],
      ['epoch 2', 3.3],
      ['evaluate', 2],
      ['other (run files, git)', 0.4],
    ]);
    expect(report.phases.reduce((a, p) => a + p.seconds, 0)).toBeCloseTo(10, 6);
    expect(report.cpu_profile.hotspots[0]!.function).toBe('wasm-function[0]');
    expect(report.cpu_profile.windows).toMatchObject([
      { name: 'epochs', from_s: 0, to_s: 0.0035, total_ms: 4 },
    ]);
    expect(svg).toMatch(/^<svg [^>]*>/);
    expect(svg).toContain('epoch 2');
    expect(svg).toContain('validation loss');
  });
});

describe('startCpuProfile', () => {
  it('samples this thread in process and returns a DevTools profile', async () => {
    const profiler = await startCpuProfile(200);
    let x = 0;
    const until = performance.now() + 60;
    while (performance.now() < until) x += Math.sqrt(x + 1);
    const profile = await profiler.stop();
    expect(x).toBeGreaterThan(0);
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.samples?.length).toBeGreaterThan(10);
    expect(cpuProfileBreakdown(profile).total_ms).toBeGreaterThan(30);
  });
});
