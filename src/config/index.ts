export { configSchema, modelSchema, thresholdSchema, KAGGLE_FEATURES, INPUT_COLUMNS } from './schema.js';
export type { Config, ModelConfig, ThresholdConfig } from './schema.js';
export { loadConfig, validateConfig, parseOverride, isMultirunValue, readConfigFile } from './load.js';
export type { Override, LoadConfigOptions } from './load.js';
