/**
 * The prepared datasets known here: every `<prepared_dir>/<sha256>/meta.json`, read leniently so one damaged
 * folder is reported, not fatal (the same habit as `models list`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preparedMetaSchema, type PreparedMeta } from '../data/index.js';
import { describeError } from '../util/errors.js';

const FINGERPRINT = /^[0-9a-f]{64}$/;

export interface KnownDataset {
  readonly fingerprint: string;
  readonly dir: string;
  /** Null when meta.json is missing or invalid (see `error`). */
  readonly meta: PreparedMeta | null;
  readonly error?: string;
}

/** Prepared datasets under `preparedDir`, oldest preparation first (unreadable ones last). */
export function listPreparedDatasets(preparedDir: string): KnownDataset[] {
  if (!existsSync(preparedDir)) return [];
  const datasets = readdirSync(preparedDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && FINGERPRINT.test(entry.name))
    .map((entry): KnownDataset => {
      const dir = join(preparedDir, entry.name);
      try {
        const parsed = preparedMetaSchema.safeParse(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return {
            fingerprint: entry.name,
            dir,
            meta: null,
            error: `meta.json: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
          };
        }
        return { fingerprint: entry.name, dir, meta: parsed.data };
      } catch (error) {
        return { fingerprint: entry.name, dir, meta: null, error: describeError(error) };
      }
    });
  return datasets.sort((a, b) => {
    if (a.meta === null || b.meta === null) return a.meta === b.meta ? 0 : a.meta === null ? 1 : -1;
    return a.meta.created_at.localeCompare(b.meta.created_at) || a.fingerprint.localeCompare(b.fingerprint);
  });
}
