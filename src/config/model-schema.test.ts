/** The `model` union: autoencoder (default), classifier and hybrid, selected from the CLI with `model.type=…`. */
import { describe, expect, it } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import { CLASSIFIER_FEATURES, KAGGLE_FEATURES, loadConfig, readConfigFile, validateConfig } from './index.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isCardwatchError(error)) return error.message;
    throw error;
  }
  throw new Error('expected an error');
}

describe('model.type', () => {
  it('defaults to the autoencoder, which needs no labels', () => {
    expect(loadConfig({}).model.type).toBe('autoencoder');
  });

  it('switches to the classifier with its defaults: V1..V28, Amount, Time; 32→16; sqrt-balanced weight; Platt', () => {
    const { model } = loadConfig({ overrides: ['model.type=classifier'] });
    expect(model).toEqual({
      type: 'classifier',
      features: CLASSIFIER_FEATURES,
      hidden_dims: [32, 16],
      dropout: 0.1,
      pos_weight: 'sqrt_balanced',
      calibration: 'platt',
    });
    expect(CLASSIFIER_FEATURES).toEqual([...KAGGLE_FEATURES, 'Amount', 'Time']);
  });

  it('takes classifier knobs from overrides, in any order with the switch', () => {
    const { model } = loadConfig({
      overrides: ['model.hidden_dims=[64, 32, 8]', 'model.type=classifier', 'model.pos_weight=10'],
    });
    expect(model).toMatchObject({ type: 'classifier', hidden_dims: [64, 32, 8], pos_weight: 10 });
    expect(
      loadConfig({ overrides: ['model.type=classifier', 'model.pos_weight=balanced'] }).model,
    ).toMatchObject({
      pos_weight: 'balanced',
    });
  });

  it('switches to the hybrid with an autoencoder block whose keys can be overridden', () => {
    const { model } = loadConfig({ overrides: ['model.type=hybrid', 'model.autoencoder.latent_dim=8'] });
    expect(model.type).toBe('hybrid');
    if (model.type !== 'hybrid') return;
    expect(model.autoencoder).toEqual({
      features: KAGGLE_FEATURES,
      hidden_dim: 32,
      latent_dim: 8,
      dropout: 0.1,
    });
    expect(model.features).toEqual(CLASSIFIER_FEATURES);
  });

  it('refuses keys of another member, bad weights and a hybrid whose autoencoder reads other columns', () => {
    expect(
      messageOf(() => loadConfig({ overrides: ['model.type=classifier', 'model.latent_dim=4'] })),
    ).toContain('model.latent_dim: unknown key; known keys here: type, features, hidden_dims');
    expect(
      messageOf(() => loadConfig({ overrides: ['model.type=classifier', 'model.pos_weight=lots'] })),
    ).toContain('model.pos_weight: must be a number > 0, balanced or sqrt_balanced, got "lots"');
    expect(
      messageOf(() => loadConfig({ overrides: ['model.type=classifier', 'model.pos_weight=-1'] })),
    ).toMatch(/model\.pos_weight: .*>0, got -1/);
    expect(
      messageOf(() => loadConfig({ overrides: ['model.type=hybrid', 'model.features=[V1, V2, Amount]'] })),
    ).toMatch(/model\.features: must include every model\.autoencoder\.features column \(missing V3, V4/);
    expect(messageOf(() => loadConfig({ overrides: ['model.type=gbm'] }))).toContain('model.type');
  });

  it('has example files for the classifier and the hybrid that validate', () => {
    for (const name of ['classifier', 'hybrid']) {
      const file = new URL(`../../configs/models/${name}.yaml`, import.meta.url).pathname;
      expect(validateConfig(readConfigFile(file)).model.type).toBe(name);
    }
  });
});
