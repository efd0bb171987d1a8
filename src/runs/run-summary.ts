/**
 * A run read back for `runs list/show/compare`: every file is optional (a failed run has no evaluation, an
 * old run no weights hash), and an unreadable file is named in `problems` instead of failing the listing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type EvaluationReport, evaluationReportSchema } from '../evaluate/index.js';
import { describeError } from '../util/errors.js';
import { type Provenance, provenanceSchema } from './provenance.js';
import { listRuns, loadRun } from './run-dir.js';
import { type RunRecord, runRecordSchema } from './run-record.js';
import { runWeightsSha256 } from './weights-hash.js';

/** One line of metrics.jsonl; loose, because detectors other than the autoencoder log other fields. */
export const epochLineSchema = z.looseObject({
  epoch: z.number().int(),
  train_loss: z.number().optional(),
  val_loss: z.number().optional(),
  seconds: z.number().optional(),
  improved: z.boolean().optional(),
});
export type EpochLine = z.infer<typeof epochLineSchema>;

export interface RunSummary {
  id: string;
  dir: string;
  record: RunRecord | null;
  /** The resolved config as stored in config.yaml (plain data, not re-validated: old runs stay readable). */
  config: Record<string, unknown> | null;
  evaluation: EvaluationReport | null;
  epochs: EpochLine[];
  provenance: Provenance | null;
  /** The weights hash from run.json, else computed from model.json (runs from before it was recorded). */
  weightsSha256: string | null;
  /** Files that exist but could not be read, with the reason. */
  problems: string[];
}

function readOptional<T>(path: string, problems: string[], parse: (text: string) => T): T | null {
  if (!existsSync(path)) return null;
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`${path}: ${describeError(error)}`);
    return null;
  }
}

function parseJson<T extends z.ZodType>(schema: T): (text: string) => z.infer<T> {
  return (text) => {
    const result = schema.safeParse(JSON.parse(text));
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw new Error(issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid');
  };
}

function parseConfig(text: string): Record<string, unknown> {
  const parsed: unknown = parseYaml(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('not a mapping');
  }
  return parsed as Record<string, unknown>;
}

function parseEpochs(text: string): EpochLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const result = epochLineSchema.safeParse(JSON.parse(line));
      if (!result.success) throw new Error(`line ${i + 1}: ${result.error.issues[0]?.message ?? 'invalid'}`);
      return result.data;
    });
}

/** Reads one run folder. @throws CardwatchError RUN_NOT_FOUND (with the known runs) when it does not exist. */
export function readRunSummary(runsDir: string, id: string): RunSummary {
  const { dir } = loadRun(runsDir, id);
  const problems: string[] = [];
  const record = readOptional(join(dir, 'run.json'), problems, parseJson(runRecordSchema));
  return {
    id,
    dir,
    record,
    config: readOptional(join(dir, 'config.yaml'), problems, parseConfig),
    evaluation: readOptional(join(dir, 'evaluation.json'), problems, parseJson(evaluationReportSchema)),
    epochs: readOptional(join(dir, 'metrics.jsonl'), problems, parseEpochs) ?? [],
    provenance: readOptional(join(dir, 'provenance.json'), problems, parseJson(provenanceSchema)),
    weightsSha256: record?.weights_sha256 ?? runWeightsSha256(dir),
    problems,
  };
}

/** Every run under `runsDir`, oldest first. */
export function readRunSummaries(runsDir: string): RunSummary[] {
  return listRuns(runsDir).map((id) => readRunSummary(runsDir, id));
}
