/** `cardwatch runs list|show|compare|rm` and `cardwatch reproduce RUN`. */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { listBundles, readManifest } from '../../bundle/index.js';
import type { Config } from '../../config/index.js';
import { compareReproduction, prepareReproduction } from '../../experiments/index.js';
import { latestRunId, readRunSummaries, readRunSummary, removeRunDir } from '../../runs/index.js';
import { CardwatchError } from '../../util/errors.js';
import { info, out, resolveConfig } from '../context.js';
import { stderrIo, trainWithProgress } from '../pipeline.js';
import { formatRunCompare, formatRunList, formatRunShow } from '../run-report.js';
import { formatTable } from '../table.js';

/** The config a plain `cardwatch train` would use now, as plain data: what "differs from the default" means. */
function defaults(command: Command): { config: Config; plain: unknown } {
  const config = resolveConfig(command);
  return { config, plain: JSON.parse(JSON.stringify(config)) as unknown };
}

function runIdOrLatest(runsDir: string, id: string | undefined): string {
  const resolved = id ?? latestRunId(runsDir);
  if (!resolved)
    throw new CardwatchError('RUN_NOT_FOUND', `no runs under ${runsDir}: run \`cardwatch train\` first`);
  return resolved;
}

/** Bundle ids (with their aliases) exported from each run, read from the bundles' manifests. */
function bundlesByRun(modelsDir: string): Map<string, string[]> {
  const byRun = new Map<string, string[]>();
  for (const bundle of listBundles(modelsDir)) {
    if (bundle.error) continue;
    let runId: string | null;
    try {
      runId = readManifest(bundle.dir).run_id;
    } catch {
      continue; // damaged since it was listed: it protects nothing
    }
    if (runId === null) continue;
    const label = bundle.aliases.length > 0 ? `${bundle.id} (${bundle.aliases.join(', ')})` : bundle.id;
    byRun.set(runId, [...(byRun.get(runId) ?? []), label]);
  }
  return byRun;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function registerRunCommands(program: Command): void {
  const runs = program.command('runs').description('training runs under runs/: list, show, compare, remove');

  runs
    .command('list')
    .description(
      'one line per run: date, val/test ROC AUC and AUPRC, epochs, duration, config changes from the default',
    )
    .option('--sweep <id>', 'only the trials of this sweep')
    .action((options: { sweep?: string }, command: Command) => {
      const { config, plain } = defaults(command);
      let summaries = readRunSummaries(config.paths.runs);
      if (options.sweep !== undefined)
        summaries = summaries.filter((r) => r.record?.sweep_id === options.sweep);
      if (summaries.length === 0) {
        out(
          options.sweep === undefined
            ? `no runs under ${config.paths.runs}: run \`cardwatch train\` first`
            : `no runs of sweep ${options.sweep} under ${config.paths.runs}`,
        );
        return;
      }
      out(formatRunList(summaries, plain));
    });

  runs
    .command('show')
    .description('a run in full: config, training, metrics, loss curves (sparklines + SVG paths), provenance')
    .argument('[run]', 'run id (default: the latest run)')
    .action((runId: string | undefined, _options: object, command: Command) => {
      const { config, plain } = defaults(command);
      out(formatRunShow(readRunSummary(config.paths.runs, runIdOrLatest(config.paths.runs, runId)), plain));
    });

  runs
    .command('compare')
    .description('config differences and metric deltas (B − A) of two runs')
    .argument('<a>', 'run id A')
    .argument('<b>', 'run id B')
    .action((a: string, b: string, _options: object, command: Command) => {
      const { config } = defaults(command);
      out(formatRunCompare(readRunSummary(config.paths.runs, a), readRunSummary(config.paths.runs, b)));
    });

  runs
    .command('rm')
    .description(
      'delete runs (asks first; refuses runs that model bundles were exported from unless --force)',
    )
    .argument('<runs...>', 'run ids')
    .option('-y, --yes', 'delete without asking')
    .option('--force', 'also delete runs that bundles were exported from (the bundles stay usable)')
    .action(async (ids: string[], options: { yes?: boolean; force?: boolean }, command: Command) => {
      const { config } = defaults(command);
      const unique = [...new Set(ids)];
      // Every id must exist before anything is deleted: a typo never leaves a half-done removal.
      const summaries = unique.map((id) => readRunSummary(config.paths.runs, id));
      const exported = bundlesByRun(config.paths.models);
      const protectedRuns = unique.filter((id) => exported.has(id));
      if (protectedRuns.length > 0) {
        const detail = protectedRuns.map((id) => `${id} → bundle ${exported.get(id)!.join(', ')}`).join('; ');
        if (!options.force) {
          throw new CardwatchError(
            'INVALID_INPUT',
            `refusing to remove runs that model bundles were exported from: ${detail}. The bundles would stay ` +
              'usable but lose the run behind them (config, metrics, provenance); add --force to remove anyway',
          );
        }
        info(`warning: removing runs that bundles were exported from: ${detail}`);
      }
      out(
        formatTable(
          [{ header: 'remove' }, { header: 'status' }, { header: 'sweep' }],
          summaries.map((s) => [s.id, s.record?.status ?? 'unreadable', s.record?.sweep_id ?? '-']),
        ),
      );
      if (!options.yes) {
        const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
        if (!interactive || !(await confirm(`delete ${unique.length} run(s)?`))) {
          info(interactive ? 'nothing removed' : 'nothing removed: add --yes to delete');
          process.exitCode = 1;
          return;
        }
      }
      for (const id of unique) removeRunDir(config.paths.runs, id);
      out(`removed ${unique.length} run(s)`);
    });

  program
    .command('reproduce')
    .description(
      're-run a run with its resolved config on the same prepared dataset and check metrics and weights are identical',
    )
    .argument('[run]', 'run id (default: the latest run)')
    .action(async (runId: string | undefined, _options: object, command: Command) => {
      const runsDir = resolveConfig(command).paths.runs;
      const id = runIdOrLatest(runsDir, runId);
      const { original, config, prepared } = prepareReproduction(runsDir, id);
      info(
        `reproduce: ${id} — its config.yaml, dataset ${prepared.fingerprint.slice(0, 12)}, seed ${config.seed}, ` +
          `${config.training.workers} worker(s)`,
      );
      const result = await trainWithProgress(config, stderrIo, {
        prepared,
        run: { origin: { reproduces: id } },
      });
      const verdict = compareReproduction(original, readRunSummary(runsDir, result.runId));
      out(
        formatTable(
          [{ header: 'check' }, { header: id }, { header: result.runId }, { header: 'same' }],
          verdict.checks.map((c) => [c.name, c.original, c.reproduction, c.same ? 'yes' : 'NO']),
        ),
      );
      for (const note of verdict.notes) out(`note: ${note}`);
      const differing = verdict.checks.filter((c) => !c.same);
      if (verdict.identical) {
        out(`verdict: REPRODUCED — ${result.runId} is bit-identical to ${id} (metrics, losses and weights)`);
      } else {
        out(
          `verdict: DIFFERENT — ${differing.length} of ${verdict.checks.length} checks differ ` +
            `(${differing.map((c) => c.name).join(', ')})`,
        );
        process.exitCode = 1;
      }
    });
}
