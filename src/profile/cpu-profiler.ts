/**
 * An in-process V8 CPU profile through `node:inspector` (the same profiler as Chrome DevTools): no child
 * process and no flags. It samples the main thread only; with `training.workers` > 1 the other gradient
 * workers are threads it does not see, so profile with `training.workers=1` to see all the work.
 */
import { Session } from 'node:inspector/promises';

/** The `.cpuprofile` format (Chrome DevTools' JSON): the parts read here. */
export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** Microseconds (monotonic clock). */
  startTime: number;
  endTime: number;
  /** The node id of each sample. */
  samples?: number[];
  /** Microseconds since the previous sample. */
  timeDeltas?: number[];
}

export interface RunningProfiler {
  /** Stops sampling and returns the profile; the session is closed either way. */
  stop(): Promise<CpuProfile>;
}

/** Sampling period: 0.5 ms resolves a 1,024-row training step (a few ms) at a small cost. */
export const DEFAULT_SAMPLING_INTERVAL_US = 500;

export async function startCpuProfile(intervalUs = DEFAULT_SAMPLING_INTERVAL_US): Promise<RunningProfiler> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
  } catch (error) {
    session.disconnect();
    throw error;
  }
  return {
    async stop() {
      try {
        const { profile } = await session.post('Profiler.stop');
        return profile as unknown as CpuProfile;
      } finally {
        session.disconnect();
      }
    },
  };
}
