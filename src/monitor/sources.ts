/**
 * Where drift's two sides come from: the bundle's reference sample, and the current data as a window of the
 * prediction log or a Kaggle-schema CSV (scored with the bundle's model, for prediction drift).
 */
import { join } from 'node:path';
import { readReferenceSample, REFERENCE_FILE, type BundleManifest } from '../bundle/index.js';
import type { Scorer } from '../bundle/scorer-types.js';
import { readKaggleCsvFile, selectColumns } from '../data/index.js';
import type { MonitorWindow } from '../predictions/monitor-queries.js';
import { LOGGED_FEATURE_COUNT } from '../predictions/types.js';
import { CardwatchError } from '../util/errors.js';
import { SCORE_COLUMN, tableFromDataset, tableFromReference, type MonitorTable } from './table.js';

/** The reference table of the bundle in `dir`; imported bundles have none, which is said plainly. */
export function referenceTable(
  dir: string,
  manifest: BundleManifest,
): { table: MonitorTable; source: string } {
  const file = manifest.files.reference_sample;
  if (file === null) {
    throw new CardwatchError(
      'DATA_INVALID',
      `model ${manifest.id} was imported without training data, so it has no reference sample to measure drift against; ` +
        'monitor a bundle exported by `cardwatch export`',
    );
  }
  return {
    table: tableFromReference(readReferenceSample(dir, file ?? REFERENCE_FILE)),
    source: join(dir, file),
  };
}

/**
 * A log window as a table: V1..V28 and Amount as logged, and the score of the predictions made by
 * `modelVersion` only (another model's scores are on another scale: comparing them would be drift by
 * construction).
 */
export function windowTable(window: MonitorWindow, modelVersion: string | null): MonitorTable {
  const columns = new Map<string, Float64Array>();
  for (let j = 0; j < LOGGED_FEATURE_COUNT; j++) {
    const column = new Float64Array(window.rows);
    for (let r = 0; r < window.rows; r++) column[r] = window.features[r * LOGGED_FEATURE_COUNT + j]!;
    columns.set(`V${j + 1}`, column);
  }
  columns.set('Amount', window.amount);
  const score = new Float64Array(window.rows);
  for (let r = 0; r < window.rows; r++) {
    score[r] =
      modelVersion === null || window.modelVersion[r] === modelVersion ? window.score[r]! : Number.NaN;
  }
  columns.set(SCORE_COLUMN, score);
  return { rows: window.rows, columns };
}

/** A Kaggle-schema CSV (Class optional), scored by `scorer` when one is given. */
export async function csvTable(path: string, scorer: Scorer | null): Promise<MonitorTable> {
  const { dataset } = readKaggleCsvFile(path, { classColumn: 'optional' });
  if (scorer === null) return tableFromDataset(dataset);
  const { scores } = await scorer.score(selectColumns(dataset, scorer.inputColumns), dataset.rows, {
    contributions: false,
  });
  return tableFromDataset(dataset, scores);
}
