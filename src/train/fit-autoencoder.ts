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
import type { EpochRecord, FitEvents, FitResult } from './fit-types.js';

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
  const history: EpochRecord[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, parameters: initial };
  let sinceBest = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= config.training.epochs; epoch++) {
      const result = await trainer.epoch((done, total) => events.onEpochProgress?.(epoch, done, total));
      const parameters = trainer.parameters();
      const valLoss = lossValue(spec, parameters, valX, valX, valIdx.length, 'mse');
      if (!Number.isFinite(result.loss) || !Number.isFinite(valLoss)) {
        throw new CardwatchError(
          'INVALID_INPUT',
          `training diverged at epoch ${epoch} (loss ${result.loss}); try a smaller training.lr`,
        );
      }
      const improved = valLoss < best.loss;
      if (improved) {
        best = { loss: valLoss, epoch, parameters };
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      const record: EpochRecord = {
        epoch,
        train_loss: result.loss,
        val_loss: valLoss,
        seconds: result.seconds,
        rows: result.rows,
        rows_per_second: result.rows / Math.max(result.seconds, 1e-9),
        improved,
      };
      history.push(record);
      events.onEpoch?.(record);
      if (sinceBest >= config.training.early_stopping_patience) {
        stoppedEarly = epoch < config.training.epochs;
        break;
      }
    }
  } finally {
    await trainer.close();
  }
  return {
    model: { type: 'autoencoder', features, spec, scaler, parameters: best.parameters },
    history,
    bestEpoch: best.epoch,
    stoppedEarly,
    trainRows: trainIdx.length,
    valRows: valIdx.length,
  };
}
