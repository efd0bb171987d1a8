/** What every model's training loop reports, whatever the model type. */
import type { FittedModel } from '../models/index.js';

/**
 * Which network an epoch trained: the hybrid trains its autoencoder, then its classifier; the other models
 * have one phase and leave it out of their records.
 */
export type TrainingPhase = 'autoencoder' | 'classifier';

export interface EpochRecord {
  epoch: number;
  train_loss: number;
  /** The early-stopping criterion: MSE on normal validation rows, or the weighted BCE on all of them. */
  val_loss: number;
  seconds: number;
  rows: number;
  rows_per_second: number;
  improved: boolean;
  /** Present for a hybrid's epochs: which of its networks this epoch trained. */
  phase?: TrainingPhase;
  /** Supervised models: AUPRC of the validation rows after the epoch (logged to watch, not used to stop). */
  val_average_precision?: number;
}

export interface FitEvents {
  onEpochProgress?: (epoch: number, rowsDone: number, total: number, phase?: TrainingPhase) => void;
  onEpoch?: (record: EpochRecord) => void;
}

export interface FitResult<M extends FittedModel = FittedModel> {
  model: M;
  /** Epochs of the network that produces the score (for the hybrid: its classifier). */
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  trainRows: number;
  valRows: number;
  /** Epochs of earlier training phases (the hybrid's autoencoder). */
  stages?: Partial<Record<TrainingPhase, EpochRecord[]>>;
}
