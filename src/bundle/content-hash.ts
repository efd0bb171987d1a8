/**
 * The integrity hash of a bundle: sha256 over every file of the folder except the manifest (which stores the
 * hash), in sorted name order. Each file contributes `name NUL byteLength NUL content`, so moving bytes from one
 * file to another or renaming a file changes the hash.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE } from './layout.js';

/** Hex sha256 of the bundle folder `dir` (every regular file but `manifest.json`). */
export function computeContentHash(dir: string): string {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== MANIFEST_FILE)
    .map((entry) => entry.name)
    .sort();
  const hash = createHash('sha256');
  for (const name of names) {
    const content = readFileSync(join(dir, name));
    hash.update(`${name}\0${content.byteLength}\0`);
    hash.update(content);
  }
  return hash.digest('hex');
}
