/** Training the `classifier` model: derived features of every labelled training row → fitSupervised. */
import type { Config } from '../config/index.js';
import { selectColumns, type Dataset, type SplitIndices } from '../data/index.js';
import {
  type ClassifierConfig,
  classifierDerived,
  type FittedClassifier,
  transformRows,
} from '../models/index.js';
import type { FitEvents, FitResult } from './fit-types.js';
import { fitSupervised, labelsOf, type LabelledRows } from './fit-supervised.js';

export async function fitClassifier(
  config: Config & { model: ClassifierConfig },
  dataset: Dataset,
  splits: SplitIndices,
  events: FitEvents = {},
): Promise<FitResult<FittedClassifier>> {
  const features = config.model.features;
  const derived = classifierDerived(features);
  const rowsOf = (indices: Uint32Array): LabelledRows => ({
    x: transformRows(selectColumns(dataset, features, indices), indices.length, features.length, derived),
    y: labelsOf(dataset, indices),
    rows: indices.length,
  });
  const train = rowsOf(splits.train);
  const val = rowsOf(splits.val);
  const fit = await fitSupervised(
    config,
    config.model,
    derived.map((feature) => feature.name),
    train,
    val,
    events,
  );
  return {
    model: { type: 'classifier', features: [...features], ...fit.head },
    history: fit.history,
    bestEpoch: fit.bestEpoch,
    stoppedEarly: fit.stoppedEarly,
    trainRows: train.rows,
    valRows: val.rows,
  };
}
