/**
 * The model registry is the models folder itself: one immutable folder per bundle plus `aliases.json`
 * (`{ "production": "<id>" }`). No database, so `ls models/` and the registry never disagree.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CardwatchError, describeError } from '../util/errors.js';
import { computeContentHash } from './content-hash.js';
import { ALIASES_FILE, isValidName, MANIFEST_FILE, TEMP_PREFIX } from './layout.js';
import { bundleEngines, parseManifest, type BundleManifest, type ScoringEngine } from './manifest.js';

export interface ReadManifestOptions {
  /** Recompute the content hash and compare it with the manifest's (reads every file of the bundle). */
  readonly verifyHash?: boolean;
}

/**
 * Reads and validates `<dir>/manifest.json` and checks the files it names exist.
 * Bad JSON, a schema violation, a missing file or (with `verifyHash`) a hash mismatch → `MODEL_CORRUPT`
 * naming the file and the problem.
 */
export function readManifest(dir: string, options: ReadManifestOptions = {}): BundleManifest {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CardwatchError('MODEL_CORRUPT', `cannot read ${path}: ${describeError(error)}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CardwatchError('MODEL_CORRUPT', `${path} is not valid JSON: ${describeError(error)}`, {
      cause: error,
    });
  }
  const manifest = parseManifest(json, path);
  const listed = [
    manifest.onnx.file,
    manifest.variants.int8?.file,
    manifest.files.reference_sample,
    manifest.files.examples,
  ].filter((file): file is string => typeof file === 'string');
  for (const file of listed) {
    if (!existsSync(join(dir, file))) {
      throw new CardwatchError('MODEL_CORRUPT', `${join(dir, file)} is missing (listed in ${path})`);
    }
  }
  if (options.verifyHash) {
    const actual = computeContentHash(dir);
    if (actual !== manifest.content_hash) {
      throw new CardwatchError(
        'MODEL_CORRUPT',
        `bundle ${dir} was modified after export: content hash ${actual} ≠ ${manifest.content_hash} in ${path}` +
          damagedModelFiles(dir, manifest),
      );
    }
  }
  return manifest;
}

/**
 * Names the model files whose bytes differ from the sha256 the manifest recorded for them (format_version 2),
 * so a damaged `model.int8.onnx` is named rather than left to a bare hash mismatch.
 */
function damagedModelFiles(dir: string, manifest: BundleManifest): string {
  const damaged: string[] = [];
  for (const variant of [manifest.variants.float32, manifest.variants.int8]) {
    if (variant === undefined || variant.sha256 === null) continue;
    const actual = createHash('sha256')
      .update(readFileSync(join(dir, variant.file)))
      .digest('hex');
    if (actual !== variant.sha256) damaged.push(variant.file);
  }
  return damaged.length > 0
    ? `; damaged model file(s): ${damaged.join(', ')} (sha256 differs from the manifest's)`
    : '';
}

const aliasesSchema = z.record(z.string(), z.string());
export type Aliases = z.infer<typeof aliasesSchema>;

/** The alias table of `modelsDir` (empty when there is no `aliases.json` yet). */
export function readAliases(modelsDir: string): Aliases {
  const path = join(modelsDir, ALIASES_FILE);
  if (!existsSync(path)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CardwatchError('MODEL_CORRUPT', `${path} is not valid JSON: ${describeError(error)}`, {
      cause: error,
    });
  }
  const result = aliasesSchema.safeParse(json);
  if (!result.success) {
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `${path} must map alias names to bundle ids, e.g. {"production": "<id>"}`,
    );
  }
  return result.data;
}

/** Writes `aliases.json` through a temp file + rename, so a reader never sees half a file. */
function writeAliases(modelsDir: string, aliases: Aliases): void {
  const path = join(modelsDir, ALIASES_FILE);
  const temp = join(modelsDir, `${TEMP_PREFIX}${ALIASES_FILE}-${randomBytes(4).toString('hex')}`);
  const sorted = Object.fromEntries(Object.entries(aliases).sort(([a], [b]) => a.localeCompare(b)));
  try {
    writeFileSync(temp, `${JSON.stringify(sorted, null, 2)}\n`);
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** One line of `cardwatch models list`. Fields are null when the bundle could not be read (see `error`). */
export interface BundleSummary {
  readonly id: string;
  readonly dir: string;
  readonly created_at: string | null;
  readonly model_type: string | null;
  readonly aliases: string[];
  /** `training` or `import`; null when unreadable. */
  readonly source: BundleManifest['source'] | null;
  /** Engines the bundle can score with (`float32`, `int8`); empty when unreadable. */
  readonly engines: ScoringEngine[];
  /** Null for an imported bundle (no test split) or an unreadable one. */
  readonly test_roc_auc: number | null;
  readonly test_average_precision: number | null;
  readonly threshold: number | null;
  /** Why the bundle is unusable (bad manifest, missing file); absent for a healthy bundle. */
  readonly error?: string;
}

/** Ids of the bundle folders of `modelsDir` (hidden and `.tmp-*` folders skipped). */
function bundleIds(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Every bundle of `modelsDir`, newest first (unreadable ones last, with an `error`): one damaged bundle never
 * breaks the listing. A missing `modelsDir` lists nothing; a damaged `aliases.json` → `MODEL_CORRUPT`.
 */
export function listBundles(modelsDir: string): BundleSummary[] {
  // A damaged aliases.json is a registry-level problem: it throws (naming the file) rather than hiding aliases.
  const aliases = readAliases(modelsDir);
  const summaries = bundleIds(modelsDir).map((id): BundleSummary => {
    const dir = join(modelsDir, id);
    const names = Object.entries(aliases)
      .filter(([, target]) => target === id)
      .map(([alias]) => alias);
    try {
      const manifest = readManifest(dir);
      checkIdMatchesFolder(manifest, id, dir);
      return {
        id,
        dir,
        created_at: manifest.created_at,
        model_type: manifest.model_type,
        aliases: names,
        source: manifest.source,
        engines: bundleEngines(manifest),
        test_roc_auc: manifest.metrics?.test.roc_auc ?? null,
        test_average_precision: manifest.metrics?.test.average_precision ?? null,
        threshold: manifest.threshold.value,
      };
    } catch (error) {
      return {
        id,
        dir,
        created_at: null,
        model_type: null,
        aliases: names,
        source: null,
        engines: [],
        test_roc_auc: null,
        test_average_precision: null,
        threshold: null,
        error: describeError(error),
      };
    }
  });
  return summaries.sort((a, b) => {
    if (a.created_at === null || b.created_at === null) {
      if (a.created_at !== b.created_at) return a.created_at === null ? 1 : -1;
      return a.id.localeCompare(b.id);
    }
    // ISO-8601 UTC timestamps sort as strings; the id breaks ties so the order is stable.
    return b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);
  });
}

function checkIdMatchesFolder(manifest: BundleManifest, id: string, dir: string): void {
  if (manifest.id !== id) {
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `${join(dir, MANIFEST_FILE)} says id ${manifest.id} but the folder is ${id}; bundle folders must not be renamed`,
    );
  }
}

export interface ResolvedBundle {
  readonly id: string;
  readonly dir: string;
  readonly manifest: BundleManifest;
}

export interface ResolveOptions {
  /** Verify the content hash (default true: whatever is about to serve traffic gets checked). */
  readonly verifyHash?: boolean;
}

/**
 * Finds a bundle by id or alias (an id wins over an alias of the same name; `promoteBundle` prevents that case).
 * Unknown → `MODEL_NOT_FOUND` listing the valid aliases and ids.
 *
 * @example
 * resolveBundle('models', 'production') // → { id: 'autoencoder-20261126-164812-3f9a', dir: 'models/autoencoder-…', manifest }
 */
export function resolveBundle(
  modelsDir: string,
  idOrAlias: string,
  options: ResolveOptions = {},
): ResolvedBundle {
  const ids = bundleIds(modelsDir);
  let id: string | undefined;
  if (isValidName(idOrAlias) && ids.includes(idOrAlias)) {
    id = idOrAlias;
  } else {
    const aliases = readAliases(modelsDir);
    const target = Object.hasOwn(aliases, idOrAlias) ? aliases[idOrAlias] : undefined;
    if (target !== undefined) {
      if (!isValidName(target) || !ids.includes(target)) {
        throw new CardwatchError(
          'MODEL_NOT_FOUND',
          `alias ${idOrAlias} points to bundle ${target}, which is not in ${modelsDir}; ` +
            `promote an existing bundle (${ids.length > 0 ? ids.join(', ') : 'none yet: run `cardwatch train`'})`,
        );
      }
      id = target;
    } else {
      throw notFound(modelsDir, idOrAlias, aliases, ids);
    }
  }
  const dir = join(modelsDir, id);
  const manifest = readManifest(dir, { verifyHash: options.verifyHash ?? true });
  checkIdMatchesFolder(manifest, id, dir);
  return { id, dir, manifest };
}

function notFound(modelsDir: string, name: string, aliases: Aliases, ids: string[]): CardwatchError {
  if (ids.length === 0) {
    return new CardwatchError(
      'MODEL_NOT_FOUND',
      `no model bundle or alias ${JSON.stringify(name)}: ${modelsDir} has no bundles yet; run \`cardwatch train\``,
    );
  }
  const aliasList = Object.entries(aliases)
    .map(([alias, target]) => `${alias} → ${target}`)
    .join(', ');
  return new CardwatchError(
    'MODEL_NOT_FOUND',
    `no model bundle or alias ${JSON.stringify(name)} in ${modelsDir}; ` +
      `aliases: ${aliasList || '(none)'}; bundles: ${ids.join(', ')}`,
  );
}

export interface PromoteResult {
  readonly alias: string;
  readonly id: string;
  /** The bundle the alias pointed to before, if any. */
  readonly previous: string | null;
}

/**
 * Points `alias` (default `production`) at a bundle, after verifying the bundle's integrity.
 * `idOrAlias` may itself be an alias (`promote staging --alias production`).
 */
export function promoteBundle(modelsDir: string, idOrAlias: string, alias = 'production'): PromoteResult {
  if (!isValidName(alias)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `alias ${JSON.stringify(alias)} is not valid: use letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  const ids = bundleIds(modelsDir);
  if (ids.includes(alias)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `alias ${alias} would shadow the bundle with that id; choose another name`,
    );
  }
  const { id } = resolveBundle(modelsDir, idOrAlias, { verifyHash: true });
  const aliases = readAliases(modelsDir);
  const previous = aliases[alias] ?? null;
  writeAliases(modelsDir, { ...aliases, [alias]: id });
  return { alias, id, previous };
}
