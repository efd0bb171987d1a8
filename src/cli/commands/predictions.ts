import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { openPredictionReader, parseSince } from '../../predictions/index.js';
import { isPostgresTarget, openPredictionStore, resolveStoreTarget } from '../../predictions/open-store.js';
import { CardwatchError } from '../../util/errors.js';
import { formatCount } from '../../util/progress.js';
import { info, OVERRIDES_HELP, resolveConfig } from '../context.js';

interface ExportOptions {
  since?: string;
  until?: string;
  output?: string;
  store?: string;
}

/** Where the rows go: standard output or a file (its folder made); resolves once all is written. */
async function exportTo(
  output: string | undefined,
  write: (out: Writable) => Promise<{ rows: number }>,
): Promise<number> {
  if (output === undefined) return (await write(process.stdout)).rows;
  mkdirSync(dirname(output), { recursive: true });
  const out = createWriteStream(output);
  const { rows } = await write(out);
  out.end();
  await finished(out);
  return rows;
}

export function registerPredictionCommands(program: Command): void {
  const predictions = program
    .command('predictions')
    .description(
      'the prediction log of the scoring service (every answered prediction, with feedback labels)',
    );

  predictions
    .command('export')
    .description('dump logged predictions (features, score, decision, model, latency, label) to CSV')
    .option(
      '--since <when>',
      'from this time: an ISO date/time or a duration back from now (30m, 24h, 7d, 2w)',
    )
    .option('--until <when>', 'before this time (same forms as --since)')
    .option('-o, --output <file>', 'CSV file to write (default: standard output)')
    .option(
      '--store <file|url>',
      'prediction log: a SQLite file or a postgres:// URL (default: $CARDWATCH_STORE, else serve.prediction_log)',
    )
    .argument('[overrides...]', OVERRIDES_HELP)
    .action(async (overrides: string[], options: ExportOptions, command: Command) => {
      const config = resolveConfig(command, overrides);
      const target = resolveStoreTarget(options.store, config.serve.prediction_log);
      const now = Date.now();
      const range = {
        ...(options.since === undefined ? {} : { since: parseSince(options.since, now) }),
        ...(options.until === undefined ? {} : { until: parseSince(options.until, now) }),
      };
      const where = options.output === undefined ? '' : ` → ${options.output}`;
      if (isPostgresTarget(target)) {
        const store = await openPredictionStore(target);
        try {
          const rows = await exportTo(options.output, (out) => store.exportCsv(range, out));
          info(`exported ${formatCount(rows)} predictions from ${store.location}${where}`);
        } finally {
          await store.close();
        }
        return;
      }
      if (!existsSync(target)) {
        throw new CardwatchError(
          'DATA_NOT_FOUND',
          `no prediction log at ${target}: it is created by \`cardwatch serve\` on its first prediction`,
        );
      }
      const reader = openPredictionReader(target);
      try {
        const rows = await exportTo(options.output, (out) => reader.exportCsv(range, out));
        info(`exported ${formatCount(rows)} predictions from ${target}${where}`);
      } finally {
        reader.close();
      }
    });
}
