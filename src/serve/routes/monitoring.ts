/**
 * Monitoring in the service: builds the monitor over the app's model provider and prediction log, registers
 * `GET /drift` and `GET /quality`, feeds the gauges from scheduled runs, and ties the schedule to the app's
 * life (started when the app is ready, stopped as it begins closing, before the log is closed). The drift
 * worker thread is ended once the in-flight requests were answered (onClose), so a shutdown never waits on it.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { configSchema } from '../../config/schema.js';
import { createMonitorService, type MonitorSettings } from '../../monitor/service.js';
import { hasMonitorReads } from '../../predictions/monitor-queries.js';
import { CardwatchError, describeError } from '../../util/errors.js';
import type { ServeMetrics } from '../metrics.js';
import type { ModelProvider } from '../model-provider.js';
import { driftRoutes } from './drift.js';
import { qualityRoutes } from './quality.js';

export interface MonitoringOptions {
  readonly models: ModelProvider;
  /** The app's prediction log; its reads are used when it has them. */
  readonly log: object | null;
  readonly modelsDir: string | null;
  readonly metrics: ServeMetrics;
  /**
   * The resolved config as plain data (the app's `defaultConfig`); its `monitoring` section sets the windows
   * and the interval. Absent or without the section: the schema's defaults.
   */
  readonly config: unknown;
}

/** The `monitoring` section of `config`, or its defaults. */
export function monitoringSettings(config: unknown): MonitorSettings {
  const section =
    typeof config === 'object' && config !== null && 'monitoring' in config ? config.monitoring : undefined;
  const parsed = configSchema.shape.monitoring.safeParse(section ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `monitoring.${issue.path.join('.')}: ${issue.message}`,
    );
    throw new CardwatchError('CONFIG_INVALID', problems.join('; '));
  }
  return parsed.data;
}

export const monitoringRoutes: FastifyPluginAsyncZod<MonitoringOptions> = async function monitoringRoutes(
  app,
  options,
) {
  const monitor = createMonitorService({
    currentModel: () => options.models.current(),
    reads: hasMonitorReads(options.log) ? options.log : null,
    modelsDir: options.modelsDir,
    settings: monitoringSettings(options.config),
    onDrift: (report) => options.metrics.observeDrift(report),
    onQuality: (report) => options.metrics.observeQuality(report),
    onError: (error) => app.log.warn(`scheduled monitoring run failed: ${describeError(error)}`),
  });
  await app.register(driftRoutes, { monitor });
  await app.register(qualityRoutes, { monitor });
  app.addHook('onReady', async function startMonitoring() {
    monitor.start();
  });
  app.addHook('preClose', async function stopMonitoring() {
    monitor.stop();
  });
  // After the drain: a GET /drift still in flight was answered by then (or its connection cut at the grace period).
  app.addHook('onClose', async function endDriftThread() {
    await monitor.close();
  });
};
