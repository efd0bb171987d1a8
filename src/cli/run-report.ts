/**
 * Text views of runs for `runs list`, `runs show` and `runs compare`. Pure formatting of what
 * `readRunSummary` returns; the commands decide where it goes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatEvaluationSummary } from '../evaluate/index.js';
import { profileReportSchema } from '../profile/index.js';
import {
  configDiff,
  flattenConfig,
  formatConfigValue,
  formatDifferences,
  RESULT_SECTIONS,
  type RunSummary,
  sparkline,
} from '../runs/index.js';
import { duration, formatTable, metric } from './table.js';
import { COMPARED_METRICS } from '../evaluate/report-schema.js';

/** A path as the user would type it from the working directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

function date(iso: string | undefined): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '-';
}

/** `runs list`: one row per run, oldest first; `base` is the config a plain `cardwatch train` would use. */
export function formatRunList(runs: readonly RunSummary[], base: unknown): string {
  return formatTable(
    [
      { header: 'run' },
      { header: 'created (UTC)' },
      { header: 'status' },
      { header: 'val AUC', right: true },
      { header: 'val AUPRC', right: true },
      { header: 'test AUC', right: true },
      { header: 'test AUPRC', right: true },
      { header: 'epochs', right: true },
      { header: 'time', right: true },
      { header: 'config vs default' },
    ],
    runs.map((run) => {
      const e = run.evaluation;
      const diff =
        run.config === null ? '(no config.yaml)' : formatDifferences(configDiff(base, run.config), 24);
      return [
        run.id,
        date(run.record?.created_at),
        run.record?.status ?? 'unreadable',
        metric(e?.validation.roc_auc),
        metric(e?.validation.average_precision),
        metric(e?.test.roc_auc),
        metric(e?.test.average_precision),
        run.record ? `${run.record.epochs_run}` : '-',
        duration(run.record?.duration_seconds),
        diff || '(defaults)',
      ];
    }),
  );
}

function lossLine(label: string, values: number[], note: string): string {
  if (values.length === 0) return `  ${label.padEnd(11)}(none)`;
  const first = values[0]!;
  const last = values.at(-1)!;
  return `  ${label.padEnd(11)}${sparkline(values)}  ${first.toPrecision(4)} → ${last.toPrecision(4)}${note}`;
}

/** `runs show`: config, training record, metrics, curves, provenance, profile. */
export function formatRunShow(run: RunSummary, base: unknown): string {
  const r = run.record;
  const lines: string[] = [];
  const origin = [
    r?.sweep_id ? `trial of sweep ${r.sweep_id}` : '',
    r?.reproduces ? `reproduction of ${r.reproduces}` : '',
  ].filter(Boolean);
  lines.push(
    `run ${run.id} — ${r?.status ?? 'run.json unreadable'}${r ? `, ${r.model_type}, created ${date(r.created_at)} UTC, ${duration(r.duration_seconds)}` : ''}` +
      (origin.length > 0 ? ` (${origin.join('; ')})` : ''),
    `  ${shown(run.dir)}`,
  );
  if (r?.error) lines.push(`  error: ${r.error}`);

  lines.push('', 'config (* differs from the default)');
  if (run.config === null) lines.push('  (no config.yaml)');
  else {
    const changed = new Set(configDiff(base, run.config).map((d) => d.key));
    const entries = flattenConfig(run.config).filter(([key]) =>
      RESULT_SECTIONS.some((section) => key === section || key.startsWith(`${section}.`)),
    );
    const width = Math.max(...entries.map(([key]) => key.length));
    for (const [key, value] of entries) {
      lines.push(`${changed.has(key) ? '* ' : '  '}${key.padEnd(width)}  ${formatConfigValue(value, 60)}`);
    }
  }

  if (r) {
    const timings = Object.entries(r.timings)
      .map(([name, seconds]) => `${name} ${seconds.toFixed(2)} s`)
      .join(', ');
    lines.push(
      '',
      'training',
      `  epochs ${r.epochs_run} (best ${r.best_epoch}${r.stopped_early ? ', stopped early' : ''}), ` +
        `${r.train_rows.toLocaleString('en-US')} training rows, ${r.val_rows.toLocaleString('en-US')} validation rows`,
      `  timings: ${timings || '-'}`,
    );
  }

  lines.push('', 'metrics');
  lines.push(
    run.evaluation
      ? formatEvaluationSummary(run.evaluation)
          .split('\n')
          .map((line) => `  ${line}`)
          .join('\n')
      : '  (no evaluation.json)',
  );

  const train = run.epochs.map((e) => e.train_loss).filter((v): v is number => v !== undefined);
  const val = run.epochs.map((e) => e.val_loss).filter((v): v is number => v !== undefined);
  lines.push('', `curves (loss per epoch, ${run.epochs.length} epoch${run.epochs.length === 1 ? '' : 's'})`);
  lines.push(lossLine('train loss', train, ''));
  lines.push(lossLine('val loss', val, r ? ` (best epoch ${r.best_epoch})` : ''));
  const plots = ['loss', 'roc', 'pr', 'scores', 'profile']
    .map((name) => join(run.dir, 'plots', `${name}.svg`))
    .filter((path) => existsSync(path));
  lines.push(`  plots: ${plots.length > 0 ? plots.map(shown).join(', ') : '(none)'}`);

  const p = run.provenance;
  lines.push('', 'provenance');
  if (p) {
    const dirty = p.git_dirty === null ? '' : p.git_dirty ? ' (uncommitted changes)' : ' (clean)';
    lines.push(
      `  code        cardwatch ${p.cardwatch_version}, commit ${p.git_commit ?? 'unknown'}${dirty}`,
      `  runtime     Node.js ${p.node_version}, ${p.platform}, ${p.cpu}, ${p.cores} cores, ${p.memory_gb} GB`,
      `  training    seed ${p.seed}, ${p.workers} worker(s)`,
      `  data        ${p.data_fingerprint}${p.data_source ? ` (from ${p.data_source})` : ''}`,
    );
  } else lines.push('  (no provenance.json)');
  lines.push(`  weights     sha256 ${run.weightsSha256 ?? '-'}`);

  const profilePath = join(run.dir, 'profile.json');
  if (existsSync(profilePath)) {
    const parsed = profileReportSchema.safeParse(JSON.parse(readFileSync(profilePath, 'utf8')));
    if (parsed.success) {
      // Epochs as one entry (with their mean), so the largest phases compare like with like.
      const epochs = parsed.data.phases.filter((p) => /^epoch \d+$/.test(p.name));
      const epochSeconds = epochs.reduce((a, p) => a + p.seconds, 0);
      const grouped = [
        ...parsed.data.phases.filter((p) => !/^epoch \d+$/.test(p.name)),
        ...(epochs.length > 0
          ? [
              {
                name: `${epochs.length} epochs (mean ${(epochSeconds / epochs.length).toFixed(3)} s)`,
                seconds: epochSeconds,
              },
            ]
          : []),
      ];
      const top = grouped.sort((a, b) => b.seconds - a.seconds).slice(0, 3);
      lines.push(
        '',
        `profile (${shown(profilePath)}, ${shown(join(run.dir, 'profile.cpuprofile'))})`,
        `  ${duration(parsed.data.wall_seconds)} wall; largest phases: ${top.map((t) => `${t.name} ${t.seconds.toFixed(2)} s`).join(', ')}`,
      );
    }
  }
  if (run.problems.length > 0) lines.push('', 'problems', ...run.problems.map((p) => `  ${p}`));
  return lines.join('\n');
}

function delta(a: number | null | undefined, b: number | null | undefined, digits = 4): string {
  if (a === null || a === undefined || b === null || b === undefined) return '-';
  const d = b - a;
  return `${d >= 0 ? '+' : ''}${d.toFixed(digits)}`;
}

/** `runs compare A B`: config differences, then metrics side by side with B − A. */
export function formatRunCompare(a: RunSummary, b: RunSummary): string {
  const lines = [`compare ${a.id} (A) with ${b.id} (B)`, ''];
  if (a.config === null || b.config === null) lines.push('config: (a config.yaml is missing)');
  else {
    const diff = configDiff(a.config, b.config);
    if (diff.length === 0) lines.push('config: identical');
    else {
      lines.push('config differences');
      lines.push(
        formatTable(
          [{ header: '  key' }, { header: 'A' }, { header: 'B' }],
          diff.map((d) => [`  ${d.key}`, formatConfigValue(d.a, 40), formatConfigValue(d.b, 40)]),
        ),
      );
    }
  }
  const ea = a.evaluation;
  const eb = b.evaluation;
  const rows: string[][] = [];
  for (const split of ['validation', 'test'] as const) {
    for (const [label, key] of COMPARED_METRICS) {
      const va = ea?.[split][key];
      const vb = eb?.[split][key];
      rows.push([`  ${split} ${label}`, metric(va), metric(vb), delta(va, vb)]);
    }
  }
  const ra = a.record;
  const rb = b.record;
  rows.push(
    [
      '  threshold',
      ea ? ea.threshold.value.toPrecision(5) : '-',
      eb ? eb.threshold.value.toPrecision(5) : '-',
      '',
    ],
    [
      '  epochs run',
      String(ra?.epochs_run ?? '-'),
      String(rb?.epochs_run ?? '-'),
      delta(ra?.epochs_run, rb?.epochs_run, 0),
    ],
    [
      '  best epoch',
      String(ra?.best_epoch ?? '-'),
      String(rb?.best_epoch ?? '-'),
      delta(ra?.best_epoch, rb?.best_epoch, 0),
    ],
    [
      '  duration (s)',
      ra?.duration_seconds?.toFixed(1) ?? '-',
      rb?.duration_seconds?.toFixed(1) ?? '-',
      delta(ra?.duration_seconds, rb?.duration_seconds, 1),
    ],
  );
  lines.push(
    '',
    formatTable(
      [
        { header: 'metrics' },
        { header: 'A', right: true },
        { header: 'B', right: true },
        { header: 'B − A', right: true },
      ],
      rows,
    ),
  );
  const sameData = ra && rb ? (ra.data_fingerprint === rb.data_fingerprint ? 'yes' : 'no') : '-';
  const sameWeights =
    a.weightsSha256 && b.weightsSha256
      ? a.weightsSha256 === b.weightsSha256
        ? 'yes (bit-identical)'
        : 'no'
      : '-';
  lines.push('', `same data: ${sameData}; same weights: ${sameWeights}`);
  return lines.join('\n');
}
