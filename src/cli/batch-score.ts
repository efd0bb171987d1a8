/**
 * Offline batch scoring of a Kaggle-schema CSV through a bundle: one output row per input row, in order.
 * Rows that fail validation keep their place with the reason in `error` and no score — nothing is dropped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readKaggleCsvFile, selectColumns } from '../data/index.js';
import type { Scorer } from '../bundle/index.js';

export interface BatchScoreSummary {
  rows: number;
  scored: number;
  errors: number;
  flagged: number;
  seconds: number;
  rowsPerSecond: number;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function scoreCsvFile(
  input: string,
  output: string,
  scorer: Scorer,
): Promise<BatchScoreSummary> {
  const started = performance.now();
  const parsed = readKaggleCsvFile(input, { classColumn: 'optional', onBadRow: 'skip' });
  const { dataset, lines, errors } = parsed;
  const x = selectColumns(dataset, scorer.inputColumns);
  const { scores } = await scorer.score(x, dataset.rows);
  const threshold = scorer.threshold;
  const outLines: string[] = ['row,score,is_fraud,error'];
  let flagged = 0;
  let e = 0;
  let r = 0;
  // Merge the valid rows and the bad rows back into file order by their line numbers.
  while (r < dataset.rows || e < errors.length) {
    const nextValid = r < dataset.rows ? lines[r]! : Number.POSITIVE_INFINITY;
    const nextError = e < errors.length ? errors[e]!.line : Number.POSITIVE_INFINITY;
    if (nextValid < nextError) {
      const score = scores[r]!;
      const isFraud = score > threshold;
      if (isFraud) flagged++;
      outLines.push(`${nextValid - 1},${score},${isFraud ? 1 : 0},`);
      r++;
    } else {
      const error = errors[e]!;
      outLines.push(`${error.line - 1},,,${csvField(error.message)}`);
      e++;
    }
  }
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, `${outLines.join('\n')}\n`);
  const seconds = (performance.now() - started) / 1000;
  const rows = dataset.rows + errors.length;
  return {
    rows,
    scored: dataset.rows,
    errors: errors.length,
    flagged,
    seconds,
    rowsPerSecond: rows / Math.max(seconds, 1e-9),
  };
}
