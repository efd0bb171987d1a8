import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { removeTempDirs, tempDir, tinyExportInput } from './__fixtures__/tiny-bundle.js';
import { writeV1Bundle } from './__fixtures__/v1-bundle.js';
import { exportBundle } from './export.js';
import { bundleEngines } from './manifest.js';
import { listBundles, promoteBundle, readAliases, readManifest, resolveBundle } from './registry.js';

afterAll(removeTempDirs);

function thrown(fn: () => unknown): CardwatchError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CardwatchError);
    return error as CardwatchError;
  }
  throw new Error('expected an error');
}

/** Sets a bundle's created_at (not covered by the content hash) so the order is under test control. */
function setCreatedAt(dir: string, createdAt: string): void {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  chmodSync(path, 0o644);
  writeFileSync(path, JSON.stringify({ ...manifest, created_at: createdAt }));
}

describe('registry', () => {
  const models = tempDir('registry');
  beforeAll(async () => {
    for (const [id, createdAt] of [
      ['ae-old', '2026-01-01T00:00:00.000Z'],
      ['ae-new', '2026-03-01T00:00:00.000Z'],
      ['ae-mid', '2026-02-01T00:00:00.000Z'],
    ] as const) {
      const { dir } = await exportBundle(tinyExportInput(models, id));
      setCreatedAt(dir, createdAt);
    }
    mkdirSync(join(models, '.tmp-ae-crashed')); // a crashed export: never listed
  });

  it('lists bundles newest first with their summary', () => {
    const list = listBundles(models);
    expect(list.map((b) => b.id)).toEqual(['ae-new', 'ae-mid', 'ae-old']);
    expect(list[0]).toMatchObject({
      model_type: 'autoencoder',
      created_at: '2026-03-01T00:00:00.000Z',
      aliases: [],
      test_roc_auc: 0.93,
      test_average_precision: 0.465,
      threshold: 0.75,
    });
    expect(list[0]!.error).toBeUndefined();
  });

  it('lists nothing for a models folder that does not exist', () => {
    expect(listBundles(join(models, 'nope'))).toEqual([]);
  });

  it('promotes, resolves aliases and reports the previous target', () => {
    expect(promoteBundle(models, 'ae-old')).toEqual({ alias: 'production', id: 'ae-old', previous: null });
    expect(promoteBundle(models, 'ae-mid')).toEqual({
      alias: 'production',
      id: 'ae-mid',
      previous: 'ae-old',
    });
    expect(promoteBundle(models, 'production', 'staging')).toEqual({
      alias: 'staging',
      id: 'ae-mid',
      previous: null,
    });
    expect(readAliases(models)).toEqual({ production: 'ae-mid', staging: 'ae-mid' });
    expect(resolveBundle(models, 'production').id).toBe('ae-mid');
    expect(resolveBundle(models, 'ae-new').manifest.id).toBe('ae-new');
    expect(listBundles(models).find((b) => b.id === 'ae-mid')!.aliases).toEqual(['production', 'staging']);
  });

  it('rejects bad alias names and aliases that would shadow an id', () => {
    expect(thrown(() => promoteBundle(models, 'ae-new', '../x')).code).toBe('INVALID_INPUT');
    expect(thrown(() => promoteBundle(models, 'ae-new', 'ae-old')).message).toMatch(/shadow/);
  });

  it('names the valid aliases and ids for an unknown name', () => {
    promoteBundle(models, 'ae-mid');
    const error = thrown(() => resolveBundle(models, 'prod'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('"prod"');
    expect(error.message).toContain('production → ae-mid');
    expect(error.message).toContain('ae-new, ae-old');
    expect(thrown(() => resolveBundle(models, '../ae-new')).code).toBe('MODEL_NOT_FOUND');
  });

  it('suggests training when there are no bundles', () => {
    const empty = tempDir('empty');
    const error = thrown(() => resolveBundle(empty, 'production'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('run `cardwatch train`');
  });

  it('lists a bundle with a broken manifest with its error, and never crashes the listing', () => {
    const dir = tempDir('broken');
    mkdirSync(join(dir, 'ae-broken'));
    writeFileSync(join(dir, 'ae-broken', 'manifest.json'), '{ not json');
    mkdirSync(join(dir, 'ae-schema'));
    writeFileSync(
      join(dir, 'ae-schema', 'manifest.json'),
      JSON.stringify({ id: 'ae-schema', format_version: 1 }),
    );
    mkdirSync(join(dir, 'ae-empty'));
    const list = listBundles(dir);
    expect(list.map((b) => b.id)).toEqual(['ae-broken', 'ae-empty', 'ae-schema']);
    expect(list[0]!.error).toMatch(/ae-broken\/manifest\.json is not valid JSON/);
    expect(list[1]!.error).toMatch(/cannot read .*ae-empty\/manifest\.json/);
    expect(list[2]!.error).toMatch(/not a valid bundle manifest: .*model_type/);
    expect(list.every((b) => b.created_at === null && b.threshold === null)).toBe(true);
    expect(thrown(() => resolveBundle(dir, 'ae-broken')).code).toBe('MODEL_CORRUPT');
  });

  it('sorts healthy bundles before broken ones', async () => {
    const dir = tempDir('mixed');
    await exportBundle(tinyExportInput(dir, 'b-ok'));
    mkdirSync(join(dir, 'z-broken'));
    mkdirSync(join(dir, 'a-broken'));
    expect(listBundles(dir).map((b) => b.id)).toEqual(['b-ok', 'a-broken', 'z-broken']);
  });

  it('reports a missing model file, a renamed folder, a dangling alias and a damaged aliases.json', async () => {
    const dir = tempDir('damage');
    const { dir: bundle } = await exportBundle(tinyExportInput(dir, 'ae-1'));
    promoteBundle(dir, 'ae-1');
    renameSync(bundle, join(dir, 'ae-renamed'));
    const renamed = thrown(() => resolveBundle(dir, 'ae-renamed'));
    expect(renamed.code).toBe('MODEL_CORRUPT');
    expect(renamed.message).toMatch(/says id ae-1 but the folder is ae-renamed/);
    const dangling = thrown(() => resolveBundle(dir, 'production'));
    expect(dangling.code).toBe('MODEL_NOT_FOUND');
    expect(dangling.message).toMatch(/alias production points to bundle ae-1, which is not in/);

    rmSync(join(dir, 'ae-renamed', 'model.onnx'));
    const missing = thrown(() => readManifest(join(dir, 'ae-renamed')));
    expect(missing.code).toBe('MODEL_CORRUPT');
    expect(missing.message).toMatch(/model\.onnx is missing/);

    writeFileSync(join(dir, 'aliases.json'), '["production"]');
    expect(thrown(() => readAliases(dir)).message).toMatch(
      /aliases\.json must map alias names to bundle ids/,
    );
    writeFileSync(join(dir, 'aliases.json'), '{');
    expect(thrown(() => listBundles(dir)).message).toMatch(/aliases\.json is not valid JSON/);
  });

  it('refuses to promote a tampered bundle', async () => {
    const dir = tempDir('tamper');
    const { dir: bundle } = await exportBundle(tinyExportInput(dir, 'ae-1'));
    chmodSync(join(bundle, 'examples.json'), 0o644);
    writeFileSync(join(bundle, 'examples.json'), '{"columns":["x"],"normal":[],"fraud":[]}');
    expect(thrown(() => promoteBundle(dir, 'ae-1')).message).toMatch(/modified after export/);
    expect(readAliases(dir)).toEqual({});
  });
});

describe('manifest format versions', () => {
  it('reads a format_version 1 bundle as a trained, float32-only bundle and lists it beside version 2', async () => {
    const dir = tempDir('versions');
    const v1Dir = writeV1Bundle(dir);
    await exportBundle(tinyExportInput(dir, 'ae-v2'));
    const manifest = readManifest(v1Dir, { verifyHash: true });
    expect(manifest.format_version).toBe(1);
    expect(manifest.source).toBe('training');
    expect(manifest.variants).toEqual({ float32: { file: 'model.onnx', bytes: null, sha256: null } });
    expect(manifest.parity.reference).toBe('training_engine');
    expect(bundleEngines(manifest)).toEqual(['float32']);
    const list = listBundles(dir);
    expect(list.find((b) => b.id === 'ae-v1')).toMatchObject({ source: 'training', engines: ['float32'] });
    expect(list.find((b) => b.id === 'ae-v2')).toMatchObject({
      source: 'training',
      engines: ['float32', 'int8'],
      test_roc_auc: 0.93,
    });
    expect(list.every((b) => b.error === undefined)).toBe(true);
  });

  it('refuses a newer format_version and manifests whose parts contradict each other', async () => {
    const dir = tempDir('contradict');
    const { dir: bundle, manifest } = await exportBundle(tinyExportInput(dir, 'ae-1'));
    const path = join(bundle, 'manifest.json');
    chmodSync(path, 0o644);
    const write = (value: unknown) => writeFileSync(path, JSON.stringify(value));
    const problem = (value: unknown): string => {
      write(value);
      return thrown(() => readManifest(bundle)).message;
    };
    expect(problem({ ...manifest, format_version: 3 })).toMatch(
      /format_version 3; this cardwatch reads up to 2/,
    );
    // An import has no run: metrics must be null…
    expect(problem({ ...manifest, source: 'import' })).toMatch(/metrics: .*null/);
    // …and a trained bundle needs them.
    expect(problem({ ...manifest, metrics: null })).toMatch(/metrics/);
    expect(
      problem({
        ...manifest,
        variants: { ...manifest.variants, float32: { ...manifest.variants.float32, file: 'other.onnx' } },
      }),
    ).toMatch(/variants\.float32\.file: must name the same file as onnx\.file \(model\.onnx\)/);
    expect(
      problem({
        ...manifest,
        variants: { ...manifest.variants, int8: { ...manifest.variants.int8, rank_correlation: 1.5 } },
      }),
    ).toMatch(/variants\.int8\.rank_correlation/);
    write(manifest);
    expect(readManifest(bundle)).toEqual(manifest);
  });
});
