/**
 * The int8 variant of a bundle graph (`model.int8.onnx`): same input, same `score` and `contributions` outputs,
 * same float32 preprocessing and head as `model.onnx`; only each dense layer's weights are int8 (see
 * {@link Int8Scheme} for the two ONNX forms and what each costs). Standard ONNX ops only (opset 17), so any
 * runtime can load it; ONNX Runtime's CPU provider runs both forms (measured with onnxruntime-node 1.30).
 */
import { onnx, type OnnxTypes } from './onnx-protobuf.js';
import {
  assembleDenseOnnxModel,
  floatTensor,
  intAttribute,
  node,
  validateSpec,
  type DenseGraphSpec,
  type LinearEmitter,
} from './onnx-graph.js';
import { quantizeLayer, resolveInt8Options, type Int8Options, type Int8Scheme } from './quantize.js';

export interface Int8Model {
  readonly bytes: Uint8Array;
  readonly scheme: Int8Scheme;
  readonly prune: number;
  /** Fraction of all dense weights whose int8 code is 0 (pruned, or too small for their channel's scale). */
  readonly zeroWeightFraction: number;
}

/**
 * Builds the int8 variant of `spec` (pruned first when `options.prune` > 0).
 *
 * @example
 * const { bytes, zeroWeightFraction } = buildInt8OnnxModel(spec, { prune: 0.2 });
 * // zeroWeightFraction ≥ 0.2; bytes ≈ ¼ of buildDenseOnnxModel(spec) for the weights
 */
export function buildInt8OnnxModel(spec: DenseGraphSpec, options: Int8Options = {}): Int8Model {
  const { prune, scheme } = resolveInt8Options(options);
  // Validate before quantizing so a malformed spec is reported exactly as for the float32 graph.
  validateSpec(spec);
  let zeros = 0;
  let total = 0;
  const emit: LinearEmitter = (layer, p, input, output) => {
    const q = quantizeLayer(layer, prune);
    for (const code of q.weight) if (code === 0) zeros++;
    total += q.weight.length;
    if (scheme === 'weight-only') {
      return {
        initializers: [
          int8Tensor(`${p}.weight_q`, [q.outDim, q.inDim], q.weight),
          floatTensor(`${p}.weight_scale`, [q.outDim], q.scale),
          int8Tensor(`${p}.weight_zero_point`, [q.outDim], new Int8Array(q.outDim)),
          floatTensor(`${p}.bias`, [q.outDim], q.bias),
        ],
        nodes: [
          // axis 0 = one scale per output channel of the [out][in] weight.
          node(
            'DequantizeLinear',
            [`${p}.weight_q`, `${p}.weight_scale`, `${p}.weight_zero_point`],
            [`${p}.weight`],
            `${p}.dequantize`,
            [intAttribute('axis', 0)],
          ),
          node('Gemm', [input, `${p}.weight`, `${p}.bias`], [output], `${p}.gemm`, [
            intAttribute('transB', 1),
          ]),
        ],
        // The attribution pass reads the same dequantized weight the Gemm uses.
        floatWeight: { name: `${p}.weight`, layout: 'out_in', nodes: [], initializers: [] },
      };
    }
    // MatMulInteger multiplies [N][in] by [in][out], so the codes are stored transposed; its zero point for B
    // is left out (0): the weights are symmetric.
    const transposed = new Int8Array(q.weight.length);
    for (let o = 0; o < q.outDim; o++) {
      for (let i = 0; i < q.inDim; i++) transposed[i * q.outDim + o] = q.weight[o * q.inDim + i] as number;
    }
    return {
      initializers: [
        int8Tensor(`${p}.weight_q`, [q.inDim, q.outDim], transposed),
        floatTensor(`${p}.weight_scale`, [q.outDim], q.scale),
        floatTensor(`${p}.bias`, [q.outDim], q.bias),
      ],
      // This exact chain is what ORT's MatMulIntegerToFloat fusion recognizes (→ DynamicQuantizeMatMul).
      nodes: [
        node(
          'DynamicQuantizeLinear',
          [input],
          [`${p}.input_q`, `${p}.input_scale`, `${p}.input_zero_point`],
          `${p}.quantize_input`,
        ),
        node(
          'MatMulInteger',
          [`${p}.input_q`, `${p}.weight_q`, `${p}.input_zero_point`],
          [`${p}.accumulator`],
          `${p}.matmul_integer`,
        ),
        node('Cast', [`${p}.accumulator`], [`${p}.accumulator_float`], `${p}.cast`, [
          intAttribute('to', onnx.TensorProto.DataType.FLOAT),
        ]),
        node('Mul', [`${p}.input_scale`, `${p}.weight_scale`], [`${p}.scale`], `${p}.scale`),
        node('Mul', [`${p}.accumulator_float`, `${p}.scale`], [`${p}.matmul`], `${p}.rescale`),
        node('Add', [`${p}.matmul`, `${p}.bias`], [output], `${p}.bias_add`),
      ],
      // The attribution pass (supervised graphs only) needs float weights: dequantized once from the same codes,
      // per output channel (axis 1 of the transposed [in][out] codes).
      floatWeight: {
        name: `${p}.weight_t`,
        layout: 'in_out',
        initializers: [int8Tensor(`${p}.weight_t_zero_point`, [q.outDim], new Int8Array(q.outDim))],
        nodes: [
          node(
            'DequantizeLinear',
            [`${p}.weight_q`, `${p}.weight_scale`, `${p}.weight_t_zero_point`],
            [`${p}.weight_t`],
            `${p}.dequantize_t`,
            [intAttribute('axis', 1)],
          ),
        ],
      },
    };
  };
  const bytes = assembleDenseOnnxModel(spec, emit, {
    'cardwatch.weights': 'int8, symmetric per output channel',
    'cardwatch.int8.scheme': scheme,
    'cardwatch.int8.prune': String(prune),
  });
  return { bytes, scheme, prune, zeroWeightFraction: total === 0 ? 0 : zeros / total };
}

/** An int8 initializer: one byte per value, so raw data has no byte order to get wrong. */
function int8Tensor(name: string, dims: number[], values: Int8Array): OnnxTypes.ITensorProto {
  return {
    name,
    dims,
    dataType: onnx.TensorProto.DataType.INT8,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}
