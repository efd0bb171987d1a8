/**
 * The shipped Prometheus and Grafana files: promtool validates the rules and the scrape config and runs the
 * rule unit tests (monitoring/alerts.test.yml), and every cardwatch metric they name must be one the service
 * really exports (a renamed metric would otherwise leave an alert silently dead).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FakeScorer } from '../serve/__fixtures__/fake-scorer.js';
import { createServeMetrics } from '../serve/metrics.js';
import { staticModelProvider } from '../serve/model-provider.js';

const MONITORING = fileURLToPath(new URL('../../monitoring/', import.meta.url));
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const promtoolFound = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' }).status === 0;
if (!promtoolFound) {
  console.warn(
    `monitoring rules: SKIPPED the promtool checks: "${PROMTOOL}" was not found ` +
      '(install the Debian package `prometheus`, as .ci/run does, or set PROMTOOL)',
  );
}

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, args, { cwd: MONITORING, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function read(file: string): string {
  return readFileSync(`${MONITORING}${file}`, 'utf8');
}

/** `cardwatch_*` metric names in a text, histogram suffixes stripped (recording rules `cardwatch:…` excluded). */
function referencedMetrics(text: string): Set<string> {
  const names = text.match(/\bcardwatch_[a-z0-9_]+/g) ?? [];
  return new Set(names.map((name) => name.replace(/_(bucket|sum|count)$/, '')));
}

describe.skipIf(!promtoolFound)('promtool on monitoring/', () => {
  it('alerts.yml passes promtool check rules', () => {
    const result = promtool('check', 'rules', 'alerts.yml');
    expect(result.status, result.output).toBe(0);
  });

  it('prometheus.yml passes promtool check config (and finds alerts.yml beside it)', () => {
    const result = promtool('check', 'config', 'prometheus.yml');
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/1 rule files found/);
  });

  it('the rule unit tests pass (promtool test rules alerts.test.yml)', () => {
    const result = promtool('test', 'rules', 'alerts.test.yml');
    expect(result.status, result.output).toBe(0);
  });
});

describe('monitoring files name real metrics', () => {
  const registry = createServeMetrics({
    models: staticModelProvider(new FakeScorer()),
    predictionLog: null,
    processMetrics: false,
  }).registry;
  const exported = new Set(registry.getMetricsAsArray().map((metric) => metric.name));

  it.each(['alerts.yml', 'grafana/cardwatch-dashboard.json'])('%s', (file) => {
    const missing = [...referencedMetrics(read(file))].filter((name) => !exported.has(name));
    expect(missing).toEqual([]);
  });

  it('the alerts cover what the issue asks for', () => {
    const rules = parseYaml(read('alerts.yml')) as { groups: { rules: { alert?: string }[] }[] };
    const alerts = rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert)).filter(Boolean);
    expect(alerts).toEqual(
      expect.arrayContaining([
        'CardwatchHigh5xxRate',
        'CardwatchP99LatencyHigh',
        'CardwatchModelNotReady',
        'CardwatchDatasetDrift',
        'CardwatchAlertRateOffValidation',
        'CardwatchPredictionLogQueueNearFull',
      ]),
    );
  });

  it('prometheus scrapes the compose service api:8000, and the dashboard uses the provisioned datasource', () => {
    const config = parseYaml(read('prometheus.yml')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(config.scrape_configs[0]!.static_configs[0]!.targets).toEqual(['api:8000']);
    const datasource = parseYaml(read('grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string }[];
    };
    const dashboard = JSON.parse(read('grafana/cardwatch-dashboard.json')) as {
      panels: { type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
    };
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect(panel.datasource?.uid).toBe(datasource.datasources[0]!.uid);
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
  });
});
