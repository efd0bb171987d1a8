/** Reading a finished run back: its resolved config, record, fitted model and data. */
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { type Config, validateConfig } from '../config/index.js';
import { loadPreparedDataset, type PreparedDataset } from '../data/index.js';
import { type FittedModel, readModelFile } from '../models/index.js';
import { loadRun } from '../runs/index.js';
import { CardwatchError } from '../util/errors.js';
import { type RunRecord, runRecordSchema } from './run-record.js';

export interface OpenedRun {
  id: string;
  dir: string;
  record: RunRecord;
  config: Config;
  model: FittedModel;
}

export function openRun(runsDir: string, runId: string): OpenedRun {
  const run = loadRun(runsDir, runId);
  const record = run.readJson('run.json', runRecordSchema);
  if (record.status !== 'completed') {
    throw new CardwatchError('RUN_NOT_FOUND', `run ${runId} did not complete (status: ${record.status})`);
  }
  const config = validateConfig(parseYaml(readFileSync(join(run.dir, 'config.yaml'), 'utf8')));
  const model = readModelFile(join(run.dir, 'model.json'));
  return { id: runId, dir: run.dir, record, config, model };
}

/** The dataset a run was trained on, found by its fingerprint. */
export function runDataset(run: OpenedRun): PreparedDataset {
  return loadPreparedDataset(run.config.data.prepared_dir, run.record.data_fingerprint);
}
