/**
 * Who used which data: the fingerprint every run records in `run.json` and every trained bundle in its
 * manifest. Read from the folders themselves, so the answer cannot drift from what is on disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listBundles, readManifest } from '../bundle/index.js';
import { listRuns, runRecordSchema } from '../runs/index.js';

export interface RunUse {
  readonly id: string;
  readonly fingerprint: string;
  readonly created_at: string;
  readonly status: string;
}

export interface BundleUse {
  readonly id: string;
  readonly fingerprint: string;
  readonly created_at: string;
  readonly run_id: string;
  readonly aliases: readonly string[];
}

/** Runs with a readable `run.json`, oldest first; unreadable ones are skipped (`runs list` reports them). */
export function runsUsingData(runsDir: string): RunUse[] {
  const uses: RunUse[] = [];
  for (const id of listRuns(runsDir)) {
    const path = join(runsDir, id, 'run.json');
    if (!existsSync(path)) continue;
    try {
      const record = runRecordSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
      uses.push({
        id,
        fingerprint: record.data_fingerprint,
        created_at: record.created_at,
        status: record.status,
      });
    } catch {
      continue;
    }
  }
  return uses;
}

/** Trained bundles (imports have no data), newest first as `models list` orders them. */
export function bundlesUsingData(modelsDir: string): BundleUse[] {
  const uses: BundleUse[] = [];
  for (const bundle of listBundles(modelsDir)) {
    if (bundle.error) continue;
    try {
      const manifest = readManifest(bundle.dir);
      if (manifest.source !== 'training') continue;
      uses.push({
        id: bundle.id,
        fingerprint: manifest.data_fingerprint,
        created_at: manifest.created_at,
        run_id: manifest.run_id,
        aliases: bundle.aliases,
      });
    } catch {
      continue; // damaged since it was listed: `models list` names the problem
    }
  }
  return uses;
}
