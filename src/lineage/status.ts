/**
 * `cardwatch data status`: the question DVC answered for the Python reference — which data do we have, who
 * used it, and is the model in production trained on the data we would train on now?
 *
 * "The data we would train on now" is what `cardwatch train` picks: the current prepared dataset, else the
 * built-in CSV at `data.synthetic_path` (prepared on first use). The sha256 of a CSV is the fingerprint of
 * the dataset prepared from it, so a file on disk can be compared with a bundle without preparing it.
 */
import { existsSync } from 'node:fs';
import { resolveBundle } from '../bundle/index.js';
import { currentPreparedFingerprint, fingerprintFile } from '../data/index.js';
import { describeError, isCardwatchError } from '../util/errors.js';
import { listPreparedDatasets } from './datasets.js';
import { bundlesUsingData, runsUsingData } from './usage.js';

export interface StatusPaths {
  readonly preparedDir: string;
  readonly runsDir: string;
  readonly modelsDir: string;
  /** The CSV `train` prepares when there is no current dataset (`data.synthetic_path`). */
  readonly syntheticPath: string;
}

export interface DatasetStatus {
  readonly fingerprint: string;
  /** False for a fingerprint that runs or bundles recorded but that is not prepared under this folder. */
  readonly prepared: boolean;
  /** The prepared folder (`<prepared_dir>/<fingerprint>`); null when it is not prepared here. */
  readonly dir: string | null;
  readonly current: boolean;
  readonly rows: number | null;
  readonly frauds: number | null;
  /** The CSV it was prepared from, as given to `data prepare`. */
  readonly source: string | null;
  readonly prepared_at: string | null;
  readonly runs: readonly string[];
  readonly bundles: readonly { readonly id: string; readonly aliases: readonly string[] }[];
  /** Why a prepared folder could not be read. */
  readonly error?: string;
}

/**
 * The state of a CSV against the fingerprint it was prepared under: `unchanged`, `changed` (new bytes: prepare
 * it again to train on them), or `missing` (the dataset still works; only re-preparing needs the file).
 */
export type SourceState = 'unchanged' | 'changed' | 'missing';

export interface CurrentData {
  /** `prepared`: the current prepared dataset; `csv`: no dataset is current, `train` would prepare this CSV. */
  readonly kind: 'prepared' | 'csv';
  readonly fingerprint: string;
  readonly path: string | null;
  /** For `prepared`: how its source CSV compares with it now (null when no source was recorded). */
  readonly source_state: SourceState | null;
  /** The sha256 of the source CSV when it has changed. */
  readonly source_fingerprint: string | null;
}

export interface ProductionData {
  readonly alias: string;
  readonly id: string;
  /** Null for an imported bundle (trained elsewhere: cardwatch never saw its data). */
  readonly fingerprint: string | null;
}

/**
 * - `same`: production was trained on exactly the current data;
 * - `differs`: the current data (or its source CSV) is not what production was trained on;
 * - `unknown`: there is no production model, it was imported, or there is no data to compare.
 */
export type Verdict = 'same' | 'differs' | 'unknown';

export interface DataStatus {
  readonly datasets: readonly DatasetStatus[];
  readonly current: CurrentData | null;
  /** The alias compared with (`production` unless `--alias` says otherwise). */
  readonly alias: string;
  readonly production: ProductionData | null;
  /** Why production could not be read (missing alias, damaged bundle). */
  readonly production_error: string | null;
  readonly verdict: Verdict;
  /** One sentence saying why, and what to do. */
  readonly reason: string;
}

async function sourceState(
  path: string,
  fingerprint: string,
): Promise<{ state: SourceState; fingerprint: string | null }> {
  if (!existsSync(path)) return { state: 'missing', fingerprint: null };
  // Hashed in full (about 1 s per GB): the new fingerprint tells whether the edit was already prepared.
  const actual = await fingerprintFile(path);
  return actual === fingerprint
    ? { state: 'unchanged', fingerprint: null }
    : { state: 'changed', fingerprint: actual };
}

async function currentData(paths: StatusPaths, known: Map<string, string>) {
  const fingerprint = currentPreparedFingerprint(paths.preparedDir);
  if (fingerprint !== null) {
    const sourcePath = known.get(fingerprint);
    const source = sourcePath === undefined ? null : await sourceState(sourcePath, fingerprint);
    return {
      kind: 'prepared',
      fingerprint,
      path: sourcePath ?? null,
      source_state: source?.state ?? null,
      source_fingerprint: source?.fingerprint ?? null,
    } satisfies CurrentData;
  }
  if (!existsSync(paths.syntheticPath)) return null;
  return {
    kind: 'csv',
    fingerprint: await fingerprintFile(paths.syntheticPath),
    path: paths.syntheticPath,
    source_state: null,
    source_fingerprint: null,
  } satisfies CurrentData;
}

function production(modelsDir: string, alias: string): { data: ProductionData | null; error: string | null } {
  try {
    // Integrity is `models list`'s and `serve`'s job; lineage only needs the manifest.
    const bundle = resolveBundle(modelsDir, alias, { verifyHash: false });
    return { data: { alias, id: bundle.id, fingerprint: bundle.manifest.data_fingerprint }, error: null };
  } catch (error) {
    if (!isCardwatchError(error)) throw error;
    return { data: null, error: describeError(error) };
  }
}

function verdictOf(
  current: CurrentData | null,
  prod: ProductionData | null,
  alias: string,
): [Verdict, string] {
  const short = (fingerprint: string): string => fingerprint.slice(0, 12);
  if (prod === null) return ['unknown', `no bundle is aliased ${alias}: there is nothing to compare with`];
  if (prod.fingerprint === null) {
    return ['unknown', `${alias} (${prod.id}) was imported: cardwatch has no record of its training data`];
  }
  if (current === null) {
    return ['unknown', 'there is no current data: `cardwatch data prepare --input FILE` or `data generate`'];
  }
  if (current.fingerprint !== prod.fingerprint) {
    return [
      'differs',
      `the current data (${short(current.fingerprint)}) is not what ${alias} (${prod.id}) was trained on ` +
        `(${short(prod.fingerprint)}): train, evaluate and gate a new bundle`,
    ];
  }
  if (current.source_state === 'changed' && current.source_fingerprint !== null) {
    return [
      'differs',
      `${alias} was trained on the current dataset, but its source ${current.path} has changed since ` +
        `(now ${short(current.source_fingerprint)}): \`cardwatch data prepare --input ${current.path}\`, then retrain`,
    ];
  }
  return ['same', `${alias} (${prod.id}) was trained on the current data (${short(current.fingerprint)})`];
}

/** Reads datasets, runs and bundles and answers whether production matches the current data. */
export async function dataStatus(paths: StatusPaths, alias = 'production'): Promise<DataStatus> {
  const prepared = listPreparedDatasets(paths.preparedDir);
  const runs = runsUsingData(paths.runsDir);
  const bundles = bundlesUsingData(paths.modelsDir);
  const known = new Map(prepared.flatMap((d) => (d.meta ? [[d.fingerprint, d.meta.source] as const] : [])));
  const current = await currentData(paths, known);
  const prod = production(paths.modelsDir, alias);

  // Prepared datasets first (oldest first), then fingerprints only runs or bundles remember.
  const fingerprints = [
    ...prepared.map((d) => d.fingerprint),
    ...[...runs, ...bundles].map((use) => use.fingerprint),
  ].filter((fingerprint, i, all) => all.indexOf(fingerprint) === i);
  const datasets = fingerprints.map((fingerprint): DatasetStatus => {
    const found = prepared.find((d) => d.fingerprint === fingerprint);
    return {
      fingerprint,
      prepared: found !== undefined,
      dir: found?.dir ?? null,
      current: current?.kind === 'prepared' && current.fingerprint === fingerprint,
      rows: found?.meta?.rows ?? null,
      frauds: found?.meta?.frauds ?? null,
      source: found?.meta?.source ?? null,
      prepared_at: found?.meta?.created_at ?? null,
      runs: runs.filter((r) => r.fingerprint === fingerprint).map((r) => r.id),
      bundles: bundles
        .filter((b) => b.fingerprint === fingerprint)
        .map((b) => ({ id: b.id, aliases: b.aliases })),
      ...(found?.error === undefined ? {} : { error: found.error }),
    };
  });
  const [verdict, reason] = verdictOf(current, prod.data, alias);
  return { datasets, current, alias, production: prod.data, production_error: prod.error, verdict, reason };
}
