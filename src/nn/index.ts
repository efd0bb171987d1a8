/**
 * nn — cardwatch's small dense-network training engine (Dense, ReLU, Sigmoid, Dropout; MSE and BCE; Adam).
 *
 * Why hand-written rather than a library: no maintained JS trainer fits. TensorFlow.js has had no release
 * since Dec 2024, tfjs-node cannot be installed here, and its wasm backend trains 2–2.5× slower than
 * PyTorch. What we need is small: a few layer kinds, PyTorch's initialisation and Adam arithmetic (proven by
 * a parity test against a PyTorch trajectory), seeded reproducibility, and data-parallel worker threads with
 * a fixed-order gradient reduction so runs are bit-reproducible.
 */
export type { LayerSpec, NetworkSpec, LossKind } from './spec.js';
export { parameterCount, outputDim } from './spec.js';
export type { DenseView } from './parameters.js';
export { initParameters, denseViews } from './parameters.js';
export { predict, lossValue, rowSquaredErrors } from './inference.js';
export type { TrainerOptions, TrainingData, EpochResult, Trainer } from './trainer.js';
export { createTrainer } from './trainer.js';
