/**
 * Training the `hybrid` model in two phases: the autoencoder on normal training rows (exactly as the
 * `autoencoder` model trains), then the classifier on every labelled training row with the autoencoder's log
 * score as an extra input, early-stopped and calibrated on validation (see models/hybrid.ts for why).
 */
import type { Config } from '../config/index.js';
import { selectColumns, type Dataset, type SplitIndices } from '../data/index.js';
import {
  ANOMALY_FEATURE,
  classifierDerived,
  type FittedHybrid,
  type HybridConfig,
  hybridInputs,
} from '../models/index.js';
import { fitAutoencoder } from './fit-autoencoder.js';
import type { FitEvents, FitResult } from './fit-types.js';
import { fitSupervised, labelsOf, type LabelledRows } from './fit-supervised.js';

export async function fitHybrid(
  config: Config & { model: HybridConfig },
  dataset: Dataset,
  splits: SplitIndices,
  events: FitEvents = {},
): Promise<FitResult<FittedHybrid>> {
  const { features, autoencoder: autoencoderConfig } = config.model;
  const anomaly = await fitAutoencoder(
    { ...config, model: { type: 'autoencoder', ...autoencoderConfig } },
    dataset,
    splits,
    {
      onEpochProgress: (epoch, done, total) => events.onEpochProgress?.(epoch, done, total, 'autoencoder'),
      onEpoch: (record) => events.onEpoch?.({ ...record, phase: 'autoencoder' }),
    },
  );
  const base = { features, autoencoder: anomaly.model };
  const columns = [...classifierDerived(features).map((feature) => feature.name), ANOMALY_FEATURE];
  const rowsOf = (indices: Uint32Array): LabelledRows => ({
    x: hybridInputs(base, selectColumns(dataset, features, indices), indices.length).inputs,
    y: labelsOf(dataset, indices),
    rows: indices.length,
  });
  const train = rowsOf(splits.train);
  const val = rowsOf(splits.val);
  const fit = await fitSupervised(config, config.model, columns, train, val, events, 'classifier');
  return {
    model: { type: 'hybrid', features: [...features], autoencoder: anomaly.model, ...fit.head },
    history: fit.history,
    bestEpoch: fit.bestEpoch,
    stoppedEarly: fit.stoppedEarly,
    trainRows: train.rows,
    valRows: val.rows,
    stages: { autoencoder: anomaly.history },
  };
}
