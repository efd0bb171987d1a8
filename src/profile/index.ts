/** Profiling of training runs: an in-process V8 CPU profile, its hotspots, and a phase breakdown with a chart. */
export { DEFAULT_SAMPLING_INTERVAL_US, startCpuProfile } from './cpu-profiler.js';
export type { CpuProfile, CpuProfileNode, RunningProfiler } from './cpu-profiler.js';
export { cpuProfileBreakdown } from './hotspots.js';
export type { CodeKind, Hotspot, ProfileBreakdown, ProfileWindow } from './hotspots.js';
export { phaseChartSvg } from './phase-chart.js';
export type { ChartBar, ChartSegment } from './phase-chart.js';
export { buildProfileReport, profileReportSchema, writeProfile } from './profile-report.js';
export type { EpochTiming, ProfileInput, ProfileReport } from './profile-report.js';
