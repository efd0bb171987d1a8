/**
 * `model.json` of a run: a fitted model in a self-describing, checksummed JSON file. It is the training
 * side's artefact; `cardwatch export` turns it into the ONNX bundle that serving uses.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CardwatchError, describeError } from '../util/errors.js';
import type { FittedAutoencoder } from './autoencoder.js';

const layerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dense'), units: z.number().int().positive() }),
  z.object({ kind: z.literal('relu') }),
  z.object({ kind: z.literal('sigmoid') }),
  z.object({ kind: z.literal('dropout'), rate: z.number().min(0).lt(1) }),
]);

export const modelFileSchema = z.object({
  format_version: z.literal(1),
  type: z.literal('autoencoder'),
  features: z.array(z.string()).min(1),
  spec: z.object({ inputDim: z.number().int().positive(), layers: z.array(layerSchema) }),
  scaler: z.object({ columns: z.array(z.string()), mean: z.array(z.number()), std: z.array(z.number()) }),
  /** Little-endian float32 parameters, base64: exact, and a tenth of the size of a JSON number list. */
  parameters: z.string(),
  parameters_sha256: z.string(),
});
export type ModelFile = z.infer<typeof modelFileSchema>;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function toModelFile(model: FittedAutoencoder): ModelFile {
  const bytes = new Uint8Array(
    model.parameters.buffer,
    model.parameters.byteOffset,
    model.parameters.byteLength,
  );
  return {
    format_version: 1,
    type: model.type,
    features: [...model.features],
    spec: { inputDim: model.spec.inputDim, layers: model.spec.layers.map((layer) => ({ ...layer })) },
    scaler: { columns: [...model.scaler.columns], mean: [...model.scaler.mean], std: [...model.scaler.std] },
    parameters: Buffer.from(bytes).toString('base64'),
    parameters_sha256: sha256(bytes),
  };
}

export function fromModelFile(file: ModelFile): FittedAutoencoder {
  const bytes = Buffer.from(file.parameters, 'base64');
  if (bytes.length % 4 !== 0 || sha256(bytes) !== file.parameters_sha256) {
    throw new CardwatchError('MODEL_CORRUPT', 'model parameters do not match their checksum');
  }
  // Copy into a fresh, aligned buffer (a Buffer may be a view into Node's shared pool).
  const parameters = new Float32Array(bytes.length / 4);
  new Uint8Array(parameters.buffer).set(bytes);
  return { type: file.type, features: file.features, spec: file.spec, scaler: file.scaler, parameters };
}

export function readModelFile(path: string): FittedAutoencoder {
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
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `model file ${path} is invalid: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  return fromModelFile(parsed.data);
}
