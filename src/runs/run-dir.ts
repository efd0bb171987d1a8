/**
 * `runs/<id>/`: one folder per training run. Files are written whole (write to a temp name, then rename) so
 * a crash never leaves a half-written JSON for `evaluate`, `export` or `runs list` to trip over.
 */
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { CardwatchError, describeError } from '../util/errors.js';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A sortable, unique run id: `<prefix>-YYYYMMDD-HHMMSS-<4 hex>` (UTC). */
export function newRunId(prefix = 'run', now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}-${randomBytes(2).toString('hex')}`;
}

function checkId(id: string): void {
  // Ids become folder names: refuse anything that could escape the runs folder.
  if (!RUN_ID.test(id)) throw new CardwatchError('INVALID_INPUT', `invalid run id "${id}"`);
}

export interface RunDir {
  readonly id: string;
  readonly dir: string;
  /** Absolute path of a file in the run (its parent folder is created). */
  path(name: string): string;
  writeJson(name: string, value: unknown): void;
  writeText(name: string, text: string): void;
  appendJsonLine(name: string, value: unknown): void;
  readJson<T extends z.ZodType>(name: string, schema: T): z.infer<T>;
}

function writeAtomic(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

function runDir(id: string, dir: string): RunDir {
  const path = (name: string): string => {
    const full = join(dir, name);
    mkdirSync(dirname(full), { recursive: true });
    return full;
  };
  return {
    id,
    dir,
    path,
    writeJson: (name, value) => writeAtomic(path(name), `${JSON.stringify(value, null, 2)}\n`),
    writeText: (name, text) => writeAtomic(path(name), text),
    appendJsonLine: (name, value) => appendFileSync(path(name), `${JSON.stringify(value)}\n`),
    readJson: (name, schema) => {
      const file = join(dir, name);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new CardwatchError(
          'RUN_NOT_FOUND',
          `run ${id}: cannot read ${name} (${describeError(error)})`,
          {
            cause: error,
          },
        );
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new CardwatchError(
          'DATA_INVALID',
          `run ${id}: ${name} is invalid (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown'})`,
        );
      }
      return parsed.data;
    },
  };
}

export interface CreateRunOptions {
  /** What to do when the folder exists: refuse (a new run) or reuse it (re-evaluating a finished run). */
  existing?: 'error' | 'reuse';
}

export function createRunDir(runsDir: string, id: string, options: CreateRunOptions = {}): RunDir {
  checkId(id);
  const dir = resolve(runsDir, id);
  if (existsSync(dir) && (options.existing ?? 'error') === 'error') {
    throw new CardwatchError('INVALID_INPUT', `run folder ${dir} already exists`);
  }
  mkdirSync(dir, { recursive: true });
  return runDir(id, dir);
}

/** Opens an existing run. @throws CardwatchError RUN_NOT_FOUND with the runs that do exist. */
export function loadRun(runsDir: string, id: string): RunDir {
  checkId(id);
  const dir = resolve(runsDir, id);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const known = listRuns(runsDir);
    const hint =
      known.length > 0 ? `; known runs: ${known.slice(-5).join(', ')}` : '; run `cardwatch train` first';
    throw new CardwatchError('RUN_NOT_FOUND', `no run "${id}" under ${runsDir}${hint}`);
  }
  return runDir(id, dir);
}

/** Run ids under `runsDir`, oldest first (ids sort by creation time). */
export function listRuns(runsDir: string): string[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && RUN_ID.test(entry.name) && existsSync(join(runsDir, entry.name, 'run.json')),
    )
    .map((entry) => entry.name)
    .sort();
}

export function latestRunId(runsDir: string): string | null {
  return listRuns(runsDir).at(-1) ?? null;
}

/** Deletes a run folder and everything in it. @throws CardwatchError RUN_NOT_FOUND when there is no such run. */
export function removeRunDir(runsDir: string, id: string): void {
  const { dir } = loadRun(runsDir, id);
  rmSync(dir, { recursive: true, force: true });
}
