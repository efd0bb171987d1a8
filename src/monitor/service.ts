/**
 * Monitoring inside the scoring service: drift and quality of the served model computed on request and on a
 * schedule, with each fresh result handed to listeners (the Prometheus gauges). The schedule's timer is
 * unref'd (it never keeps the process alive) and skips a tick while the previous run is still going.
 *
 * Cost: a run reads the window from the log on the event loop (the read stays here: the log's connection is
 * this thread's), then computes the drift statistics on a worker thread of the service's own (drift-thread.ts;
 * about 100 ms of CPU for 10,000 rows and 30 columns, `node bench/drift.mjs 10000`), so scoring requests no
 * longer wait for the statistics: the request thread only builds the window's columns and hands them over
 * (transferred, not copied; the model's reference sample is sent once per model). The worker is started on the
 * first drift report, unref'd while idle, and ended by `close()`. `driftThread: false` computes in-process
 * instead (the same report, byte for byte), for tests and embedding; then a run holds the event loop for the
 * whole computation. Quality (a few passes over the window) stays in-process.
 */
import { join } from 'node:path';
import type { BundleManifest } from '../bundle/index.js';
import { parseSince } from '../predictions/parse-since.js';
import { readMonitorWindow, type MonitorReads } from '../predictions/monitor-queries.js';
import { CardwatchError } from '../util/errors.js';
import { startDriftThread, type DriftThread } from './drift-thread.js';
import { qualityForModel } from './quality.js';
import { computeDrift, type DriftInput } from './report.js';
import type { DriftReport, QualityReport } from './report-schema.js';
import { referenceTable, windowTable } from './sources.js';
import type { MonitorTable } from './table.js';

/** The `monitoring` config section's knobs the service uses. */
export interface MonitorSettings {
  readonly drift_window: number;
  readonly drift_share: number;
  readonly ks_max_reference_rows: number;
  readonly interval_s: number;
  readonly quality_window: number;
}

export interface MonitorServiceOptions {
  /** The model being served now (null when none is loaded). */
  readonly currentModel: () => { readonly manifest: BundleManifest } | null;
  /** The prediction log's reads; null when the service logs nowhere (drift/quality then answer 503). */
  readonly reads: MonitorReads | null;
  /** The registry folder holding `<id>/reference.csv`; null = drift is unavailable. */
  readonly modelsDir: string | null;
  readonly settings: MonitorSettings;
  /** A fresh drift report over the configured window (not one a request asked with its own window). */
  readonly onDrift?: (report: DriftReport) => void;
  /** A fresh quality report over the configured window. */
  readonly onQuality?: (report: QualityReport) => void;
  /** A scheduled run failed (no model yet, empty log…); the schedule goes on. */
  readonly onError?: (error: unknown) => void;
  /**
   * Compute drift on a worker thread (default true), keeping the event loop free for requests; false computes
   * it in-process (same report, same errors), e.g. in tests or when embedding without worker threads.
   */
  readonly driftThread?: boolean;
}

/** A request's window: the newest `window` predictions, or those since a time (ISO date or 24h-style). */
export interface WindowRequest {
  readonly window?: number;
  readonly since?: string;
}

export interface MonitorService {
  drift(request?: WindowRequest): Promise<DriftReport>;
  quality(request?: WindowRequest): Promise<QualityReport>;
  /** Starts the schedule (no-op when interval_s is 0 or it already runs). */
  start(): void;
  /** Stops the schedule (a run in flight finishes). */
  stop(): void;
  /**
   * Stops the schedule and ends the drift worker thread; a drift report still being computed on it rejects
   * with SHUTTING_DOWN. The service stays usable: a later drift report starts a new worker.
   */
  close(): Promise<void>;
  /** Runs drift and quality once now, as the schedule does (errors go to onError). */
  runOnce(): Promise<void>;
}

function isDefaultWindow(request: WindowRequest): boolean {
  return request.window === undefined && request.since === undefined;
}

function resolveSince(since: string | undefined): Date | undefined {
  return since === undefined ? undefined : new Date(parseSince(since));
}

export function createMonitorService(options: MonitorServiceOptions): MonitorService {
  const { settings } = options;
  let reference: { id: string; table: MonitorTable; source: string } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  // Started on the first drift report (a service that is never asked for one never starts a thread).
  let driftThread: DriftThread | null = null;

  function requireModel(): BundleManifest {
    const model = options.currentModel();
    if (model === null) {
      throw new CardwatchError(
        'NOT_READY',
        'no model is loaded, so there is no reference to monitor against',
      );
    }
    return model.manifest;
  }

  function requireReads(): MonitorReads {
    if (options.reads === null) {
      throw new CardwatchError(
        'LOG_UNAVAILABLE',
        'this service keeps no readable prediction log, so there is no live data to monitor',
      );
    }
    return options.reads;
  }

  /** The served model's reference table, read once per model version. */
  function referenceFor(manifest: BundleManifest): { table: MonitorTable; source: string } {
    if (reference?.id === manifest.id) return reference;
    if (options.modelsDir === null) {
      throw new CardwatchError(
        'NOT_READY',
        'the service was started without a models folder, so it cannot read the reference sample',
      );
    }
    const loaded = referenceTable(join(options.modelsDir, manifest.id), manifest);
    reference = { id: manifest.id, ...loaded };
    return reference;
  }

  async function drift(request: WindowRequest = {}): Promise<DriftReport> {
    const manifest = requireModel();
    const reads = requireReads();
    const { table, source } = referenceFor(manifest);
    const since = resolveSince(request.since);
    const limit = request.window ?? settings.drift_window;
    const window = await readMonitorWindow(reads, { limit, ...(since === undefined ? {} : { since }) });
    const input: DriftInput = {
      reference: table,
      current: windowTable(window, manifest.id),
      referenceSource: source,
      currentSource:
        since === undefined ? `prediction log, newest ${limit} predictions` : 'prediction log, time range',
      modelVersion: manifest.id,
      ...(since === undefined ? {} : { since }),
      // Stamped here, when the window was read, so both ways of computing give the same report.
      now: new Date(),
    };
    const driftOptions = {
      drift_share: settings.drift_share,
      ks_max_reference_rows: settings.ks_max_reference_rows,
    };
    const report =
      options.driftThread === false
        ? computeDrift(input, driftOptions)
        : // The window's columns are this run's own: moved to the worker, not copied.
          await (driftThread ??= startDriftThread()).compute(
            { ...input, referenceKey: manifest.id },
            driftOptions,
          );
    // Only the configured window feeds the gauges: a request for the last 50 rows must not move the dashboards.
    if (isDefaultWindow(request)) options.onDrift?.(report);
    return report;
  }

  async function quality(request: WindowRequest = {}): Promise<QualityReport> {
    const reads = requireReads();
    const manifest = options.currentModel()?.manifest ?? null;
    const since = resolveSince(request.since);
    const limit = request.window ?? settings.quality_window;
    const window = await readMonitorWindow(reads, { limit, ...(since === undefined ? {} : { since }) });
    const report = qualityForModel({ window, limit, since }, manifest);
    if (isDefaultWindow(request)) options.onQuality?.(report);
    return report;
  }

  function stop(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  async function runOnce(): Promise<void> {
    if (running) return;
    running = true;
    try {
      for (const run of [drift, quality]) {
        try {
          await run();
        } catch (error) {
          options.onError?.(error);
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    drift,
    quality,
    runOnce,
    start() {
      if (timer !== null || settings.interval_s === 0) return;
      timer = setInterval(() => void runOnce(), settings.interval_s * 1000);
      timer.unref();
    },
    stop,
    async close() {
      stop();
      const thread = driftThread;
      driftThread = null;
      await thread?.close();
    },
  };
}
