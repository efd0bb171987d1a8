import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { importOnnxBundle, listBundles, loadScorer, parseEngine, promoteBundle } from '../../bundle/index.js';
import { formatGateResult, GATE_METRICS, runGate, type GateMetric } from '../../lineage/index.js';
import { formatCount } from '../../util/progress.js';
import { scoreCsvFile } from '../batch-score.js';
import { fractionOption, OVERRIDES_HELP, out, resolveConfig } from '../context.js';
import { loadDatasetOption } from '../dataset-option.js';
import { describeBundle } from '../pipeline.js';

function numberOption(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed)) {
      throw new InvalidArgumentError(`${name} must be a finite number, got "${value}"`);
    }
    return parsed;
  };
}

function gateMetricOption(value: string): GateMetric {
  const metric = GATE_METRICS.find((name) => name === value);
  if (metric === undefined) {
    throw new InvalidArgumentError(`--metric must be ${GATE_METRICS.join(' or ')}, got "${value}"`);
  }
  return metric;
}

function cell(value: number | null, digits: number, width: number): string {
  return (value === null ? '-' : value.toFixed(digits)).padStart(width);
}

export function registerModelCommands(program: Command): void {
  const models = program.command('models').description('the registry of model bundles and their aliases');

  models
    .command('list')
    .description('list bundles with aliases, source, engines and test metrics')
    .action((_options: object, command: Command) => {
      const config = resolveConfig(command);
      const bundles = listBundles(config.paths.models);
      if (bundles.length === 0) {
        out(`no bundles under ${config.paths.models}: run \`cardwatch train\` then \`cardwatch export\``);
        return;
      }
      const header = ['id'.padEnd(36), 'aliases'.padEnd(12), 'source'.padEnd(8), 'engines'.padEnd(12)];
      out([...header, 'created'.padEnd(19), 'ROC AUC', '  AUPRC', 'threshold'].join(' '));
      for (const b of bundles) {
        if (b.error) {
          out(`${b.id.padEnd(36)} (unreadable: ${b.error})`);
          continue;
        }
        out(
          [
            b.id.padEnd(36),
            (b.aliases.join(',') || '-').padEnd(12),
            (b.source ?? '-').padEnd(8),
            (b.engines.join('+') || '-').padEnd(12),
            (b.created_at ?? '').slice(0, 19).padEnd(19),
            cell(b.test_roc_auc, 4, 7),
            cell(b.test_average_precision, 4, 7),
            b.threshold === null ? '-' : b.threshold.toPrecision(5),
          ].join(' '),
        );
      }
    });

  models
    .command('promote')
    .description('point an alias (default: production) at a bundle')
    .argument('<id>', 'bundle id (see `cardwatch models list`)')
    .option('--alias <name>', 'alias to set', 'production')
    .action((id: string, options: { alias: string }, command: Command) => {
      const config = resolveConfig(command);
      promoteBundle(config.paths.models, id, options.alias);
      out(`${options.alias} → ${id}`);
    });

  models
    .command('import')
    .description('wrap an externally trained autoencoder (e.g. exported from PyTorch) into a verified bundle')
    .requiredOption('--onnx <file>', 'the network as ONNX: scaled features in, reconstruction out')
    .requiredOption('--scaler <file>', 'JSON {mean: [...], scale|std: [...]} the network was trained with')
    .requiredOption(
      '--threshold <t>',
      'decision threshold on the score (mean squared error, scaled units)',
      numberOption('--threshold'),
    )
    .option('--id <name>', 'bundle id (default: derived from the file name and time)')
    .option('--columns <list>', 'input columns, comma-separated (default: V1..V28)')
    .option(
      '--prune <fraction>',
      "zero this fraction of each layer's smallest weights in the int8 variant",
      fractionOption('--prune'),
    )
    .option('--no-int8', 'do not write the int8 variant')
    .option('--promote [alias]', 'also point an alias at the new bundle (default alias: production)')
    .action(
      async (
        options: {
          onnx: string;
          scaler: string;
          threshold: number;
          id?: string;
          columns?: string;
          prune?: number;
          int8: boolean;
          promote?: string | boolean;
        },
        command: Command,
      ) => {
        const config = resolveConfig(command);
        const bundle = await importOnnxBundle({
          modelsDir: config.paths.models,
          onnxPath: options.onnx,
          scalerPath: options.scaler,
          threshold: options.threshold,
          ...(options.id === undefined ? {} : { id: options.id }),
          ...(options.columns === undefined
            ? {}
            : { inputColumns: options.columns.split(',').map((c) => c.trim()) }),
          int8: options.int8 ? { prune: options.prune ?? 0 } : false,
        });
        out(describeBundle(bundle));
        if (options.promote) {
          const alias = typeof options.promote === 'string' ? options.promote : 'production';
          promoteBundle(config.paths.models, bundle.id, alias);
          out(`${alias} → ${bundle.id}`);
        }
      },
    );

  models
    .command('gate')
    .description(
      'the evaluation gate of a promotion: score both bundles on the held-out (test) split of the ' +
        "candidate's data and exit 1 when the candidate is worse than the baseline by more than --max-drop",
    )
    .requiredOption('--baseline <id|alias>', 'the bundle to beat, e.g. the previous production bundle')
    .option('--candidate <id|alias>', 'the bundle under review', 'production')
    .option(
      '--max-drop <x>',
      'largest allowed drop of the metric (absolute)',
      numberOption('--max-drop'),
      0.01,
    )
    .option(
      '--metric <name>',
      'the metric compared: average_precision (AUPRC) or roc_auc',
      gateMetricOption,
      'average_precision',
    )
    .option('--dataset <fingerprint>', "evaluate on this prepared dataset instead of the candidate's own")
    .option('--json', 'print the result as JSON')
    .action(
      async (
        options: {
          baseline: string;
          candidate: string;
          maxDrop: number;
          metric: GateMetric;
          dataset?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const config = resolveConfig(command);
        const result = await runGate({
          modelsDir: config.paths.models,
          preparedDir: config.data.prepared_dir,
          candidate: options.candidate,
          baseline: options.baseline,
          maxDrop: options.maxDrop,
          metric: options.metric,
          ...(options.dataset === undefined
            ? {}
            : { dataset: loadDatasetOption(config, options.dataset).fingerprint }),
          fallbackSplit: {
            strategy: config.data.split,
            testFraction: config.data.test_fraction,
            valFraction: config.data.val_fraction,
            seed: config.seed,
          },
        });
        out(options.json ? JSON.stringify(result, null, 2) : formatGateResult(result));
        if (!result.passed) process.exitCode = 1;
      },
    );

  program
    .command('score')
    .description(
      'score a Kaggle-schema CSV offline (Class optional); bad rows get an error column, never dropped',
    )
    .requiredOption('-i, --input <file>', 'CSV to score')
    .requiredOption('-o, --output <file>', 'where to write row,score,is_fraud,error')
    .option('-m, --model <id|alias>', 'bundle id or alias', 'production')
    .option('--engine <engine>', 'float32 or int8 (the quantized variant)', 'float32')
    .argument('[overrides...]', OVERRIDES_HELP)
    .action(
      async (
        overrides: string[],
        options: { input: string; output: string; model: string; engine: string },
        command: Command,
      ) => {
        const config = resolveConfig(command, overrides);
        const engine = parseEngine(options.engine);
        const scorer = await loadScorer(config.paths.models, options.model, { engine });
        try {
          const s = await scoreCsvFile(options.input, options.output, scorer);
          out(
            `scored ${formatCount(s.scored)} of ${formatCount(s.rows)} rows with ${scorer.manifest.id} (${engine}): ` +
              `${formatCount(s.flagged)} flagged as fraud, ${formatCount(s.errors)} rows with errors → ${options.output}\n` +
              `  ${s.seconds.toFixed(2)} s, ${formatCount(s.rowsPerSecond)} rows/s`,
          );
        } finally {
          await scorer.dispose();
        }
      },
    );
}
