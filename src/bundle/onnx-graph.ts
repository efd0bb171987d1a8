/**
 * Builds the ONNX graph of a bundle: RAW feature values in, score out, with the scaler INSIDE the graph so a
 * caller can never feed raw features to a model trained on standardized ones (the reference system's bug).
 *
 * Graph (opset 17, IR 8):
 *   input [N, F] → Sub(mean) → Div(std) = z → (Gemm transB=1 → activation)* = recon
 *   → Sub(recon, z) = d → Mul(d, d) = contributions [N, F] → ReduceMean(axes=[1], keepdims=0) = score [N]
 *
 * The int8 variant (onnx-int8.ts) reuses this skeleton through {@link assembleDenseOnnxModel} and only swaps
 * each layer's Gemm for a quantized form, so both variants share names, shapes, scaler and head by construction.
 */
import { CardwatchError } from '../util/errors.js';
import { onnx, type OnnxTypes } from './onnx-protobuf.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
/** Names of the graph's input and outputs, fixed so the manifest and the scorer agree. */
export const GRAPH_INPUT = 'input';
export const SCORE_OUTPUT = 'score';
export const CONTRIBUTIONS_OUTPUT = 'contributions';
/** Symbolic batch dimension of the input and outputs. */
export const BATCH_DIM = 'N';

export type Activation = 'relu' | 'sigmoid' | 'none';

/** One fully connected layer, in PyTorch's `nn.Linear` layout. */
export interface DenseLayer {
  readonly inDim: number;
  readonly outDim: number;
  /** [outDim][inDim] row-major (PyTorch `weight`). */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
  readonly activation: Activation;
}

/** What the graph computes from the network's output; a classifier head (`probability`) can join later. */
export type GraphOutputKind = 'reconstruction_error';

export interface DenseGraphSpec {
  /** Raw input columns, in order (F of them). */
  readonly inputColumns: readonly string[];
  /** Per-column standardization applied inside the graph: z = (x − mean) / std. */
  readonly scaler: { readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly layers: readonly DenseLayer[];
  readonly output: GraphOutputKind;
  readonly producer?: { readonly name: string; readonly version: string };
  /** Stored as the model's `metadata_props` (string key/value pairs). */
  readonly metadata?: Readonly<Record<string, string>>;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** The nodes and initializers of one layer's affine part (`input` → `output`, before the activation). */
export interface LinearPart {
  readonly nodes: OnnxTypes.INodeProto[];
  readonly initializers: OnnxTypes.ITensorProto[];
}

/**
 * Writes layer `index`'s affine part. The float32 graph uses one Gemm; the int8 variant (onnx-int8.ts) swaps in
 * quantized forms while everything around the layers (scaler, activations, error head) stays shared.
 */
export type LinearEmitter = (layer: DenseLayer, index: number, input: string, output: string) => LinearPart;

/** The float32 form: Gemm with transB=1 takes PyTorch's [out][in] weight as is, so no transposition can go wrong. */
const floatGemm: LinearEmitter = (layer, index, input, output) => ({
  initializers: [
    floatTensor(`layer${index}.weight`, [layer.outDim, layer.inDim], layer.weight),
    floatTensor(`layer${index}.bias`, [layer.outDim], layer.bias),
  ],
  nodes: [
    node('Gemm', [input, `layer${index}.weight`, `layer${index}.bias`], [output], `layer${index}.gemm`, [
      intAttribute('transB', 1),
    ]),
  ],
});

/**
 * Serializes a dense network with its scaler into an ONNX model (`model.onnx` bytes).
 *
 * @example
 * const bytes = buildDenseOnnxModel({ inputColumns: ['a', 'b'], scaler: { mean: [0, 0], std: [1, 1] },
 *   layers: [{ inDim: 2, outDim: 2, weight: new Float32Array([1, 0, 0, 1]), bias: new Float32Array(2),
 *   activation: 'none' }], output: 'reconstruction_error' });
 * // identity network → score 0 for every row
 */
export function buildDenseOnnxModel(spec: DenseGraphSpec): Uint8Array {
  return assembleDenseOnnxModel(spec, floatGemm);
}

/**
 * The shared skeleton of every variant: validates `spec`, then scaler → layers (affine parts from `linear`) →
 * head. `metadata` is added to the spec's own metadata props.
 */
export function assembleDenseOnnxModel(
  spec: DenseGraphSpec,
  linear: LinearEmitter,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  validateSpec(spec);
  const features = spec.inputColumns.length;
  const initializers: OnnxTypes.ITensorProto[] = [
    floatTensor('scaler.mean', [features], spec.scaler.mean),
    floatTensor('scaler.std', [features], spec.scaler.std),
  ];
  const nodes: OnnxTypes.INodeProto[] = [
    node('Sub', [GRAPH_INPUT, 'scaler.mean'], ['centered'], 'standardize.sub'),
    node('Div', ['centered', 'scaler.std'], ['standardized'], 'standardize.div'),
  ];

  let current = 'standardized';
  spec.layers.forEach((layer, index) => {
    const prefix = `layer${index}`;
    const out = layer.activation === 'none' ? `${prefix}.out` : `${prefix}.linear`;
    const part = linear(layer, index, current, out);
    initializers.push(...part.initializers);
    nodes.push(...part.nodes);
    if (layer.activation !== 'none') {
      const op = layer.activation === 'relu' ? 'Relu' : 'Sigmoid';
      nodes.push(node(op, [out], [`${prefix}.out`], `${prefix}.${layer.activation}`));
    }
    current = `${prefix}.out`;
  });

  const outputs = appendHead(spec.output, current, nodes, features);
  const graph: OnnxTypes.IGraphProto = {
    name: 'cardwatch',
    node: nodes,
    initializer: initializers,
    input: [tensorValueInfo(GRAPH_INPUT, [BATCH_DIM, features])],
    output: outputs,
  };
  const props = {
    'cardwatch.input_columns': JSON.stringify(spec.inputColumns),
    'cardwatch.output': spec.output,
    ...spec.metadata,
    ...metadata,
  };
  const model: OnnxTypes.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: spec.producer?.name ?? 'cardwatch',
    producerVersion: spec.producer?.version ?? '',
    graph,
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Adds the nodes that turn the network output into the graph outputs; returns the output descriptions. */
function appendHead(
  kind: GraphOutputKind,
  networkOutput: string,
  nodes: OnnxTypes.INodeProto[],
  features: number,
): OnnxTypes.IValueInfoProto[] {
  switch (kind) {
    case 'reconstruction_error':
      nodes.push(
        node('Sub', [networkOutput, 'standardized'], ['residual'], 'error.sub'),
        node('Mul', ['residual', 'residual'], [CONTRIBUTIONS_OUTPUT], 'error.square'),
        node('ReduceMean', [CONTRIBUTIONS_OUTPUT], [SCORE_OUTPUT], 'error.mean', [
          intsAttribute('axes', [1]),
          intAttribute('keepdims', 0),
        ]),
      );
      return [
        tensorValueInfo(SCORE_OUTPUT, [BATCH_DIM]),
        tensorValueInfo(CONTRIBUTIONS_OUTPUT, [BATCH_DIM, features]),
      ];
  }
}

export function validateSpec(spec: DenseGraphSpec): void {
  const features = spec.inputColumns.length;
  const fail = (message: string): never => {
    throw new CardwatchError('INVALID_INPUT', `cannot build the ONNX graph: ${message}`);
  };
  if (features === 0) fail('inputColumns is empty');
  if (new Set(spec.inputColumns).size !== features) fail('inputColumns has repeated names');
  for (const [name, values] of [
    ['mean', spec.scaler.mean],
    ['std', spec.scaler.std],
  ] as const) {
    if (values.length !== features) {
      fail(`scaler.${name} has ${values.length} values, expected ${features} (one per input column)`);
    }
    values.forEach((value, i) => {
      if (!Number.isFinite(value)) fail(`scaler.${name}[${i}] (${spec.inputColumns[i]}) is ${value}`);
    });
  }
  spec.scaler.std.forEach((value, i) => {
    // Compared after float32 rounding: that is the divisor the graph will use.
    if (!(Math.fround(value) > 0)) {
      fail(`scaler.std[${i}] (${spec.inputColumns[i]}) is ${value}; it must be > 0 in float32`);
    }
  });
  if (spec.layers.length === 0) fail('layers is empty');
  let width = features;
  spec.layers.forEach((layer, i) => {
    if (layer.inDim !== width) fail(`layer ${i} has inDim ${layer.inDim}, expected ${width}`);
    if (!Number.isInteger(layer.outDim) || layer.outDim < 1) {
      fail(`layer ${i} has outDim ${layer.outDim}`);
    }
    if (layer.weight.length !== layer.inDim * layer.outDim) {
      fail(`layer ${i} weight has ${layer.weight.length} values, expected ${layer.outDim}×${layer.inDim}`);
    }
    if (layer.bias.length !== layer.outDim) {
      fail(`layer ${i} bias has ${layer.bias.length} values, expected ${layer.outDim}`);
    }
    if (!layer.weight.every(Number.isFinite) || !layer.bias.every(Number.isFinite)) {
      fail(`layer ${i} has a non-finite weight or bias`);
    }
    width = layer.outDim;
  });
  if (spec.output === 'reconstruction_error' && width !== features) {
    fail(`the last layer outputs ${width} values, a reconstruction needs ${features}`);
  }
}

/** A float32 initializer; raw little-endian bytes as the ONNX spec requires, whatever the host order. */
export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTypes.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return { name, dims, dataType: FLOAT, rawData: raw };
}

function tensorValueInfo(name: string, shape: Array<number | string>): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  };
}

export function node(
  opType: string,
  input: string[],
  output: string[],
  name: string,
  attribute: OnnxTypes.IAttributeProto[] = [],
): OnnxTypes.INodeProto {
  return { opType, input, output, name, attribute };
}

export function intAttribute(name: string, value: number): OnnxTypes.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function intsAttribute(name: string, values: number[]): OnnxTypes.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}
