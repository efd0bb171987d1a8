/**
 * `model.json` of a run: a fitted model in a self-describing, checksummed JSON file. It is the training
 * side's artefact; `cardwatch export` turns it into the ONNX bundle that serving uses. One schema per
 * `type`; an autoencoder's file is unchanged from before the other types existed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CardwatchError, describeError } from '../util/errors.js';
import type { FittedAutoencoder } from './autoencoder.js';
import type { Calibration } from './calibration.js';
import type { FittedClassifier, SupervisedHead } from './classifier.js';
import type { FittedHybrid } from './hybrid.js';
import type { FittedModel } from './score.js';

const layerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dense'), units: z.number().int().positive() }),
  z.object({ kind: z.literal('relu') }),
  z.object({ kind: z.literal('sigmoid') }),
  z.object({ kind: z.literal('dropout'), rate: z.number().min(0).lt(1) }),
]);

const specSchema = z.object({ inputDim: z.number().int().positive(), layers: z.array(layerSchema) });
const scalerSchema = z.object({
  columns: z.array(z.string()),
  mean: z.array(z.number()),
  std: z.array(z.number()),
});
const calibrationSchema = z.object({
  method: z.enum(['platt', 'none']),
  a: z.number(),
  b: z.number(),
});

/** One network: its layers, its scaler and its weights. */
const networkShape = {
  spec: specSchema,
  scaler: scalerSchema,
  /** Little-endian float32 parameters, base64: exact, and a tenth of the size of a JSON number list. */
  parameters: z.string(),
  parameters_sha256: z.string(),
};

const autoencoderFileSchema = z.object({
  format_version: z.literal(1),
  type: z.literal('autoencoder'),
  features: z.array(z.string()).min(1),
  ...networkShape,
});

const classifierFileSchema = z.object({
  format_version: z.literal(1),
  type: z.literal('classifier'),
  features: z.array(z.string()).min(1),
  ...networkShape,
  calibration: calibrationSchema,
});

/**
 * The hybrid's two networks each carry their own checksum; there is deliberately no top-level
 * `parameters_sha256`, so the run's weights hash (runs/weights-hash.ts) covers the whole file, both networks.
 */
const hybridFileSchema = z.object({
  format_version: z.literal(1),
  type: z.literal('hybrid'),
  features: z.array(z.string()).min(1),
  autoencoder: z.object({ features: z.array(z.string()).min(1), ...networkShape }),
  classifier: z.object({ ...networkShape, calibration: calibrationSchema }),
});

export const modelFileSchema = z.discriminatedUnion('type', [
  autoencoderFileSchema,
  classifierFileSchema,
  hybridFileSchema,
]);
export type ModelFile = z.infer<typeof modelFileSchema>;

type NetworkFields = Pick<
  z.infer<typeof autoencoderFileSchema>,
  'spec' | 'scaler' | 'parameters' | 'parameters_sha256'
>;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function networkFields(network: Pick<SupervisedHead, 'spec' | 'scaler' | 'parameters'>): NetworkFields {
  const { parameters, spec, scaler } = network;
  const bytes = new Uint8Array(parameters.buffer, parameters.byteOffset, parameters.byteLength);
  return {
    spec: { inputDim: spec.inputDim, layers: spec.layers.map((layer) => ({ ...layer })) },
    scaler: { columns: [...scaler.columns], mean: [...scaler.mean], std: [...scaler.std] },
    parameters: Buffer.from(bytes).toString('base64'),
    parameters_sha256: sha256(bytes),
  };
}

function calibrationFields(calibration: Calibration): Calibration {
  return { method: calibration.method, a: calibration.a, b: calibration.b };
}

export function toModelFile(model: FittedModel): ModelFile {
  switch (model.type) {
    case 'autoencoder':
      return { format_version: 1, type: model.type, features: [...model.features], ...networkFields(model) };
    case 'classifier':
      return {
        format_version: 1,
        type: model.type,
        features: [...model.features],
        ...networkFields(model),
        calibration: calibrationFields(model.calibration),
      };
    case 'hybrid':
      return {
        format_version: 1,
        type: model.type,
        features: [...model.features],
        autoencoder: { features: [...model.autoencoder.features], ...networkFields(model.autoencoder) },
        classifier: { ...networkFields(model), calibration: calibrationFields(model.calibration) },
      };
  }
}

function readParameters(network: NetworkFields): Float32Array {
  const bytes = Buffer.from(network.parameters, 'base64');
  if (bytes.length % 4 !== 0 || sha256(bytes) !== network.parameters_sha256) {
    throw new CardwatchError('MODEL_CORRUPT', 'model parameters do not match their checksum');
  }
  // Copy into a fresh, aligned buffer (a Buffer may be a view into Node's shared pool).
  const parameters = new Float32Array(bytes.length / 4);
  new Uint8Array(parameters.buffer).set(bytes);
  return parameters;
}

export function fromModelFile(file: ModelFile): FittedModel {
  switch (file.type) {
    case 'autoencoder':
      return autoencoderFrom(file.features, file);
    case 'classifier':
      return {
        type: 'classifier',
        features: file.features,
        spec: file.spec,
        scaler: file.scaler,
        parameters: readParameters(file),
        calibration: file.calibration,
      } satisfies FittedClassifier;
    case 'hybrid':
      return {
        type: 'hybrid',
        features: file.features,
        autoencoder: autoencoderFrom(file.autoencoder.features, file.autoencoder),
        spec: file.classifier.spec,
        scaler: file.classifier.scaler,
        parameters: readParameters(file.classifier),
        calibration: file.classifier.calibration,
      } satisfies FittedHybrid;
  }
}

function autoencoderFrom(features: string[], network: NetworkFields): FittedAutoencoder {
  return {
    type: 'autoencoder',
    features,
    spec: network.spec,
    scaler: network.scaler,
    parameters: readParameters(network),
  };
}

export function readModelFile(path: string): FittedModel {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CardwatchError(
      missing ? 'MODEL_NOT_FOUND' : 'MODEL_CORRUPT',
      missing ? `no model file at ${path}` : `cannot read model file ${path}: ${describeError(error)}`,
      { cause: error },
    );
  }
  const parsed = modelFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `model file ${path} is invalid: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
    );
  }
  return fromModelFile(parsed.data);
}
