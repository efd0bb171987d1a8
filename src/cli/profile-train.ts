/**
 * `cardwatch train --profile`: the same training run, with a V8 CPU profile of the main thread and a
 * clock on every phase, written into the run as profile.json, profile.cpuprofile and plots/profile.svg.
 */
import type { Config } from '../config/index.js';
import {
  type CpuProfile,
  DEFAULT_SAMPLING_INTERVAL_US,
  type EpochTiming,
  type ProfileReport,
  startCpuProfile,
  writeProfile,
} from '../profile/index.js';
import { loadRun } from '../runs/index.js';
import type { TrainRunResult } from '../train/index.js';
import { type PipelineIo, trainWithProgress, type TrainWithProgressOptions } from './pipeline.js';
import { duration, formatTable } from './table.js';

export interface ProfiledRun {
  result: TrainRunResult;
  report: ProfileReport;
}

export async function trainWithProfile(
  config: Config,
  io: PipelineIo,
  options: TrainWithProgressOptions & { dataPhases?: { name: string; seconds: number }[] } = {},
): Promise<ProfiledRun> {
  const dataPhases = [...(options.dataPhases ?? [])];
  const epochs: EpochTiming[] = [];
  let lastStep = performance.now();
  const profiler = await startCpuProfile();
  const started = performance.now();
  // The profile's clock is V8's monotonic clock in µs, the same as hrtime: it places our phase boundaries
  // on the profile's timeline (starting the profiler can take tens of milliseconds before the first sample).
  const startedUs = Number(process.hrtime.bigint() / 1000n);
  const since = (): number => (performance.now() - started) / 1000;
  // Boundaries of the CPU-profile windows, in seconds since profiling started.
  let dataEnd = 0;
  let firstEpochStart: number | null = null;
  let lastEpochEnd: number | null = null;
  let result: TrainRunResult;
  let cpuProfile: CpuProfile;
  try {
    result = await trainWithProgress(config, io, {
      ...options,
      onDataPhase: (name, seconds) => {
        dataPhases.push({ name, seconds });
        dataEnd = since();
      },
      run: {
        ...options.run,
        onEpochProgress: (epoch, done, total) => {
          lastStep = performance.now();
          firstEpochStart ??= since();
          options.run?.onEpochProgress?.(epoch, done, total);
        },
        onEpoch: (record) => {
          // The trainer times its own pass; what follows the last step is the validation loss.
          epochs.push({
            epoch: record.epoch,
            train_seconds: record.seconds,
            validation_seconds: (performance.now() - lastStep) / 1000,
            rows_per_second: record.rows_per_second,
          });
          lastEpochEnd = since();
          options.run?.onEpoch?.(record);
        },
      },
    });
  } finally {
    cpuProfile = await profiler.stop();
  }
  const end = since();
  const wallSeconds = end + (options.dataPhases ?? []).reduce((a, p) => a + p.seconds, 0);
  const offset = (startedUs - cpuProfile.startTime) / 1e6;
  const windows = [
    ...(dataEnd > 0 ? [{ name: 'data', from: 0, to: dataEnd }] : []),
    ...(firstEpochStart !== null && lastEpochEnd !== null
      ? [
          { name: 'split and fit set-up', from: dataEnd, to: firstEpochStart },
          { name: 'epochs', from: firstEpochStart, to: lastEpochEnd },
          { name: 'evaluate and write', from: lastEpochEnd, to: end },
        ]
      : []),
  ].map((w) => ({ name: w.name, from: w.from + offset, to: w.to + offset }));
  const report = writeProfile(loadRun(config.paths.runs, result.runId), {
    runId: result.runId,
    workers: config.training.workers,
    wallSeconds,
    dataPhases,
    timings: result.record.timings,
    epochs,
    cpuProfile,
    samplingIntervalUs: DEFAULT_SAMPLING_INTERVAL_US,
    windows,
  });
  return { result, report };
}

/** A few lines for the terminal: the phases (epochs folded into one line) and the top hotspots. */
export function formatProfileSummary(report: ProfileReport, top = 8): string {
  const epochs = report.phases.filter((p) => /^epoch \d+$/.test(p.name));
  const rows: string[][] = [];
  let epochsShown = false;
  for (const phase of report.phases) {
    if (/^epoch \d+$/.test(phase.name)) {
      if (epochsShown) continue;
      epochsShown = true;
      const seconds = epochs.reduce((a, p) => a + p.seconds, 0);
      const mean = seconds / epochs.length;
      rows.push([
        `${epochs.length} epoch${epochs.length === 1 ? '' : 's'} (mean ${mean.toFixed(3)} s)`,
        seconds.toFixed(3),
        `${((100 * seconds) / report.wall_seconds).toFixed(1)}%`,
      ]);
      continue;
    }
    rows.push([phase.name, phase.seconds.toFixed(3), `${(100 * phase.share).toFixed(1)}%`]);
  }
  const phases = formatTable(
    [{ header: 'phase' }, { header: 'seconds', right: true }, { header: 'share', right: true }],
    rows,
  );
  const cpu = report.cpu_profile;
  const kinds = (byKind: Record<string, number>, total: number): string =>
    Object.entries(byKind)
      .filter(([, ms]) => ms > 0)
      .sort(([, a], [, b]) => b - a)
      .map(([kind, ms]) => `${kind} ${((100 * ms) / Math.max(total, 1e-9)).toFixed(0)}%`)
      .join(', ');
  const hotspots = formatTable(
    [
      { header: 'self ms', right: true },
      { header: 'share', right: true },
      { header: 'function' },
      { header: 'where' },
    ],
    cpu.hotspots
      .slice(0, top)
      .map((h) => [h.self_ms.toFixed(1), `${(100 * h.share).toFixed(1)}%`, h.function, h.location]),
  );
  // Per stretch of the run, the three functions with the most self time: where to look first.
  const windows = cpu.windows.map(
    (w) =>
      `  ${w.name} (${w.from_s.toFixed(2)}–${w.to_s.toFixed(2)} s): ` +
      w.hotspots
        .slice(0, 3)
        .map((h) => `${h.function} ${(100 * h.share).toFixed(0)}%`)
        .join(', ') +
      ` — ${kinds(w.by_kind, w.total_ms)}`,
  );
  return [
    `profile: ${duration(report.wall_seconds)} wall, ${report.workers} worker(s)`,
    phases,
    '',
    `main-thread CPU profile: ${cpu.samples} samples, ${(cpu.total_ms / 1000).toFixed(2)} s — ${kinds(cpu.by_kind, cpu.total_ms)}`,
    ...windows,
    hotspots,
  ].join('\n');
}
