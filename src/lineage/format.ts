/** Plain-text renderings of `data status` and `models gate` for the CLI and for CI job summaries. */
import type { DataStatus } from './status.js';
import type { GateResult } from './gate.js';

const short = (fingerprint: string): string => fingerprint.slice(0, 12);

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number>,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => [...(row[i] ?? '')].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - [...cell].length);
        return right.has(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Run ids when there are few, else how many and the latest (`runs list` has the rest). */
function runsCell(runs: readonly string[]): string {
  if (runs.length === 0) return '-';
  return runs.length <= 2 ? runs.join(', ') : `${runs.length} (latest ${runs.at(-1)})`;
}

function count(value: number | null): string {
  return value === null ? '-' : value.toLocaleString('en-US');
}

/**
 * @example formatDataStatus(status)
 * // datasets (* = current):
 * //   fingerprint   rows     frauds  prepared             source                  runs  bundles
 * // * 27c4c5b4d2a3  284,807  492     2026-11-26 23:56:50  data/raw/synthetic.csv  run-…  autoencoder-… (production)
 * // current data: prepared dataset 27c4c5b4d2a3 (source data/raw/synthetic.csv unchanged)
 * // production: autoencoder-… trained on 27c4c5b4d2a3
 * // verdict: same — production (autoencoder-…) was trained on the current data (27c4c5b4d2a3)
 */
export function formatDataStatus(status: DataStatus): string {
  const lines: string[] = [];
  if (status.datasets.length === 0) {
    lines.push('no datasets: `cardwatch data generate` or `cardwatch data prepare --input FILE`');
  } else {
    lines.push('datasets (* = current):');
    const rows = status.datasets.map((d) => [
      d.current ? '*' : ' ',
      short(d.fingerprint),
      count(d.rows),
      count(d.frauds),
      d.prepared_at === null
        ? d.prepared
          ? '-'
          : '(not prepared here)'
        : d.prepared_at.slice(0, 19).replace('T', ' '),
      d.error === undefined ? (d.source ?? '-') : `(unreadable: ${d.error})`,
      runsCell(d.runs),
      d.bundles.length === 0
        ? '-'
        : d.bundles
            .map((b) => (b.aliases.length > 0 ? `${b.id} (${b.aliases.join(', ')})` : b.id))
            .join(', '),
    ]);
    lines.push(
      table(
        ['', 'fingerprint', 'rows', 'frauds', 'prepared', 'source', 'runs', 'bundles'],
        rows,
        new Set([2, 3]),
      ),
    );
  }
  const current = status.current;
  if (current === null) {
    lines.push('current data: none');
  } else if (current.kind === 'csv') {
    lines.push(
      `current data: ${current.path} (sha256 ${short(current.fingerprint)}, not prepared yet; train prepares it)`,
    );
  } else {
    const source =
      current.path === null
        ? ''
        : current.source_state === 'changed'
          ? ` (source ${current.path} CHANGED since: now ${short(current.source_fingerprint ?? '')})`
          : ` (source ${current.path} ${current.source_state})`;
    lines.push(`current data: prepared dataset ${short(current.fingerprint)}${source}`);
  }
  const prod = status.production;
  lines.push(
    prod === null
      ? `${status.alias}: none${status.production_error === null ? '' : ` (${status.production_error})`}`
      : `${prod.alias}: ${prod.id} ${prod.fingerprint === null ? '(imported)' : `trained on ${short(prod.fingerprint)}`}`,
  );
  lines.push(`verdict: ${status.verdict} — ${status.reason}`);
  return lines.join('\n');
}

/**
 * A Markdown table, so the same text reads in a terminal and in a GitHub job summary.
 * @example formatGateResult(result)
 * // | bundle | ROC AUC | AUPRC |
 * // | --- | ---: | ---: |
 * // | candidate autoencoder-b | 0.9512 | 0.7021 |
 * // | baseline autoencoder-a | 0.9533 | 0.7087 |
 * //
 * // gate PASSED: AUPRC dropped by 0.0066 (allowed 0.0100) on 85,443 held-out rows (148 frauds) of dataset 27c4c5b4d2a3
 */
export function formatGateResult(result: GateResult): string {
  const name = result.metric === 'average_precision' ? 'AUPRC' : 'ROC AUC';
  const row = (role: string, b: GateResult['candidate']): string =>
    `| ${role} ${b.id} | ${b.metrics.roc_auc.toFixed(4)} | ${b.metrics.average_precision.toFixed(4)} |`;
  const change =
    result.drop > 0 ? `dropped by ${result.drop.toFixed(4)}` : `improved by ${(-result.drop).toFixed(4)}`;
  return [
    '| bundle | ROC AUC | AUPRC |',
    '| --- | ---: | ---: |',
    row('candidate', result.candidate),
    row('baseline', result.baseline),
    '',
    `gate ${result.passed ? 'PASSED' : 'FAILED'}: ${name} ${change} (allowed ${result.max_drop.toFixed(4)}) on ` +
      `${count(result.rows)} held-out rows (${count(result.frauds)} frauds) of dataset ${short(result.dataset)}`,
    ...result.notes.map((note) => `note: ${note}`),
  ].join('\n');
}
