/**
 * The one file of cardwatch that imports `onnxruntime-node` (the transformers.js `backends/onnx.js` idea):
 * everything else sees plain `{ data, dims }` float tensors, so the runtime can be swapped or upgraded here alone.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { CardwatchError, describeError } from '../util/errors.js';

/** A float32 tensor as plain data: `data.length` is the product of `dims`. */
export interface FloatTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /**
   * Runs the model; every input must be fed, and only inputs of the model may be fed. With `outputs`, ONNX
   * Runtime writes those outputs straight into the given arrays (views into a larger array work, which saves
   * a copy per chunk) and only those outputs are computed and returned.
   */
  run(
    feeds: Readonly<Record<string, FloatTensor>>,
    outputs?: Readonly<Record<string, FloatTensor>>,
  ): Promise<Record<string, FloatTensor>>;
  /** Releases the native session; further `run` calls fail with a clear error. */
  dispose(): Promise<void>;
}

export interface OnnxSessionOptions {
  /** Threads used inside one operator (ORT's intra-op pool); ORT picks the core count when omitted. */
  readonly intraOpThreads?: number;
}

/**
 * Opens an ONNX model (bytes, or a file path) in ONNX Runtime on the CPU.
 * A file that is missing, unreadable or not a valid ONNX model → `MODEL_CORRUPT` naming it.
 *
 * @example
 * const session = await openOnnxSession('models/ae-1/model.onnx', { intraOpThreads: 1 });
 * const { score } = await session.run({ input: { data: rows, dims: [2, 28] } });
 * // score.dims → [2]
 */
export async function openOnnxSession(
  model: Uint8Array | string,
  options: OnnxSessionOptions = {},
): Promise<OnnxSession> {
  const source = typeof model === 'string' ? model : 'the in-memory model';
  let bytes: Uint8Array;
  if (typeof model === 'string') {
    try {
      bytes = await readFile(model);
    } catch (error) {
      throw new CardwatchError('MODEL_CORRUPT', `cannot read ONNX model ${model}: ${describeError(error)}`, {
        cause: error,
      });
    }
  } else {
    bytes = model;
  }
  const threads = options.intraOpThreads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new CardwatchError('INVALID_INPUT', `intraOpThreads must be an integer ≥ 1, got ${threads}`);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      // One request = one small graph: parallelism inside operators pays, between operators it doesn't.
      executionMode: 'sequential',
      interOpNumThreads: 1,
      // ORT would also print its failures to stderr; they are rethrown as CardwatchErrors, so keep stderr clean.
      logSeverityLevel: 4,
      // cardwatch's int8 variant stores weights as int8 behind DequantizeLinear (weight-only QDQ). Turning ORT's
      // QDQ fusions off lets constant folding dequantize those weights once at load, so the variant computes in
      // float32 at float32 speed and a row's score never depends on the other rows of the batch. Float graphs have
      // no DequantizeLinear, and the dynamic-int8 fusion (MatMulInteger → DynamicQuantizeMatMul) is not a QDQ
      // fusion, so neither is affected (both measured with onnxruntime-node 1.30).
      extra: { session: { disable_quant_qdq: '1' } },
      ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
    });
  } catch (error) {
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `${source} is not a valid ONNX model ONNX Runtime can load: ${describeError(error)}`,
      { cause: error },
    );
  }
  return wrapSession(session, source);
}

function wrapSession(session: ort.InferenceSession, source: string): OnnxSession {
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  const declaredShapes = new Map<string, ReadonlyArray<number | string>>();
  for (const meta of session.inputMetadata) {
    if (meta.isTensor && meta.shape.length > 0) declaredShapes.set(meta.name, meta.shape);
  }
  let disposed = false;

  return {
    inputNames,
    outputNames,
    async run(feeds, outputs) {
      if (disposed) throw new CardwatchError('INTERNAL', `the ONNX session of ${source} was disposed`);
      const given = Object.keys(feeds);
      const missing = inputNames.filter((name) => !(name in feeds));
      const unknown = given.filter((name) => !inputNames.includes(name));
      if (missing.length > 0 || unknown.length > 0) {
        throw new CardwatchError(
          'INVALID_INPUT',
          `ONNX feeds do not match the model inputs [${inputNames.join(', ')}]` +
            (missing.length > 0 ? `; missing: ${missing.join(', ')}` : '') +
            (unknown.length > 0 ? `; not inputs of the model: ${unknown.join(', ')}` : ''),
        );
      }
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, feed] of Object.entries(feeds)) {
        checkSize('input', name, feed);
        checkDeclaredShape(name, feed.dims, declaredShapes.get(name));
        tensors[name] = new ort.Tensor('float32', feed.data, feed.dims);
      }
      let fetches: Record<string, ort.Tensor> | undefined;
      if (outputs !== undefined) {
        fetches = {};
        for (const [name, target] of Object.entries(outputs)) {
          if (!outputNames.includes(name)) {
            throw new CardwatchError(
              'INVALID_INPUT',
              `${name} is not an output of the model (outputs: ${outputNames.join(', ')})`,
            );
          }
          checkSize('output', name, target);
          fetches[name] = new ort.Tensor('float32', target.data, target.dims);
        }
      }
      let results: ort.InferenceSession.ReturnType;
      try {
        results = fetches === undefined ? await session.run(tensors) : await session.run(tensors, fetches);
      } catch (error) {
        const shapes = given.map((name) => `${name} [${feeds[name]?.dims.join(', ')}]`).join(', ');
        throw new CardwatchError(
          'INTERNAL',
          `ONNX Runtime failed on ${source} with inputs ${shapes}: ${describeError(error)}`,
          { cause: error },
        );
      }
      // Pre-allocated outputs were written in place: hand back the caller's own arrays.
      if (outputs !== undefined) return { ...outputs };
      const out: Record<string, FloatTensor> = {};
      for (const [name, value] of Object.entries(results)) {
        if (!(value.data instanceof Float32Array)) {
          throw new CardwatchError('INTERNAL', `ONNX output ${name} is ${value.type}, expected float32`);
        }
        out[name] = { data: value.data, dims: [...value.dims] };
      }
      return out;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}

function checkSize(kind: 'input' | 'output', name: string, tensor: FloatTensor): void {
  const expected = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.data.length !== expected) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `ONNX ${kind} ${name} has ${tensor.data.length} values but dims [${tensor.dims.join(', ')}] need ${expected}`,
    );
  }
}

/** Rejects dims that contradict the model's declared input shape (symbolic dims such as `N` accept any size). */
function checkDeclaredShape(
  name: string,
  dims: readonly number[],
  declared: ReadonlyArray<number | string> | undefined,
): void {
  if (declared === undefined) return;
  const fits =
    dims.length === declared.length &&
    declared.every((d, i) => typeof d === 'string' || d < 0 || d === dims[i]);
  if (!fits) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `ONNX input ${name} has dims [${dims.join(', ')}], the model expects [${declared.join(', ')}]`,
    );
  }
}
