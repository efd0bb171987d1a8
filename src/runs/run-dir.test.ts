import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  collectProvenance,
  createRunDir,
  latestRunId,
  listRuns,
  loadRun,
  newRunId,
  provenanceSchema,
} from './index.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'cardwatch-runs-'));

describe('run ids', () => {
  it('sort by creation time and are unique', () => {
    const a = newRunId('run', new Date('2026-01-02T03:04:05Z'));
    const b = newRunId('run', new Date('2026-01-02T03:04:06Z'));
    expect(a).toMatch(/^run-20260102-030405-[0-9a-f]{4}$/);
    expect([b, a].sort()).toEqual([a, b]);
    const many = new Set(Array.from({ length: 50 }, () => newRunId('run', new Date(0))));
    expect(many.size).toBeGreaterThan(45);
  });
});

describe('run folders', () => {
  it('write JSON, text and JSON lines, and read them back through a schema', () => {
    const runs = fresh();
    const run = createRunDir(runs, 'run-a');
    run.writeJson('run.json', { id: 'run-a', n: 1 });
    run.writeText('plots/x.svg', '<svg/>');
    run.appendJsonLine('metrics.jsonl', { epoch: 1 });
    run.appendJsonLine('metrics.jsonl', { epoch: 2 });
    expect(readFileSync(join(runs, 'run-a', 'plots', 'x.svg'), 'utf8')).toBe('<svg/>');
    expect(readFileSync(join(runs, 'run-a', 'metrics.jsonl'), 'utf8')).toBe('{"epoch":1}\n{"epoch":2}\n');
    const loaded = loadRun(runs, 'run-a');
    expect(loaded.readJson('run.json', z.object({ id: z.string(), n: z.number() }))).toEqual({
      id: 'run-a',
      n: 1,
    });
    expect(() => loaded.readJson('run.json', z.object({ n: z.string() }))).toThrow(
      /run.json is invalid \(n: /,
    );
    expect(() => loaded.readJson('missing.json', z.object({}))).toThrow(/cannot read missing.json/);
    // No temp files left behind by the atomic writes.
    expect(existsSync(join(runs, 'run-a', `run.json.${process.pid}.tmp`))).toBe(false);
  });

  it('refuse to overwrite an existing run unless asked to reuse it', () => {
    const runs = fresh();
    createRunDir(runs, 'run-a');
    expect(() => createRunDir(runs, 'run-a')).toThrow(/already exists/);
    expect(createRunDir(runs, 'run-a', { existing: 'reuse' }).id).toBe('run-a');
  });

  it('refuse ids that could escape the runs folder', () => {
    expect(() => createRunDir(fresh(), '../evil')).toThrow(/invalid run id/);
    expect(() => loadRun(fresh(), 'a/b')).toThrow(/invalid run id/);
  });

  it('list only finished folders (with run.json), oldest first, and name known runs when one is missing', () => {
    const runs = fresh();
    expect(listRuns(runs)).toEqual([]);
    expect(latestRunId(join(runs, 'nothing-here'))).toBeNull();
    for (const id of ['run-2', 'run-1', 'run-3']) createRunDir(runs, id).writeJson('run.json', {});
    createRunDir(runs, 'run-9'); // no run.json: an interrupted start
    expect(listRuns(runs)).toEqual(['run-1', 'run-2', 'run-3']);
    expect(latestRunId(runs)).toBe('run-3');
    expect(() => loadRun(runs, 'run-7')).toThrow(/no run "run-7".*known runs: run-1, run-2, run-3/);
  });
});

describe('provenance', () => {
  it('records code, runtime, seed and data', () => {
    const provenance = collectProvenance({ seed: 7, dataFingerprint: 'abc', workers: 2 });
    expect(provenanceSchema.parse(provenance)).toEqual(provenance);
    expect(provenance).toMatchObject({
      seed: 7,
      data_fingerprint: 'abc',
      workers: 2,
      node_version: process.version,
    });
    expect(provenance.cardwatch_version).not.toBe('unknown');
  });
});
