/** The one entry point to training: dispatches on `model.type` to that model's training loop. */
import type { Config } from '../config/index.js';
import type { Dataset, SplitIndices } from '../data/index.js';
import { fitAutoencoder } from './fit-autoencoder.js';
import { fitClassifier } from './fit-classifier.js';
import { fitHybrid } from './fit-hybrid.js';
import type { FitEvents, FitResult } from './fit-types.js';

export async function fitModel(
  config: Config,
  dataset: Dataset,
  splits: SplitIndices,
  events: FitEvents = {},
): Promise<FitResult> {
  const model = config.model;
  switch (model.type) {
    case 'autoencoder':
      return fitAutoencoder({ ...config, model }, dataset, splits, events);
    case 'classifier':
      return fitClassifier({ ...config, model }, dataset, splits, events);
    case 'hybrid':
      return fitHybrid({ ...config, model }, dataset, splits, events);
  }
}
