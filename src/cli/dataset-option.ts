/** `--dataset FINGERPRINT`: pin a command to one prepared dataset instead of the current one. */
import { existsSync, readdirSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { loadPreparedDataset, type PreparedDataset } from '../data/index.js';
import { CardwatchError } from '../util/errors.js';

/** A full dataset fingerprint from a unique prefix of one under `preparedDir` (as `git` takes short hashes). */
function resolveFingerprint(preparedDir: string, text: string): string {
  if (/^[0-9a-f]{64}$/.test(text)) return text;
  const known = existsSync(preparedDir)
    ? readdirSync(preparedDir).filter((name) => /^[0-9a-f]{64}$/.test(name))
    : [];
  const matches = /^[0-9a-f]{4,}$/.test(text) ? known.filter((name) => name.startsWith(text)) : [];
  if (matches.length === 1) return matches[0]!;
  const listing =
    known.length > 0 ? `; prepared datasets: ${known.map((f) => f.slice(0, 12)).join(', ')}` : '';
  throw new CardwatchError(
    'DATA_NOT_FOUND',
    `--dataset ${text}: ${matches.length > 1 ? 'ambiguous prefix' : 'no such prepared dataset'} under ${preparedDir}${listing}`,
  );
}

/** Loads the prepared dataset a `--dataset` value names (a fingerprint or a unique prefix of one). */
export function loadDatasetOption(config: Config, text: string): PreparedDataset {
  const dir = config.data.prepared_dir;
  return loadPreparedDataset(dir, resolveFingerprint(dir, text));
}
