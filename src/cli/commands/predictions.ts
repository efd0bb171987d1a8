import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { openPredictionReader, parseSince } from '../../predictions/index.js';
import { CardwatchError } from '../../util/errors.js';
import { formatCount } from '../../util/progress.js';
import { info, OVERRIDES_HELP, resolveConfig } from '../context.js';

interface ExportOptions {
  since?: string;
  until?: string;
  output?: string;
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
    .argument('[overrides...]', OVERRIDES_HELP)
    .action(async (overrides: string[], options: ExportOptions, command: Command) => {
      const config = resolveConfig(command, overrides);
      const path = config.serve.prediction_log;
      if (!existsSync(path)) {
        throw new CardwatchError(
          'DATA_NOT_FOUND',
          `no prediction log at ${path}: it is created by \`cardwatch serve\` on its first prediction`,
        );
      }
      const now = Date.now();
      const range = {
        ...(options.since === undefined ? {} : { since: parseSince(options.since, now) }),
        ...(options.until === undefined ? {} : { until: parseSince(options.until, now) }),
      };
      const reader = openPredictionReader(path);
      try {
        if (options.output === undefined) {
          const { rows } = await reader.exportCsv(range, process.stdout);
          info(`exported ${formatCount(rows)} predictions from ${path}`);
        } else {
          mkdirSync(dirname(options.output), { recursive: true });
          const out = createWriteStream(options.output);
          const { rows } = await reader.exportCsv(range, out);
          out.end();
          await finished(out);
          info(`exported ${formatCount(rows)} predictions from ${path} → ${options.output}`);
        }
      } finally {
        reader.close();
      }
    });
}
