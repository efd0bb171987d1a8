/**
 * The training loop shared by the classifier and the hybrid: class-weighted BCE on all labelled training rows,
 * early stopping on the validation rows' weighted BCE with patience (best weights kept), then Platt calibration
 * of the logit on the same validation rows. The test rows are never seen here.
 */
import type { Config } from '../config/index.js';
import { applyScaler, fitStandardScaler, type Dataset } from '../data/index.js';
import { averagePrecision } from '../evaluate/index.js';
import {
  type Calibration,
  classifierSpec,
  type ClassifierConfig,
  fitPlatt,
  IDENTITY_CALIBRATION,
  logitSpec,
  type SupervisedHead,
} from '../models/index.js';
import { createTrainer, initParameters, lossValue, predict } from '../nn/index.js';
import { CardwatchError } from '../util/errors.js';
import { trainWithEarlyStopping } from './early-stopping.js';
import type { EpochRecord, FitEvents, TrainingPhase } from './fit-types.js';

/** Unscaled network inputs of some rows and their labels. */
export interface LabelledRows {
  /** rows × columns.length, row-major (derived features, before standardization). */
  x: Float32Array;
  /** 0 normal, 1 fraud; one per row (the BCE target). */
  y: Float32Array;
  rows: number;
}

export interface SupervisedFit {
  head: SupervisedHead;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** The positive-class weight the loss used (resolved from `pos_weight`). */
  posWeight: number;
}

/** The labels of `indices` as BCE targets. */
export function labelsOf(dataset: Dataset, indices: Uint32Array): Float32Array {
  const y = dataset.y;
  if (!y) throw new CardwatchError('DATA_INVALID', 'a supervised model needs labelled data (a Class column)');
  return Float32Array.from(indices, (index) => y[index]!);
}

function countPositives(labels: Float32Array): number {
  let count = 0;
  for (const label of labels) if (label === 1) count++;
  return count;
}

/**
 * The weight of the fraud term: `balanced` = normals/frauds of the training rows (each class then weighs the
 * same in total), `sqrt_balanced` its square root, or the configured number.
 * @example resolvePosWeight('sqrt_balanced', 400, 100_000) // ≈ 15.8
 */
export function resolvePosWeight(
  setting: ClassifierConfig['pos_weight'],
  positives: number,
  negatives: number,
): number {
  if (typeof setting === 'number') return setting;
  const ratio = negatives / positives;
  return setting === 'balanced' ? ratio : Math.sqrt(ratio);
}

/**
 * Trains the supervised network on `train`, stops early on `val`, calibrates on `val`. `columns` names the
 * input columns (the scaler's). Epoch records carry `phase` when given (the hybrid's second phase).
 */
export async function fitSupervised(
  config: Config,
  model: Pick<ClassifierConfig, 'hidden_dims' | 'dropout' | 'pos_weight' | 'calibration'>,
  columns: readonly string[],
  train: LabelledRows,
  val: LabelledRows,
  events: FitEvents = {},
  phase?: TrainingPhase,
): Promise<SupervisedFit> {
  const trainFrauds = countPositives(train.y);
  const valFrauds = countPositives(val.y);
  if (trainFrauds === 0 || trainFrauds === train.rows || valFrauds === 0 || valFrauds === val.rows) {
    throw new CardwatchError(
      'DATA_INVALID',
      `a supervised model needs frauds and normal rows in both the training and the validation split ` +
        `(training: ${trainFrauds} frauds of ${train.rows}, validation: ${valFrauds} of ${val.rows})`,
    );
  }
  const width = columns.length;
  // The scaler is fitted on the training rows only, like the autoencoder's.
  const scaler = fitStandardScaler({ columns, rows: train.rows, x: train.x, y: null }, columns);
  const trainX = applyScaler(train.x, train.rows, scaler);
  const valX = applyScaler(val.x, val.rows, scaler);
  const valLabels = Uint8Array.from(val.y);
  const posWeight = resolvePosWeight(model.pos_weight, trainFrauds, train.rows - trainFrauds);
  const spec = classifierSpec(width, model);
  const initial = initParameters(spec, config.seed);
  const trainer = await createTrainer(
    {
      spec,
      loss: 'bce',
      posWeight,
      lr: config.training.lr,
      weightDecay: config.training.weight_decay,
      batchSize: config.training.batch_size,
      workers: config.training.workers,
      seed: config.seed,
    },
    { x: trainX, target: train.y, rows: train.rows },
    initial,
  );
  const fit = await trainWithEarlyStopping(
    trainer,
    initial,
    {
      epochs: config.training.epochs,
      patience: config.training.early_stopping_patience,
      phase,
      validate: (parameters) => ({
        loss: lossValue(spec, parameters, valX, val.y, val.rows, 'bce', posWeight),
        // Watched, not used to stop: AUPRC of the validation rows after the epoch.
        extra: {
          val_average_precision: averagePrecision(
            predict(logitSpec(spec), parameters, valX, val.rows),
            valLabels,
          ),
        },
      }),
    },
    events,
  );
  let calibration: Calibration = IDENTITY_CALIBRATION;
  if (model.calibration === 'platt') {
    calibration = fitPlatt(predict(logitSpec(spec), fit.bestParameters, valX, val.rows), valLabels);
  }
  return {
    head: { spec, scaler, parameters: fit.bestParameters, calibration },
    history: fit.history,
    bestEpoch: fit.bestEpoch,
    stoppedEarly: fit.stoppedEarly,
    posWeight,
  };
}
