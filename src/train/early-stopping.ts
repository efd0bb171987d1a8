/**
 * The epoch loop every model shares: train an epoch, validate, keep the best weights by validation loss, stop
 * after `patience` epochs without improvement, report each epoch. Closes the trainer whatever happens.
 */
import type { Trainer } from '../nn/index.js';
import { CardwatchError } from '../util/errors.js';
import type { EpochRecord, FitEvents, TrainingPhase } from './fit-types.js';

export interface EarlyStoppingOptions {
  epochs: number;
  patience: number;
  /** Set for the phases of a multi-network model (the hybrid); recorded in each epoch. */
  phase?: TrainingPhase | undefined;
  /** The validation loss of `parameters` (the stopping criterion) and any figures to log beside it. */
  validate: (parameters: Float32Array) => { loss: number; extra?: Partial<EpochRecord> };
}

export interface EarlyStoppingResult {
  history: EpochRecord[];
  bestEpoch: number;
  bestParameters: Float32Array;
  stoppedEarly: boolean;
}

export async function trainWithEarlyStopping(
  trainer: Trainer,
  initial: Float32Array,
  options: EarlyStoppingOptions,
  events: FitEvents = {},
): Promise<EarlyStoppingResult> {
  const { epochs, patience, phase } = options;
  const history: EpochRecord[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, parameters: initial };
  let sinceBest = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const result = await trainer.epoch((done, total) =>
        events.onEpochProgress?.(epoch, done, total, phase),
      );
      const parameters = trainer.parameters();
      const validation = options.validate(parameters);
      if (!Number.isFinite(result.loss) || !Number.isFinite(validation.loss)) {
        throw new CardwatchError(
          'INVALID_INPUT',
          `training diverged at epoch ${epoch} (loss ${result.loss}); try a smaller training.lr`,
        );
      }
      const improved = validation.loss < best.loss;
      if (improved) {
        best = { loss: validation.loss, epoch, parameters };
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      const record: EpochRecord = {
        epoch,
        train_loss: result.loss,
        val_loss: validation.loss,
        seconds: result.seconds,
        rows: result.rows,
        rows_per_second: result.rows / Math.max(result.seconds, 1e-9),
        improved,
        ...(phase === undefined ? {} : { phase }),
        ...validation.extra,
      };
      history.push(record);
      events.onEpoch?.(record);
      if (sinceBest >= patience) {
        stoppedEarly = epoch < epochs;
        break;
      }
    }
  } finally {
    await trainer.close();
  }
  return { history, bestEpoch: best.epoch, bestParameters: best.parameters, stoppedEarly };
}
