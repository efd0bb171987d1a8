/**
 * `cardwatch simulate`: generated transactions (optionally drifted) sent to a local scoring service at a fixed
 * rate for a fixed time, with feedback labels for a share of them, to watch drift, quality and alerts move.
 */
import type { Command } from 'commander';
import { parseDriftSpec, type DriftSpec } from '../../data/drift-spec.js';
import {
  parseDuration,
  parseSimulateOptions,
  runSimulation,
  type SimulationResult,
} from '../../monitor/simulate/index.js';
import { CardwatchError } from '../../util/errors.js';
import { info, out } from '../context.js';

interface SimulateFlags {
  rate: string;
  duration: string;
  drift?: DriftSpec;
  feedbackShare: string;
  feedbackDelay: string;
  url: string;
  seed: string;
}

function number(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new CardwatchError('INVALID_INPUT', `${name} must be a number, got "${text}"`);
  }
  return value;
}

function summary(result: SimulationResult): string {
  const failures = Object.entries(result.failures)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');
  const ms = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} ms`);
  return [
    `sent ${result.sent} transactions in ${(result.elapsedMs / 1000).toFixed(1)} s` +
      `${result.achievedRate === null ? '' : ` (${result.achievedRate.toFixed(1)}/s)`}: ` +
      `${result.answered} answered, ${result.flagged} flagged as fraud${failures ? `, failed: ${failures}` : ''}`,
    `  latency p50 ${ms(result.latencyP50Ms)}, p99 ${ms(result.latencyP99Ms)}; ` +
      `feedback sent for ${result.feedbackSent}${result.feedbackFailed ? ` (${result.feedbackFailed} failed)` : ''}`,
  ].join('\n');
}

export function registerSimulateCommands(program: Command): void {
  program
    .command('simulate')
    .description(
      'replay generated transactions against a running service on this machine, with feedback for a share of them',
    )
    .requiredOption('--rate <r>', 'requests per second (at most 1000)')
    .requiredOption('--duration <d>', 'how long to send: 30s, 5m, 1h (at most 1h)')
    .option(
      '--drift <spec>',
      'distort the transactions: V1:shift=2,V4:scale=1.5,fraud_rate=0.01',
      parseDriftSpec,
    )
    .option('--feedback-share <f>', 'share of answered predictions that get their true label back', '0.3')
    .option('--feedback-delay <d>', 'how long after the answer the label is sent', '2s')
    .option('--url <url>', 'the service (loopback hosts only)', 'http://127.0.0.1:8000')
    .option('--seed <n>', 'seed of the generated transactions', '1')
    .action(async (flags: SimulateFlags) => {
      const options = parseSimulateOptions({
        url: flags.url,
        rate: number('--rate', flags.rate),
        durationMs: parseDuration(flags.duration, '--duration'),
        feedbackShare: number('--feedback-share', flags.feedbackShare),
        feedbackDelayMs: parseDuration(flags.feedbackDelay, '--feedback-delay'),
        seed: number('--seed', flags.seed),
        ...(flags.drift === undefined ? {} : { drift: flags.drift }),
      });
      info(`simulate: ${options.rate}/s for ${options.durationMs / 1000} s → ${options.target.origin}`);
      const result = await runSimulation(options);
      out(summary(result));
      if (result.answered === 0) {
        throw new CardwatchError(
          'INVALID_INPUT',
          `no request was answered by ${options.target.origin}: is \`cardwatch serve\` running there?`,
        );
      }
    });
}
