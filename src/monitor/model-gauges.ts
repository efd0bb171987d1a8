/**
 * The gauges that say which model a scoring process runs, shared by `cardwatch serve` and `cardwatch stream` so
 * dashboards and alert rules read both alike: `cardwatch_model_info` (value 1, the model as labels) and
 * `cardwatch_model_validation_alert_rate` (what the live alert rate should be near). Both are read when
 * Prometheus scrapes, so a reload shows at the next scrape.
 */
import { Gauge, type Registry } from 'prom-client';
import { scorerEngines } from '../bundle/scorer.js';
import type { Scorer } from '../bundle/scorer-types.js';
import { validationAlertRate } from './quality.js';

/** Registers both gauges; `current` is the model scoring now, or null while none is loaded. */
export function registerModelGauges(registers: Registry[], current: () => Scorer | null): void {
  new Gauge({
    name: 'cardwatch_model_info',
    help: 'The model this process scores with (value 1), with its version, engines and threshold as labels',
    labelNames: ['model_version', 'engines', 'threshold'] as const,
    registers,
    collect() {
      this.reset();
      const scorer = current();
      if (scorer === null) return;
      this.set(
        {
          model_version: scorer.manifest.id,
          engines: scorerEngines(scorer).join(','),
          threshold: String(scorer.threshold),
        },
        1,
      );
    },
  });
  new Gauge({
    name: 'cardwatch_model_validation_alert_rate',
    help: "Share of the model's validation rows it flagged as fraud: what the live alert rate should be near",
    registers,
    collect() {
      this.reset();
      const rate = validationAlertRate(current()?.manifest ?? null);
      if (rate !== null) this.set(rate);
    },
  });
}
