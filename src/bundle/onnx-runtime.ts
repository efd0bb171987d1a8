/**
 * The one file of cardwatch that imports `onnxruntime-node` (the transformers.js `backends/onnx.js` idea):
 * everything else sees plain `{ data, dims }` float tensors, so the runtime can be swapped or upgraded here alone.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
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
  /** True when `run` computes before it returns (see {@link OnnxSessionOptions.synchronous}). */
  readonly synchronous: boolean;
}

export interface OnnxSessionOptions {
  /** Threads used inside one operator (ORT's intra-op pool); ORT picks the core count when omitted. */
  readonly intraOpThreads?: number;
  /**
   * Run the model in the `run` call itself (default true, when this onnxruntime-node allows it; else the
   * public API). onnxruntime-node's `InferenceSession.run` defers every run with `setImmediate`: a batch the
   * service forms in the event loop's check phase (serve/score-batcher.ts) then runs one loop turn later,
   * after that turn has read and parsed the next requests, and its answers wait for them. Run in place, the
   * service answered 8–12 % more requests per second at 7–12 % less request-thread CPU per request (medians
   * of three 12-pair runs of bench/api-ab.mjs). The result is the same: it is the same native session and run.
   */
  readonly synchronous?: boolean;
}

/** A session either way: onnxruntime-node's public one, or its native one run in place. */
interface RunnableSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Declared input shapes (symbolic dims as their names). */
  readonly inputShapes: ReadonlyMap<string, ReadonlyArray<number | string>>;
  readonly synchronous: boolean;
  run(
    feeds: Record<string, ort.Tensor>,
    fetches: Record<string, ort.Tensor> | undefined,
  ): Promise<Record<string, ort.OnnxValue>> | Record<string, ort.OnnxValue>;
  release(): Promise<void> | void;
}

// ---- the native session ---------------------------------------------------------------------------------------
// onnxruntime-node's public session is a thin asynchronous wrapper (dist/backend.js) around the native session its
// binding module exports (dist/binding.js): same loadModel, same run, plus a setImmediate per call. The binding is
// not a documented API, so it is checked where it is loaded and, should a release change it, the public API is
// used instead (`synchronous` then reports false).

/** What the binding reports of an input or output (dims: -1 where `symbolicDimensions` names the dim). */
interface NativeValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly shape?: readonly number[];
  readonly symbolicDimensions?: readonly string[];
}

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  readonly inputMetadata: readonly NativeValueMetadata[];
  readonly outputMetadata: readonly NativeValueMetadata[];
  run(
    feeds: Record<string, ort.Tensor>,
    fetches: Record<string, ort.Tensor | null>,
    options: object,
  ): Record<string, ort.OnnxValue>;
  dispose(): void;
}

type NativeSessionConstructor = new () => NativeSession;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The binding's session class, initialised as onnxruntime-node does it; null when the layout is not the known one. */
function loadNativeSessionClass(): NativeSessionConstructor | null {
  try {
    const module: unknown = createRequire(import.meta.url)('onnxruntime-node/dist/binding.js');
    if (!isRecord(module) || typeof module.initOrt !== 'function' || !isRecord(module.binding)) return null;
    const sessionClass = module.binding.InferenceSession;
    if (typeof sessionClass !== 'function') return null;
    const prototype: unknown = sessionClass.prototype;
    if (
      !isRecord(prototype) ||
      typeof prototype.run !== 'function' ||
      typeof prototype.loadModel !== 'function'
    ) {
      return null;
    }
    (module.initOrt as () => void)();
    return sessionClass as NativeSessionConstructor;
  } catch {
    return null;
  }
}

let nativeSessionClass: NativeSessionConstructor | null | undefined;

function nativeSessions(): NativeSessionConstructor | null {
  if (nativeSessionClass === undefined) nativeSessionClass = loadNativeSessionClass();
  return nativeSessionClass;
}

function declaredShape(meta: NativeValueMetadata): (number | string)[] {
  const shape = meta.shape ?? [];
  return shape.map((dim, i) => (dim >= 0 ? dim : (meta.symbolicDimensions?.[i] ?? 'N')));
}

function openNative(
  sessionClass: NativeSessionConstructor,
  bytes: Uint8Array,
  options: ort.InferenceSession.SessionOptions,
): RunnableSession {
  const native = new sessionClass();
  native.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, options);
  const inputShapes = new Map<string, (number | string)[]>();
  for (const meta of native.inputMetadata) {
    if (meta.isTensor && (meta.shape?.length ?? 0) > 0) inputShapes.set(meta.name, declaredShape(meta));
  }
  const outputNames = native.outputMetadata.map((meta) => meta.name);
  // Every output, when the caller pre-allocates none (the native run only reads this).
  const allOutputs: Readonly<Record<string, null>> = Object.fromEntries(
    outputNames.map((name) => [name, null]),
  );
  return {
    inputNames: native.inputMetadata.map((meta) => meta.name),
    outputNames,
    inputShapes,
    synchronous: true,
    run: (feeds, fetches) => native.run(feeds, fetches ?? allOutputs, {}),
    release: () => native.dispose(),
  };
}

function openPublic(session: ort.InferenceSession): RunnableSession {
  const inputShapes = new Map<string, ReadonlyArray<number | string>>();
  for (const meta of session.inputMetadata) {
    if (meta.isTensor && meta.shape.length > 0) inputShapes.set(meta.name, meta.shape);
  }
  return {
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    inputShapes,
    synchronous: false,
    run: (feeds, fetches) => (fetches === undefined ? session.run(feeds) : session.run(feeds, fetches)),
    release: () => session.release(),
  };
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
  const sessionOptions: ort.InferenceSession.SessionOptions = {
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
  };
  const nativeClass = (options.synchronous ?? true) ? nativeSessions() : null;
  let session: RunnableSession;
  try {
    session =
      nativeClass === null
        ? openPublic(await ort.InferenceSession.create(bytes, sessionOptions))
        : openNative(nativeClass, bytes, sessionOptions);
  } catch (error) {
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `${source} is not a valid ONNX model ONNX Runtime can load: ${describeError(error)}`,
      { cause: error },
    );
  }
  return wrapSession(session, source);
}

function wrapSession(session: RunnableSession, source: string): OnnxSession {
  const { inputNames, outputNames, inputShapes: declaredShapes } = session;
  let disposed = false;

  return {
    inputNames,
    outputNames,
    synchronous: session.synchronous,
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
      let results: Record<string, ort.OnnxValue>;
      try {
        results = await session.run(tensors, fetches);
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
