export {
  configSchema,
  modelSchema,
  thresholdSchema,
  KAGGLE_FEATURES,
  INPUT_COLUMNS,
  CLASSIFIER_FEATURES,
} from './schema.js';
export type { Config, ModelConfig, ModelType, ThresholdConfig } from './schema.js';
export {
  loadConfig,
  validateConfig,
  parseOverride,
  isMultirunValue,
  splitMultirunValue,
  parseMultirun,
  expandMultirun,
  readConfigFile,
} from './load.js';
export type { Override, LoadConfigOptions, Multirun, MultirunAxis } from './load.js';
