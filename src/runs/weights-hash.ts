/**
 * The weights hash of a run: sha256 of its final learned parameters. Two runs with the same hash hold
 * bit-identical models, which is what `cardwatch reproduce` checks.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SHA256 = /^[0-9a-f]{64}$/;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The weights hash of a parsed `model.json`. A network's file already carries `parameters_sha256` (sha256
 * of its little-endian float32 parameters, checked whenever the file is loaded), so that is the hash; a
 * model file without one (a detector that is not a network) is hashed whole, keys sorted, so the hash
 * still changes exactly when what was learned changes.
 * @example weightsSha256({ parameters_sha256: 'ab…' }) // → 'ab…'
 */
export function weightsSha256(modelFile: unknown): string {
  const declared = (modelFile as { parameters_sha256?: unknown } | null)?.parameters_sha256;
  if (typeof declared === 'string' && SHA256.test(declared)) return declared;
  return createHash('sha256').update(canonicalJson(modelFile)).digest('hex');
}

/** The weights hash of the `model.json` in `runDir`, or null when the run has no (readable) model. */
export function runWeightsSha256(runDir: string): string | null {
  try {
    return weightsSha256(JSON.parse(readFileSync(join(runDir, 'model.json'), 'utf8')));
  } catch {
    return null;
  }
}
