/**
 * `profile.json` of a run trained with `--profile`: the wall time of each phase (data, split, fit set-up,
 * every epoch split into training pass and validation loss, evaluation) and the CPU profile's hotspots.
 * `profile.cpuprofile` beside it opens in Chrome DevTools (Performance → Load profile) or speedscope.
 */
import { z } from 'zod';
import type { RunDir } from '../runs/index.js';
import type { CpuProfile } from './cpu-profiler.js';
import { cpuProfileBreakdown } from './hotspots.js';
import { type ChartBar, phaseChartSvg } from './phase-chart.js';

const phaseSchema = z.object({
  name: z.string(),
  seconds: z.number(),
  /** Share of the profiled wall time, 0–1. */
  share: z.number(),
});

const hotspotSchema = z.object({
  function: z.string(),
  location: z.string(),
  self_ms: z.number(),
  share: z.number(),
});

const epochTimingSchema = z.object({
  epoch: z.number().int(),
  /** The optimiser's pass over the training rows (the trainer's own clock). */
  train_seconds: z.number(),
  /** Copying the parameters and the loss over the validation rows, after the pass. */
  validation_seconds: z.number(),
  rows_per_second: z.number(),
});
export type EpochTiming = z.infer<typeof epochTimingSchema>;

export const profileReportSchema = z.object({
  format_version: z.literal(1),
  run_id: z.string(),
  recorded_at: z.string(),
  wall_seconds: z.number(),
  workers: z.number().int(),
  phases: z.array(phaseSchema),
  epochs: z.array(epochTimingSchema),
  cpu_profile: z.object({
    file: z.string(),
    /** Only the main thread is sampled (it computes worker 0's share, the reductions and Adam). */
    thread: z.literal('main'),
    sampling_interval_us: z.number(),
    total_ms: z.number(),
    samples: z.number().int(),
    by_kind: z.record(z.string(), z.number()),
    hotspots: z.array(hotspotSchema),
    /** The same breakdown within stretches of the run (data, fit set-up, epochs, evaluation). */
    windows: z.array(
      z.object({
        name: z.string(),
        from_s: z.number(),
        to_s: z.number(),
        total_ms: z.number(),
        by_kind: z.record(z.string(), z.number()),
        hotspots: z.array(hotspotSchema),
      }),
    ),
  }),
});
export type ProfileReport = z.infer<typeof profileReportSchema>;

export interface ProfileInput {
  runId: string;
  workers: number;
  /** Wall time from the start of profiling to the end of the run. */
  wallSeconds: number;
  /** Phases before the run folder exists, in order (`load`, or `generate` and `prepare: …`). */
  dataPhases: { name: string; seconds: number }[];
  /** run.json's timings (`split`, `fit`, `evaluate`). */
  timings: Record<string, number>;
  epochs: EpochTiming[];
  cpuProfile: CpuProfile;
  samplingIntervalUs: number;
  /** Stretches to break the CPU profile down by, in seconds from the profile's `startTime`. */
  windows?: { name: string; from: number; to: number }[];
}

const round = (seconds: number): number => Number(seconds.toFixed(4));

/** Bars of the chart: the same phases as the report, epochs in two segments. */
function chartBars(input: ProfileInput, setup: number, other: number): ChartBar[] {
  const single = (name: string, seconds: number): ChartBar => ({
    name,
    segments: [{ label: 'wall time', seconds }],
  });
  return [
    ...input.dataPhases.map((p) => single(`data: ${p.name}`, p.seconds)),
    single('split', input.timings.split ?? 0),
    single('fit: set-up, teardown', setup),
    ...input.epochs.map((e) => ({
      name: `epoch ${e.epoch}`,
      segments: [
        { label: 'training pass', seconds: e.train_seconds },
        { label: 'validation loss', seconds: e.validation_seconds },
      ],
    })),
    single('evaluate', input.timings.evaluate ?? 0),
    single('other (run files, git)', other),
  ];
}

export function buildProfileReport(input: ProfileInput): { report: ProfileReport; svg: string } {
  const epochSeconds = input.epochs.reduce((a, e) => a + e.train_seconds + e.validation_seconds, 0);
  // What fit spent outside the epochs: scaling and copying the rows, starting and stopping the workers.
  const setup = Math.max(0, (input.timings.fit ?? 0) - epochSeconds);
  const named =
    input.dataPhases.reduce((a, p) => a + p.seconds, 0) +
    (input.timings.split ?? 0) +
    (input.timings.fit ?? 0) +
    (input.timings.evaluate ?? 0);
  const other = Math.max(0, input.wallSeconds - named);
  const share = (seconds: number): number =>
    input.wallSeconds > 0 ? Number((seconds / input.wallSeconds).toFixed(4)) : 0;
  const phase = (name: string, seconds: number) => ({ name, seconds: round(seconds), share: share(seconds) });
  const phases = [
    ...input.dataPhases.map((p) => phase(`data: ${p.name}`, p.seconds)),
    phase('split', input.timings.split ?? 0),
    phase('fit: set-up, teardown', setup),
    ...input.epochs.map((e) => phase(`epoch ${e.epoch}`, e.train_seconds + e.validation_seconds)),
    phase('evaluate', input.timings.evaluate ?? 0),
    phase('other (run files, git)', other),
  ];
  const breakdown = cpuProfileBreakdown(input.cpuProfile);
  const report: ProfileReport = {
    format_version: 1,
    run_id: input.runId,
    recorded_at: new Date().toISOString(),
    wall_seconds: round(input.wallSeconds),
    workers: input.workers,
    phases,
    epochs: input.epochs.map((e) => ({
      ...e,
      train_seconds: round(e.train_seconds),
      validation_seconds: round(e.validation_seconds),
      rows_per_second: Math.round(e.rows_per_second),
    })),
    cpu_profile: {
      file: 'profile.cpuprofile',
      thread: 'main',
      sampling_interval_us: input.samplingIntervalUs,
      ...breakdown,
      windows: (input.windows ?? []).map((w) => {
        const part = cpuProfileBreakdown(input.cpuProfile, 8, w);
        return {
          name: w.name,
          from_s: round(w.from),
          to_s: round(w.to),
          total_ms: part.total_ms,
          by_kind: part.by_kind,
          hotspots: part.hotspots,
        };
      }),
    },
  };
  const title = `run ${input.runId}: ${input.wallSeconds.toFixed(2)} s by phase (${input.workers} worker${input.workers === 1 ? '' : 's'})`;
  return { report, svg: phaseChartSvg(title, chartBars(input, setup, other), input.wallSeconds) };
}

/** Writes `profile.json`, `profile.cpuprofile` and `plots/profile.svg` into the run. */
export function writeProfile(run: RunDir, input: ProfileInput): ProfileReport {
  const { report, svg } = buildProfileReport(input);
  run.writeJson('profile.json', report);
  // Compact JSON: DevTools reads it either way, and a long run's profile is megabytes when indented.
  run.writeText('profile.cpuprofile', JSON.stringify(input.cpuProfile));
  run.writeText('plots/profile.svg', svg);
  return report;
}
