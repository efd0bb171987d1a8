/**
 * The training loop of the autoencoder: normal training rows only, early stopping on the normal validation
 * rows' loss with patience, best weights kept.
 */
import type { Config } from '../config/index.js';
import {
  applyScaler,
  fitStandardScaler,
  selectColumns,
  type Dataset,
  type SplitIndices,
} from '../data/index.js';
import { type AutoencoderConfig, autoencoderSpec, type FittedAutoencoder } from '../models/index.js';
import { createTrainer, initParameters, lossValue } from '../nn/index.js';
import { CardwatchError } from '../util/errors.js';
import { trainWithEarlyStopping } from './early-stopping.js';
import type { FitEvents, FitResult } from './fit-types.js';

export type { EpochRecord, FitEvents, FitResult, TrainingPhase } from './fit-types.js';

/** Indices of the rows of `part` whose label is 0 (normal). */
export function normalRows(dataset: Dataset, part: Uint32Array): Uint32Array {
  const labels = dataset.y;
  if (!labels) throw new CardwatchError('DATA_INVALID', 'training needs labelled data (a Class column)');
  let count = 0;
  for (const index of part) if (labels[index] === 0) count++;
  const out = new Uint32Array(count);
  let k = 0;
  for (const index of part) if (labels[index] === 0) out[k++] = index;
  return out;
}

export async function fitAutoencoder(
  config: Config & { model: AutoencoderConfig },
  dataset: Dataset,
  splits: SplitIndices,
  events: FitEvents = {},
): Promise<FitResult<FittedAutoencoder>> {
  const features = config.model.features;
  // The scaler is fitted on the whole training split (as the reference did); the network then only sees
  // normal rows, because an autoencoder must learn normal behaviour (the reference's SMOTE frauds were a fault).
  const scaler = fitStandardScaler(dataset, features, splits.train);
  const trainIdx = normalRows(dataset, splits.train);
  const valIdx = normalRows(dataset, splits.val);
  if (trainIdx.length === 0 || valIdx.length === 0) {
    throw new CardwatchError('DATA_INVALID', 'no normal rows in the training or validation split');
  }
  const trainX = applyScaler(selectColumns(dataset, features, trainIdx), trainIdx.length, scaler);
  const valX = applyScaler(selectColumns(dataset, features, valIdx), valIdx.length, scaler);
  const spec = autoencoderSpec(config.model);
  const initial = initParameters(spec, config.seed);
  const trainer = await createTrainer(
    {
      spec,
      loss: 'mse',
      lr: config.training.lr,
      weightDecay: config.training.weight_decay,
      batchSize: config.training.batch_size,
      workers: config.training.workers,
      seed: config.seed,
    },
    { x: trainX, target: trainX, rows: trainIdx.length },
    initial,
  );
  const fit = await trainWithEarlyStopping(
    trainer,
    initial,
    {
      epochs: config.training.epochs,
      patience: config.training.early_stopping_patience,
      validate: (parameters) => ({ loss: lossValue(spec, parameters, valX, valX, valIdx.length, 'mse') }),
    },
    events,
  );
  return {
    model: { type: 'autoencoder', features, spec, scaler, parameters: fit.bestParameters },
    history: fit.history,
    bestEpoch: fit.bestEpoch,
    stoppedEarly: fit.stoppedEarly,
    trainRows: trainIdx.length,
    valRows: valIdx.length,
  };
}
