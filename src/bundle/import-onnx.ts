/**
 * Reads a plain dense network (Gemm, or MatMul + Add, with Relu/Sigmoid between) out of a foreign ONNX model,
 * e.g. a PyTorch `torch.onnx.export` of an autoencoder, so it can be rebuilt into a cardwatch graph with its
 * scaler inside. Anything that is not a straight chain of those ops is refused with the node that breaks it.
 */
import { CardwatchError, describeError } from '../util/errors.js';
import type { DenseGraphSpec, DenseLayer } from './onnx-graph.js';
import { onnx, type OnnxTypes } from './onnx-protobuf.js';

export interface ImportedDenseStack {
  /** Name of the graph input (e.g. `input`). */
  readonly inputName: string;
  readonly outputName: string;
  readonly inputDim: number;
  readonly outputDim: number;
  /** The input's fixed batch size (an export without dynamic axes, often 1), or null when it is symbolic. */
  readonly batchDim: number | null;
  /** Layers in order, weights in PyTorch's [out][in] layout whatever the source op. */
  readonly layers: DenseLayer[];
}

type IntLike = number | { toNumber(): number };

function toInt(value: IntLike | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/**
 * Decodes ONNX bytes and extracts the dense layers in order.
 * Not an ONNX model → `MODEL_CORRUPT`; a graph that is not a plain dense stack → `INVALID_INPUT`.
 *
 * @example
 * const stack = readDenseLayersFromOnnx(readFileSync('fixtures/pytorch-onnx/model.onnx'));
 * stack.layers.map((l) => `${l.inDim}→${l.outDim} ${l.activation}`);
 * // → ['28→32 relu', '32→16 relu', '16→32 relu', '32→28 none']
 */
export function readDenseLayersFromOnnx(bytes: Uint8Array): ImportedDenseStack {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new CardwatchError(
      'MODEL_CORRUPT',
      `not an ONNX model (protobuf decoding failed: ${describeError(error)})`,
      {
        cause: error,
      },
    );
  }
  const graph = model.graph;
  const nodes = graph?.node ?? [];
  const graphInputs = graph?.input ?? [];
  const graphOutputs = graph?.output ?? [];
  if (nodes.length === 0) {
    throw new CardwatchError('MODEL_CORRUPT', 'not an ONNX model: it has no graph nodes');
  }
  const initializers = new Map<string, OnnxTypes.ITensorProto>();
  for (const tensor of graph?.initializer ?? []) initializers.set(tensor.name ?? '', tensor);

  // Older exporters also list initializers among the inputs; the real input is the one without a value.
  const inputs = graphInputs.filter((value) => !initializers.has(value.name ?? ''));
  if (inputs.length !== 1 || graphOutputs.length !== 1) {
    throw notDense(
      `it has ${inputs.length} inputs and ${graphOutputs.length} outputs, a dense stack has 1 and 1`,
    );
  }
  const inputName = inputs[0]?.name ?? '';
  const outputName = graphOutputs[0]?.name ?? '';

  const layers: DenseLayer[] = [];
  let current = inputName;
  let width = declaredWidth(inputs[0]);
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index] as OnnxTypes.INodeProto;
    const op = node.opType ?? '';
    const where = `node ${index} (${op}${node.name ? ` ${node.name}` : ''})`;
    const [first, ...rest] = node.input ?? [];
    if (first !== current) {
      throw notDense(
        `${where} reads ${first ?? 'nothing'}, not the output of the previous step (${current})`,
      );
    }
    const output = singleOutput(node, where);
    switch (op) {
      case 'Gemm': {
        const layer = gemmLayer(node, rest, initializers, where);
        width = checkWidth(width, layer, where);
        layers.push(layer);
        break;
      }
      case 'MatMul': {
        const weight = initializerOf(rest[0], initializers, where);
        const dims = dimsOf(weight);
        if (dims.length !== 2) throw notDense(`${where}: weight is not a matrix (dims [${dims.join(', ')}])`);
        const [inDim, outDim] = dims as [number, number];
        let bias: Float32Array = new Float32Array(outDim);
        let out = output;
        // PyTorch and other exporters write Linear as MatMul followed by Add(bias).
        const next = nodes[index + 1];
        if (next?.opType === 'Add' && next.input?.includes(output)) {
          const biasName = next.input.find((name) => name !== output);
          bias = floatsOf(
            initializerOf(biasName, initializers, `node ${index + 1} (Add)`),
            `node ${index + 1} (Add)`,
          );
          if (bias.length !== outDim) {
            throw notDense(`node ${index + 1} (Add): bias has ${bias.length} values, expected ${outDim}`);
          }
          out = singleOutput(next, `node ${index + 1} (Add)`);
          index++;
        }
        const layer: DenseLayer = {
          inDim,
          outDim,
          weight: transpose(floatsOf(weight, where), inDim, outDim),
          bias,
          activation: 'none',
        };
        width = checkWidth(width, layer, where);
        layers.push(layer);
        current = out;
        continue;
      }
      case 'Relu':
      case 'Sigmoid': {
        const last = layers.at(-1);
        if (last === undefined || last.activation !== 'none') {
          throw notDense(`${where}: an activation must follow a dense layer`);
        }
        layers[layers.length - 1] = { ...last, activation: op === 'Relu' ? 'relu' : 'sigmoid' };
        break;
      }
      case 'Identity':
        break;
      default:
        throw notDense(
          `${where}: op ${op} is not supported (supported: Gemm, MatMul+Add, Relu, Sigmoid, Identity)`,
        );
    }
    current = output;
  }
  if (current !== outputName) {
    throw notDense(`the chain ends in ${current}, but the graph output is ${outputName}`);
  }
  const first = layers[0];
  const last = layers.at(-1);
  if (first === undefined || last === undefined) throw notDense('it has no dense layer');
  return {
    inputName,
    outputName,
    inputDim: first.inDim,
    outputDim: last.outDim,
    batchDim: declaredBatch(inputs[0]),
    layers,
  };
}

/**
 * Rebuilds a foreign autoencoder (fed standardized features) as a cardwatch graph spec fed RAW features, with
 * `scaler` (`features`, `mean`, `std`, e.g. a PyTorch project's scaler.json) placed inside the graph.
 */
export function importDenseAutoencoder(
  bytes: Uint8Array,
  scaler: {
    readonly features: readonly string[];
    readonly mean: readonly number[];
    readonly std: readonly number[];
  },
): DenseGraphSpec {
  const stack = readDenseLayersFromOnnx(bytes);
  const features = scaler.features.length;
  if (stack.inputDim !== features || stack.outputDim !== features) {
    throw new CardwatchError(
      'SHAPE_MISMATCH',
      `the ONNX autoencoder maps ${stack.inputDim} → ${stack.outputDim} values but the scaler has ${features} features`,
    );
  }
  return {
    inputColumns: [...scaler.features],
    scaler: { mean: [...scaler.mean], std: [...scaler.std] },
    layers: stack.layers,
    output: 'reconstruction_error',
  };
}

function notDense(reason: string): CardwatchError {
  return new CardwatchError('INVALID_INPUT', `the ONNX graph is not a plain dense stack: ${reason}`);
}

function singleOutput(node: OnnxTypes.INodeProto, where: string): string {
  const outputs = node.output ?? [];
  if (outputs.length !== 1 || !outputs[0])
    throw notDense(`${where} has ${outputs.length} outputs, expected 1`);
  return outputs[0];
}

function declaredWidth(value: OnnxTypes.IValueInfoProto | undefined): number | null {
  const dims = value?.type?.tensorType?.shape?.dim ?? [];
  const last = dims.at(-1);
  if (dims.length !== 2 || last?.dimValue === undefined || last.dimValue === null) return null;
  const width = toInt(last.dimValue);
  return width > 0 ? width : null;
}

function declaredBatch(value: OnnxTypes.IValueInfoProto | undefined): number | null {
  const first = value?.type?.tensorType?.shape?.dim?.[0];
  if (first?.dimValue === undefined || first.dimValue === null) return null;
  const batch = toInt(first.dimValue);
  return batch > 0 ? batch : null;
}

function checkWidth(width: number | null, layer: DenseLayer, where: string): number {
  if (width !== null && layer.inDim !== width) {
    throw notDense(`${where} takes ${layer.inDim} values but the previous step gives ${width}`);
  }
  return layer.outDim;
}

function gemmLayer(
  node: OnnxTypes.INodeProto,
  operands: string[],
  initializers: Map<string, OnnxTypes.ITensorProto>,
  where: string,
): DenseLayer {
  const attrs = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  const alpha = attrs.get('alpha')?.f ?? 1;
  const beta = attrs.get('beta')?.f ?? 1;
  const transA = toInt(attrs.get('transA')?.i);
  const transB = toInt(attrs.get('transB')?.i);
  if (alpha !== 1 || beta !== 1 || transA !== 0) {
    throw notDense(
      `${where}: Gemm with alpha=${alpha}, beta=${beta}, transA=${transA} (only 1, 1, 0 are supported)`,
    );
  }
  const weight = initializerOf(operands[0], initializers, where);
  const dims = dimsOf(weight);
  if (dims.length !== 2) throw notDense(`${where}: weight is not a matrix (dims [${dims.join(', ')}])`);
  const [rows, cols] = dims as [number, number];
  const outDim = transB === 1 ? rows : cols;
  const inDim = transB === 1 ? cols : rows;
  const values = floatsOf(weight, where);
  const bias =
    operands[1] === undefined || operands[1] === ''
      ? new Float32Array(outDim)
      : floatsOf(initializerOf(operands[1], initializers, where), where);
  if (bias.length !== outDim) {
    // Gemm's C may broadcast; a dense layer's bias has exactly one value per output.
    throw notDense(`${where}: bias has ${bias.length} values, expected ${outDim}`);
  }
  return {
    inDim,
    outDim,
    weight: transB === 1 ? values : transpose(values, inDim, outDim),
    bias,
    activation: 'none',
  };
}

function initializerOf(
  name: string | undefined,
  initializers: Map<string, OnnxTypes.ITensorProto>,
  where: string,
): OnnxTypes.ITensorProto {
  const tensor = name === undefined ? undefined : initializers.get(name);
  if (tensor === undefined) {
    throw notDense(`${where}: operand ${name ?? '(none)'} is not a constant initializer`);
  }
  return tensor;
}

function dimsOf(tensor: OnnxTypes.ITensorProto): number[] {
  return (tensor.dims ?? []).map((d) => toInt(d));
}

/** The float32 values of an initializer, from `raw_data` (little-endian) or `float_data`. */
function floatsOf(tensor: OnnxTypes.ITensorProto, where: string): Float32Array {
  const name = tensor.name ?? '(unnamed)';
  if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT) {
    throw notDense(
      `${where}: initializer ${name} has data type ${tensor.dataType}, only float32 is supported`,
    );
  }
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw notDense(
      `${where}: initializer ${name} stores its data in an external file, which is not supported`,
    );
  }
  const count = dimsOf(tensor).reduce((a, b) => a * b, 1);
  const raw = tensor.rawData;
  let values: Float32Array;
  if (raw && raw.length > 0) {
    if (raw.length !== count * 4) {
      throw new CardwatchError(
        'MODEL_CORRUPT',
        `initializer ${name} has ${raw.length} bytes, expected ${count * 4}`,
      );
    }
    // DataView: protobuf slices need not be 4-byte aligned, and ONNX raw data is little-endian on every host.
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
  } else {
    const data = tensor.floatData ?? [];
    if (data.length !== count) {
      throw new CardwatchError(
        'MODEL_CORRUPT',
        `initializer ${name} has ${data.length} values, expected ${count}`,
      );
    }
    values = Float32Array.from(data);
  }
  if (!values.every(Number.isFinite)) {
    throw new CardwatchError('MODEL_CORRUPT', `initializer ${name} holds a non-finite value`);
  }
  return values;
}

/** [rows][cols] → [cols][rows]. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c] as number;
  }
  return out;
}
