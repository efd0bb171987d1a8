export { autoencoderSpec, scoreRaw } from './autoencoder.js';
export type { AutoencoderConfig, AutoencoderScores, FittedAutoencoder } from './autoencoder.js';
export { fromModelFile, modelFileSchema, readModelFile, toModelFile } from './model-file.js';
export type { ModelFile } from './model-file.js';
