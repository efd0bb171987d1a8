import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import { configSchema, isMultirunValue, loadConfig, parseOverride, readConfigFile } from './index.js';

const DEFAULT_YAML = new URL('../../configs/default.yaml', import.meta.url).pathname;

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isCardwatchError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

describe('configs/default.yaml', () => {
  it('spells out exactly the schema defaults (workers aside: it defaults to the core count)', () => {
    const fromFile = configSchema.parse(readConfigFile(DEFAULT_YAML));
    const fromSchema = configSchema.parse({});
    expect(fromFile).toEqual(fromSchema);
    // And every key the schema has is written in the file, so the file documents them all.
    const raw = readConfigFile(DEFAULT_YAML) as Record<string, Record<string, unknown>>;
    for (const [section, value] of Object.entries(fromSchema)) {
      expect(raw, section).toHaveProperty(section);
      if (typeof value === 'object' && !Array.isArray(value)) {
        for (const key of Object.keys(value)) {
          if (section === 'training' && key === 'workers') continue;
          expect(raw[section], `${section}.${key}`).toHaveProperty(key);
        }
      }
    }
  });

  it('holds the reference knobs', () => {
    const config = loadConfig({ file: DEFAULT_YAML });
    expect(config.seed).toBe(42);
    expect(config.model).toMatchObject({ type: 'autoencoder', hidden_dim: 32, latent_dim: 16, dropout: 0.1 });
    expect(config.model.features).toEqual(Array.from({ length: 28 }, (_, i) => `V${i + 1}`));
    expect(config.training).toMatchObject({
      batch_size: 1024,
      lr: 0.001,
      weight_decay: 1e-5,
      epochs: 30,
      early_stopping_patience: 5,
    });
    expect(config.evaluation.threshold).toEqual({ strategy: 'normal_percentile', percentile: 95 });
    expect(config.training.workers).toBeGreaterThanOrEqual(1);
  });
});

describe('overrides', () => {
  it('apply Hydra-style a.b=c with YAML-typed values', () => {
    const config = loadConfig({
      file: DEFAULT_YAML,
      overrides: ['training.lr=0.005', 'model.hidden_dim=64', 'model.features=[V1, V2]', 'data.split=time'],
    });
    expect(config.training.lr).toBe(0.005);
    expect(config.model).toMatchObject({ type: 'autoencoder', hidden_dim: 64 });
    expect(config.model.features).toEqual(['V1', 'V2']);
    expect(config.data.split).toBe('time');
  });

  it('switch the member of a tagged union', () => {
    const config = loadConfig({ overrides: ['evaluation.threshold.strategy=target_precision'] });
    expect(config.evaluation.threshold).toEqual({ strategy: 'target_precision', precision: 0.9 });
  });

  it('refuse a wrong type naming the key path, the expected type and the value', () => {
    const error = errorOf(() => loadConfig({ overrides: ['training.lr=fast'] }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(
      'training.lr: expected a number, got "fast" (from override training.lr=fast)',
    );
  });

  it('refuse an unknown key with its full path and the keys allowed there', () => {
    const error = errorOf(() => loadConfig({ overrides: ['training.lrate=0.1'] }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('training.lrate: unknown key');
    expect(error.message).toContain('known keys here: batch_size, lr,');
    expect(errorOf(() => loadConfig({ overrides: ['evaluation.threshold.percentil=90'] })).message).toContain(
      'evaluation.threshold.percentil: unknown key; known keys here: strategy, percentile',
    );
  });

  it('refuse out-of-range values and unknown features', () => {
    expect(errorOf(() => loadConfig({ overrides: ['training.epochs=0'] })).message).toMatch(
      /^invalid configuration:\n {2}training\.epochs: /,
    );
    expect(errorOf(() => loadConfig({ overrides: ['model.features=[V1,V99]'] })).message).toContain(
      'model.features.1',
    );
    expect(errorOf(() => loadConfig({ overrides: ['model.features=[V1,V1]'] })).message).toContain(
      'must not repeat',
    );
  });

  it('reserve the comma for multirun lists', () => {
    const error = errorOf(() => loadConfig({ overrides: ['training.lr=0.001,0.003'] }));
    expect(error.code).toBe('CONFIG_OVERRIDE_SYNTAX');
    expect(error.message).toContain('multirun');
    expect(isMultirunValue('[V1,V2]')).toBe(false);
    expect(isMultirunValue('"a,b"')).toBe(false);
    expect(isMultirunValue('1,2')).toBe(true);
  });

  it('refuse malformed overrides', () => {
    for (const text of ['training.lr', '=3', 'training..lr=1', '1abc=2']) {
      expect(errorOf(() => parseOverride(text)).code, text).toBe('CONFIG_OVERRIDE_SYNTAX');
    }
  });
});

describe('config files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cardwatch-config-'));

  it('merge a partial file over the defaults, then overrides over the file', () => {
    const file = join(dir, 'small.yaml');
    writeFileSync(file, 'training:\n  epochs: 3\n  lr: 0.01\n');
    const config = loadConfig({ file, overrides: ['training.lr=0.02'] });
    expect(config.training.epochs).toBe(3);
    expect(config.training.lr).toBe(0.02);
    expect(config.training.batch_size).toBe(1024);
  });

  it('report a missing file, invalid YAML and a non-mapping clearly', () => {
    expect(errorOf(() => loadConfig({ file: join(dir, 'nope.yaml') }))).toMatchObject({
      code: 'CONFIG_FILE',
      message: expect.stringContaining('not found') as unknown as string,
    });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'training: [1, 2\n');
    expect(errorOf(() => loadConfig({ file: bad })).message).toContain('is not valid YAML');
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- 1\n- 2\n');
    expect(errorOf(() => loadConfig({ file: list })).message).toContain('must hold a mapping');
  });

  it('freezes the resolved config', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config.training)).toBe(true);
  });
});

describe('tagged-union overrides', () => {
  it('take the member switch first, whatever the order typed', () => {
    const config = loadConfig({
      overrides: ['evaluation.threshold.precision=0.8', 'evaluation.threshold.strategy=target_precision'],
    });
    expect(config.evaluation.threshold).toEqual({ strategy: 'target_precision', precision: 0.8 });
  });
});
