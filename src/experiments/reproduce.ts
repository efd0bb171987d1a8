/**
 * `cardwatch reproduce RUN`: train a finished run again with its resolved config on the same prepared
 * dataset (found by fingerprint), then check the outcome is identical: every epoch's losses, the
 * evaluation and the weights hash. The engine is bit-reproducible for the same seed, data and worker
 * count, so any difference means something changed (code, Node version, data) and the verdict says so.
 */
import { type Config, validateConfig } from '../config/index.js';
import { loadPreparedDataset, type PreparedDataset } from '../data/index.js';
import { readRunSummary, type RunSummary } from '../runs/index.js';
import { CardwatchError, isCardwatchError } from '../util/errors.js';
import { COMPARED_METRICS } from '../evaluate/report-schema.js';

export interface Reproduction {
  original: RunSummary;
  /** The run's config as it trained, with the runs folder pointed at `runsDir`. */
  config: Config;
  prepared: PreparedDataset;
}

function missingDataHint(original: RunSummary, config: Config, fingerprint: string): string {
  const source = original.provenance?.data_source ?? null;
  const lines = [
    `run ${original.id} trained on prepared dataset ${fingerprint.slice(0, 12)}, which is no longer under ` +
      `${config.data.prepared_dir}.`,
    source === null
      ? 'Prepare the same CSV again with `cardwatch data prepare --input FILE`: identical bytes give the identical fingerprint.'
      : `Prepare the same file again: \`cardwatch data prepare --input ${source}\` (identical bytes give the identical fingerprint).`,
  ];
  if (source === null || source === config.data.synthetic_path) {
    lines.push(
      `If it was the built-in data: \`cardwatch data generate --rows ${config.data.synthetic_rows} ` +
        `--seed ${config.seed}\` recreates it byte for byte when those were its settings.`,
    );
  }
  return lines.join('\n  ');
}

/**
 * Everything needed to re-run `runId`: its record, resolved config and dataset.
 * @throws CardwatchError RUN_NOT_FOUND (no such run, or it did not complete), DATA_NOT_FOUND with a hint on
 * how to recreate the dataset, CONFIG_INVALID when the stored config no longer validates.
 */
export function prepareReproduction(runsDir: string, runId: string): Reproduction {
  const original = readRunSummary(runsDir, runId);
  const record = original.record;
  if (record === null || record.status !== 'completed' || original.config === null) {
    throw new CardwatchError(
      'RUN_NOT_FOUND',
      `run ${runId} cannot be reproduced: ${record === null ? 'its run.json is unreadable' : `its status is ${record.status}`}` +
        `${original.config === null ? ' and its config.yaml is missing' : ''}`,
    );
  }
  const stored = validateConfig(original.config);
  // The reproduction goes next to the original, wherever the runs folder is now.
  const config = validateConfig({ ...stored, paths: { ...stored.paths, runs: runsDir } });
  let prepared: PreparedDataset;
  try {
    prepared = loadPreparedDataset(config.data.prepared_dir, record.data_fingerprint);
  } catch (error) {
    if (isCardwatchError(error) && error.code === 'DATA_NOT_FOUND') {
      throw new CardwatchError('DATA_NOT_FOUND', missingDataHint(original, config, record.data_fingerprint), {
        cause: error,
      });
    }
    throw error;
  }
  return { original, config, prepared };
}

export interface ReproductionCheck {
  name: string;
  original: string;
  reproduction: string;
  same: boolean;
}

export interface ReproductionVerdict {
  identical: boolean;
  checks: ReproductionCheck[];
  /** Differences of environment that could explain a different outcome (code, Node, workers). */
  notes: string[];
}

function show(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'number' ? String(value) : value;
}

/** Equal values print short (8 significant digits, a hash's first 16 characters); unequal ones in full. */
function check(name: string, a: number | string | null | undefined, b: number | string | null | undefined) {
  const same = a === b;
  const brief = (value: number | string | null | undefined): string => {
    if (!same) return show(value);
    if (typeof value === 'number') return String(Number(value.toPrecision(8)));
    return typeof value === 'string' && value.length > 20 ? `${value.slice(0, 16)}…` : show(value);
  };
  return { name, original: brief(a), reproduction: brief(b), same };
}

/** Compares loss sequences exactly; on a difference, names the first epoch that differs. */
function lossCheck(name: string, a: RunSummary, b: RunSummary, key: 'train_loss' | 'val_loss') {
  const left = a.epochs.map((e) => e[key]);
  const right = b.epochs.map((e) => e[key]);
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    if (left[i] !== right[i]) {
      return {
        name,
        original: `epoch ${i + 1}: ${show(left[i])}`,
        reproduction: `epoch ${i + 1}: ${show(right[i])}`,
        same: false,
      };
    }
  }
  const last = left.at(-1);
  const summary = `${left.length} epoch${left.length === 1 ? '' : 's'}, last ${last === undefined ? '—' : Number(last.toPrecision(8))}`;
  return { name, original: summary, reproduction: summary, same: true };
}

/** Checks a reproduction against the original, metric by metric (exact equality: the engine is deterministic). */
export function compareReproduction(original: RunSummary, again: RunSummary): ReproductionVerdict {
  const a = original.evaluation;
  const b = again.evaluation;
  const checks: ReproductionCheck[] = [
    check('epochs run', original.record?.epochs_run, again.record?.epochs_run),
    check('best epoch', original.record?.best_epoch, again.record?.best_epoch),
    lossCheck('train loss per epoch', original, again, 'train_loss'),
    lossCheck('val loss per epoch', original, again, 'val_loss'),
    check('weights sha256', original.weightsSha256, again.weightsSha256),
    check('threshold', a?.threshold.value, b?.threshold.value),
  ];
  for (const split of ['validation', 'test'] as const) {
    for (const [label, key] of COMPARED_METRICS) {
      checks.push(check(`${split} ${label}`, a?.[split][key], b?.[split][key]));
    }
  }
  const notes: string[] = [];
  const p = original.provenance;
  const q = again.provenance;
  if (p && q) {
    if (p.git_commit !== q.git_commit)
      notes.push(`code: commit ${show(p.git_commit)} then, ${show(q.git_commit)} now`);
    if (p.git_dirty || q.git_dirty) {
      notes.push(
        `code: uncommitted changes (dirty ${show(String(p.git_dirty))} then, ${show(String(q.git_dirty))} now), so the commit alone does not pin the code`,
      );
    }
    if (p.node_version !== q.node_version)
      notes.push(`Node.js ${p.node_version} then, ${q.node_version} now`);
    if (p.workers !== q.workers) notes.push(`workers: ${p.workers} then, ${q.workers} now`);
    if (p.cardwatch_version !== q.cardwatch_version) {
      notes.push(`cardwatch ${p.cardwatch_version} then, ${q.cardwatch_version} now`);
    }
  }
  return { identical: checks.every((c) => c.same), checks, notes };
}
