/**
 * Builds the ONNX graph of a bundle: RAW feature values in, score out, with every preprocessing step INSIDE the
 * graph so a caller can never feed raw features to a model trained on transformed ones (the reference
 * system's bug). Two heads, one contract (input [N, F] → `score` [N], `contributions` [N, F]):
 *
 * `reconstruction_error` (the autoencoder):
 *   input → Sub(mean) → Div(std) = z → (Gemm transB=1 → activation)* = recon
 *   → Sub(recon, z) = d → Mul(d, d) = contributions [N, F] → ReduceMean(axes=[1], keepdims=0) = score [N]
 *
 * `fraud_probability` (the classifier and the hybrid):
 *   input → Gather per transform group (identity | Max(0)→Add(1)→Log | Mod(86400)→Mul(2π/86400)→Sin / Cos)
 *   [→ hybrid: Gather → the autoencoder above → ReduceMean(keepdims) → Add(floor) → Log]
 *   → Concat = features → Sub(mean) → Div(std) = z → (Gemm → ReLU)* → Gemm = logit [N, 1]
 *   → Mul(a) → Add(b) → Sigmoid → Squeeze = score [N]   (Platt calibration)
 *   contributions: the backward pass of the logit (Sign(ReLU output) masks, MatMul by each weight) gives
 *   ∂(a·logit)/∂z; × z is gradient × input per derived feature; MatMul by a 0/1 matrix adds each derived
 *   feature into its raw column (Time's sin and cos into Time), the hybrid's anomaly input is split over the
 *   autoencoder's columns by their share of its squared error; Relu keeps what pushes towards fraud.
 *
 * The int8 variant (onnx-int8.ts) reuses this skeleton through {@link assembleDenseOnnxModel} and only swaps
 * each layer's Gemm for a quantized form, so both variants share names, shapes, preprocessing and head by
 * construction.
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
/** Seconds in the day the time-of-day transform wraps at. */
export const SECONDS_PER_DAY = 86_400;

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

/** What the graph computes from the network's output (recorded as the manifest's `score.name`). */
export type GraphOutputKind = 'reconstruction_error' | 'fraud_probability';

/** How one network input is computed from a raw input column (the same names as models/features.ts). */
export type FeatureTransform = 'identity' | 'log1p' | 'day_sin' | 'day_cos';
export const FEATURE_TRANSFORMS: readonly FeatureTransform[] = ['identity', 'log1p', 'day_sin', 'day_cos'];

export interface GraphFeature {
  /** Index into `inputColumns`. */
  readonly source: number;
  readonly transform: FeatureTransform;
}

/** Per-column standardization: z = (x − mean) / std. */
export interface GraphScaler {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

interface GraphCommon {
  /** Raw input columns, in order (F of them). */
  readonly inputColumns: readonly string[];
  /** Standardization of the network's inputs, inside the graph. */
  readonly scaler: GraphScaler;
  readonly layers: readonly DenseLayer[];
  readonly producer?: { readonly name: string; readonly version: string };
  /** Stored as the model's `metadata_props` (string key/value pairs). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** The autoencoder: the network reconstructs its standardized raw inputs; score = mean squared error. */
export interface ReconstructionGraphSpec extends GraphCommon {
  readonly output: 'reconstruction_error';
}

/** The hybrid's autoencoder inside a probability graph: its log score is the network's last input. */
export interface AnomalyGraphSpec {
  /** Indices into `inputColumns` of the autoencoder's inputs, in its order. */
  readonly columns: readonly number[];
  readonly scaler: GraphScaler;
  readonly layers: readonly DenseLayer[];
  /** Added to the score before the log (> 0). */
  readonly floor: number;
}

/** The classifier and hybrid: derived features → scaler → network → one logit → Platt → probability. */
export interface ProbabilityGraphSpec extends GraphCommon {
  readonly output: 'fraud_probability';
  /** The network's inputs before the scaler, in order; with `anomaly`, its log score follows them. */
  readonly features: readonly GraphFeature[];
  /** score = σ(a·logit + b); a > 0 keeps the score increasing in the logit. */
  readonly calibration: { readonly a: number; readonly b: number };
  readonly anomaly?: AnomalyGraphSpec;
}

export type DenseGraphSpec = ReconstructionGraphSpec | ProbabilityGraphSpec;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** The nodes and initializers of one layer's affine part (`input` → `output`, before the activation). */
export interface LinearPart {
  readonly nodes: OnnxTypes.INodeProto[];
  readonly initializers: OnnxTypes.ITensorProto[];
  /**
   * A float32 tensor of the layer's weight for the attribution (backward) pass: its name, its layout
   * (`out_in` = PyTorch's [out][in], `in_out` = transposed) and the nodes/initializers that make it, which
   * are added only when the pass needs them.
   */
  readonly floatWeight: {
    readonly name: string;
    readonly layout: 'out_in' | 'in_out';
    readonly nodes: OnnxTypes.INodeProto[];
    readonly initializers: OnnxTypes.ITensorProto[];
  };
}

/**
 * Writes one layer's affine part; `prefix` names its tensors (`layer0`, `anomaly.layer2`). The float32 graph
 * uses one Gemm; the int8 variant (onnx-int8.ts) swaps in quantized forms while everything around the layers
 * (preprocessing, activations, heads) stays shared.
 */
export type LinearEmitter = (layer: DenseLayer, prefix: string, input: string, output: string) => LinearPart;

/** The float32 form: Gemm with transB=1 takes PyTorch's [out][in] weight as is, so no transposition can go wrong. */
const floatGemm: LinearEmitter = (layer, prefix, input, output) => ({
  initializers: [
    floatTensor(`${prefix}.weight`, [layer.outDim, layer.inDim], layer.weight),
    floatTensor(`${prefix}.bias`, [layer.outDim], layer.bias),
  ],
  nodes: [
    node('Gemm', [input, `${prefix}.weight`, `${prefix}.bias`], [output], `${prefix}.gemm`, [
      intAttribute('transB', 1),
    ]),
  ],
  floatWeight: { name: `${prefix}.weight`, layout: 'out_in', nodes: [], initializers: [] },
});

/**
 * Serializes a dense network with its preprocessing into an ONNX model (`model.onnx` bytes).
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

/** Nodes and initializers collected while a graph is built. */
class GraphParts {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];

  add(part: { nodes: OnnxTypes.INodeProto[]; initializers: OnnxTypes.ITensorProto[] }): void {
    this.nodes.push(...part.nodes);
    this.initializers.push(...part.initializers);
  }
}

/**
 * Standardizes `input` with `scaler` (initializers `<prefix>scaler.mean|std`), then runs `layers` (tensors
 * `<prefix>layer<i>`). Returns the standardized tensor's name, the network output's and each layer's parts.
 */
function denseStack(
  parts: GraphParts,
  linear: LinearEmitter,
  prefix: string,
  input: string,
  scaler: GraphScaler,
  layers: readonly DenseLayer[],
): { standardized: string; output: string; linear: LinearPart[] } {
  const width = scaler.mean.length;
  const standardized = `${prefix}standardized`;
  parts.initializers.push(
    floatTensor(`${prefix}scaler.mean`, [width], scaler.mean),
    floatTensor(`${prefix}scaler.std`, [width], scaler.std),
  );
  parts.nodes.push(
    node('Sub', [input, `${prefix}scaler.mean`], [`${prefix}centered`], `${prefix}standardize.sub`),
    node('Div', [`${prefix}centered`, `${prefix}scaler.std`], [standardized], `${prefix}standardize.div`),
  );
  let current = standardized;
  const emitted: LinearPart[] = [];
  layers.forEach((layer, index) => {
    const name = `${prefix}layer${index}`;
    const out = layer.activation === 'none' ? `${name}.out` : `${name}.linear`;
    const part = linear(layer, name, current, out);
    emitted.push(part);
    parts.add(part);
    if (layer.activation !== 'none') {
      const op = layer.activation === 'relu' ? 'Relu' : 'Sigmoid';
      parts.nodes.push(node(op, [out], [`${name}.out`], `${name}.${layer.activation}`));
    }
    current = `${name}.out`;
  });
  return { standardized, output: current, linear: emitted };
}

/**
 * The shared skeleton of every variant: validates `spec`, then preprocessing → layers (affine parts from
 * `linear`) → head. `metadata` is added to the spec's own metadata props.
 */
export function assembleDenseOnnxModel(
  spec: DenseGraphSpec,
  linear: LinearEmitter,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  validateSpec(spec);
  const features = spec.inputColumns.length;
  const parts = new GraphParts();
  const outputs =
    spec.output === 'reconstruction_error'
      ? reconstructionGraph(spec, linear, parts)
      : probabilityGraph(spec, linear, parts);
  const graph: OnnxTypes.IGraphProto = {
    name: 'cardwatch',
    node: parts.nodes,
    initializer: parts.initializers,
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

function scoreAndContributions(features: number): OnnxTypes.IValueInfoProto[] {
  return [
    tensorValueInfo(SCORE_OUTPUT, [BATCH_DIM]),
    tensorValueInfo(CONTRIBUTIONS_OUTPUT, [BATCH_DIM, features]),
  ];
}

/** Appends Sub → Mul (squared error per feature) after a reconstruction; returns the squared-error tensor. */
function squaredError(parts: GraphParts, prefix: string, recon: string, target: string, out: string): void {
  parts.nodes.push(
    node('Sub', [recon, target], [`${prefix}residual`], `${prefix}error.sub`),
    node('Mul', [`${prefix}residual`, `${prefix}residual`], [out], `${prefix}error.square`),
  );
}

function reconstructionGraph(
  spec: ReconstructionGraphSpec,
  linear: LinearEmitter,
  parts: GraphParts,
): OnnxTypes.IValueInfoProto[] {
  const { standardized, output } = denseStack(parts, linear, '', GRAPH_INPUT, spec.scaler, spec.layers);
  squaredError(parts, '', output, standardized, CONTRIBUTIONS_OUTPUT);
  parts.nodes.push(
    node('ReduceMean', [CONTRIBUTIONS_OUTPUT], [SCORE_OUTPUT], 'error.mean', [
      intsAttribute('axes', [1]),
      intAttribute('keepdims', 0),
    ]),
  );
  return scoreAndContributions(spec.inputColumns.length);
}

/** Gathers raw columns `sources` of the input as `<name>.raw` [N, k]. */
function gatherColumns(parts: GraphParts, name: string, sources: readonly number[]): string {
  parts.initializers.push(int64Tensor(`${name}.index`, [sources.length], sources));
  parts.nodes.push(
    node('Gather', [GRAPH_INPUT, `${name}.index`], [`${name}.raw`], `${name}.gather`, [
      intAttribute('axis', 1),
    ]),
  );
  return `${name}.raw`;
}

/** The nodes of one transform group over already gathered columns; returns the output tensor's name. */
function transformGroup(parts: GraphParts, transform: FeatureTransform, raw: string): string {
  const name = `features.${transform}`;
  switch (transform) {
    case 'identity':
      return raw;
    case 'log1p':
      // Max(0) first: a negative amount (a refund, a typo) must not become NaN or −∞ inside the model.
      parts.nodes.push(
        node('Max', [raw, 'const.zero'], [`${name}.clipped`], `${name}.max`),
        node('Add', [`${name}.clipped`, 'const.one'], [`${name}.shifted`], `${name}.add`),
        node('Log', [`${name}.shifted`], [name], `${name}.log`),
      );
      return name;
    case 'day_sin':
    case 'day_cos':
      parts.nodes.push(
        node('Mod', [raw, 'const.seconds_per_day'], [`${name}.seconds`], `${name}.mod`, [
          intAttribute('fmod', 1),
        ]),
        node('Mul', [`${name}.seconds`, 'const.day_angle'], [`${name}.angle`], `${name}.angle`),
        node(transform === 'day_sin' ? 'Sin' : 'Cos', [`${name}.angle`], [name], `${name}.${transform}`),
      );
      return name;
  }
}

function probabilityGraph(
  spec: ProbabilityGraphSpec,
  linear: LinearEmitter,
  parts: GraphParts,
): OnnxTypes.IValueInfoProto[] {
  const rawWidth = spec.inputColumns.length;
  const derivedWidth = spec.features.length + (spec.anomaly ? 1 : 0);
  parts.initializers.push(
    floatTensor('const.zero', [], [0]),
    floatTensor('const.one', [], [1]),
    floatTensor('const.seconds_per_day', [], [SECONDS_PER_DAY]),
    floatTensor('const.day_angle', [], [(2 * Math.PI) / SECONDS_PER_DAY]),
    int64Tensor('const.axis1', [1], [1]),
  );

  // Derived features: one Gather per transform group, concatenated, then put in the spec's order if needed.
  const groupOutputs: string[] = [];
  /** Spec feature index of each concatenated column. */
  const concatOrder: number[] = [];
  for (const transform of FEATURE_TRANSFORMS) {
    const members = spec.features.flatMap((feature, index) =>
      feature.transform === transform ? [index] : [],
    );
    if (members.length === 0) continue;
    const raw = gatherColumns(
      parts,
      `features.${transform}`,
      members.map((index) => spec.features[index]!.source),
    );
    groupOutputs.push(transformGroup(parts, transform, raw));
    concatOrder.push(...members);
  }
  let anomaly: { squared: string } | null = null;
  if (spec.anomaly) {
    const a = spec.anomaly;
    const raw = gatherColumns(parts, 'anomaly.input', a.columns);
    const stack = denseStack(parts, linear, 'anomaly.', raw, a.scaler, a.layers);
    squaredError(parts, 'anomaly.', stack.output, stack.standardized, 'anomaly.squared');
    parts.initializers.push(floatTensor('anomaly.floor', [], [a.floor]));
    parts.nodes.push(
      node('ReduceMean', ['anomaly.squared'], ['anomaly.score'], 'anomaly.mean', [
        intsAttribute('axes', [1]),
        intAttribute('keepdims', 1),
      ]),
      node('Add', ['anomaly.score', 'anomaly.floor'], ['anomaly.shifted'], 'anomaly.floor'),
      node('Log', ['anomaly.shifted'], ['features.anomaly'], 'anomaly.log'),
    );
    groupOutputs.push('features.anomaly');
    concatOrder.push(spec.features.length);
    anomaly = { squared: 'anomaly.squared' };
  }
  const inOrder = concatOrder.every((featureIndex, position) => featureIndex === position);
  parts.nodes.push(
    node('Concat', groupOutputs, [inOrder ? 'features' : 'features.grouped'], 'features.concat', [
      intAttribute('axis', 1),
    ]),
  );
  if (!inOrder) {
    // Column k of the spec's order is column concatOrder⁻¹(k) of the concatenation.
    const permutation = Array.from({ length: derivedWidth }, (_, k) => concatOrder.indexOf(k));
    parts.initializers.push(int64Tensor('features.order', [derivedWidth], permutation));
    parts.nodes.push(
      node('Gather', ['features.grouped', 'features.order'], ['features'], 'features.reorder', [
        intAttribute('axis', 1),
      ]),
    );
  }

  // Network and calibrated head.
  const stack = denseStack(parts, linear, '', 'features', spec.scaler, spec.layers);
  parts.initializers.push(
    floatTensor('calibration.a', [], [spec.calibration.a]),
    floatTensor('calibration.b', [], [spec.calibration.b]),
  );
  parts.nodes.push(
    node('Mul', [stack.output, 'calibration.a'], ['calibration.scaled'], 'calibration.mul'),
    node('Add', ['calibration.scaled', 'calibration.b'], ['calibrated_logit'], 'calibration.add'),
    node('Sigmoid', ['calibrated_logit'], ['probability'], 'calibration.sigmoid'),
    node('Squeeze', ['probability', 'const.axis1'], [SCORE_OUTPUT], 'score.squeeze'),
  );

  // Contributions: gradient × input of the calibrated logit, back through the layers.
  parts.initializers.push(floatTensor('attribution.seed', [1, 1], [spec.calibration.a]));
  let gradient = 'attribution.seed';
  for (let i = spec.layers.length - 1; i >= 0; i--) {
    const layer = spec.layers[i]!;
    const name = `attribution.layer${i}`;
    let delta = gradient;
    if (layer.activation === 'relu') {
      // ReLU'(pre) = Sign(ReLU(pre)): 1 where the unit is active, 0 elsewhere (also at 0, like the engine).
      parts.nodes.push(
        node('Sign', [`layer${i}.out`], [`${name}.mask`], `${name}.mask`),
        node('Mul', [gradient, `${name}.mask`], [`${name}.delta`], `${name}.delta`),
      );
      delta = `${name}.delta`;
    } else if (layer.activation === 'sigmoid') {
      parts.nodes.push(
        node('Sub', ['const.one', `layer${i}.out`], [`${name}.complement`], `${name}.complement`),
        node('Mul', [`layer${i}.out`, `${name}.complement`], [`${name}.slope`], `${name}.slope`),
        node('Mul', [gradient, `${name}.slope`], [`${name}.delta`], `${name}.delta`),
      );
      delta = `${name}.delta`;
    }
    const weight = stack.linear[i]!.floatWeight;
    parts.add(weight);
    parts.nodes.push(
      weight.layout === 'out_in'
        ? node('MatMul', [delta, weight.name], [`${name}.gradient`], `${name}.matmul`)
        : node('Gemm', [delta, weight.name], [`${name}.gradient`], `${name}.gemm`, [
            intAttribute('transB', 1),
          ]),
    );
    gradient = `${name}.gradient`;
  }
  parts.nodes.push(
    node('Mul', [gradient, stack.standardized], ['attribution.derived'], 'attribution.times_input'),
  );
  // Derived feature k adds into raw column source_k; the anomaly input (if any) has a zero row here.
  const toRaw = new Float32Array(derivedWidth * rawWidth);
  spec.features.forEach((feature, k) => (toRaw[k * rawWidth + feature.source] = 1));
  parts.initializers.push(floatTensor('attribution.to_raw', [derivedWidth, rawWidth], toRaw));
  parts.nodes.push(
    node('MatMul', ['attribution.derived', 'attribution.to_raw'], ['attribution.raw'], 'attribution.to_raw'),
  );
  let total = 'attribution.raw';
  if (spec.anomaly && anomaly) {
    const a = spec.anomaly;
    const anomalyToRaw = new Float32Array(a.columns.length * rawWidth);
    a.columns.forEach((source, j) => (anomalyToRaw[j * rawWidth + source] = 1));
    parts.initializers.push(
      int64Tensor('attribution.anomaly.index', [1], [spec.features.length]),
      floatTensor('attribution.anomaly.tiny', [], [1e-30]),
      floatTensor('attribution.anomaly.to_raw', [a.columns.length, rawWidth], anomalyToRaw),
    );
    parts.nodes.push(
      node(
        'Gather',
        ['attribution.derived', 'attribution.anomaly.index'],
        ['attribution.anomaly'],
        'attribution.anomaly',
        [intAttribute('axis', 1)],
      ),
      node(
        'ReduceSum',
        [anomaly.squared, 'const.axis1'],
        ['attribution.anomaly.total'],
        'attribution.anomaly.total',
        [intAttribute('keepdims', 1)],
      ),
      // + 1e-30: a perfectly reconstructed row shares nothing instead of dividing 0 by 0.
      node(
        'Add',
        ['attribution.anomaly.total', 'attribution.anomaly.tiny'],
        ['attribution.anomaly.denominator'],
        'attribution.anomaly.denominator',
      ),
      node(
        'Div',
        [anomaly.squared, 'attribution.anomaly.denominator'],
        ['attribution.anomaly.share'],
        'attribution.anomaly.share',
      ),
      node(
        'Mul',
        ['attribution.anomaly.share', 'attribution.anomaly'],
        ['attribution.anomaly.columns'],
        'attribution.anomaly.columns',
      ),
      node(
        'MatMul',
        ['attribution.anomaly.columns', 'attribution.anomaly.to_raw'],
        ['attribution.anomaly.raw'],
        'attribution.anomaly.to_raw',
      ),
      node('Add', ['attribution.raw', 'attribution.anomaly.raw'], ['attribution.total'], 'attribution.total'),
    );
    total = 'attribution.total';
  }
  parts.nodes.push(node('Relu', [total], [CONTRIBUTIONS_OUTPUT], 'attribution.positive'));
  return scoreAndContributions(rawWidth);
}

function checkScaler(
  fail: (message: string) => never,
  scaler: GraphScaler,
  names: readonly string[],
  what: string,
): void {
  for (const [name, values] of [
    ['mean', scaler.mean],
    ['std', scaler.std],
  ] as const) {
    if (values.length !== names.length) {
      fail(`${what}.${name} has ${values.length} values, expected ${names.length} (one per input column)`);
    }
    values.forEach((value, i) => {
      if (!Number.isFinite(value)) fail(`${what}.${name}[${i}] (${names[i]}) is ${value}`);
    });
  }
  scaler.std.forEach((value, i) => {
    // Compared after float32 rounding: that is the divisor the graph will use.
    if (!(Math.fround(value) > 0)) {
      fail(`${what}.std[${i}] (${names[i]}) is ${value}; it must be > 0 in float32`);
    }
  });
}

/** Checks a layer chain starting at `width`; returns the last layer's width. */
function checkLayers(
  fail: (message: string) => never,
  layers: readonly DenseLayer[],
  width: number,
  what: string,
): number {
  if (layers.length === 0) fail(`${what} is empty`);
  const label = what === 'layers' ? 'layer' : `${what} layer`;
  layers.forEach((layer, i) => {
    if (layer.inDim !== width) fail(`${label} ${i} has inDim ${layer.inDim}, expected ${width}`);
    if (!Number.isInteger(layer.outDim) || layer.outDim < 1) {
      fail(`${label} ${i} has outDim ${layer.outDim}`);
    }
    if (layer.weight.length !== layer.inDim * layer.outDim) {
      fail(`${label} ${i} weight has ${layer.weight.length} values, expected ${layer.outDim}×${layer.inDim}`);
    }
    if (layer.bias.length !== layer.outDim) {
      fail(`${label} ${i} bias has ${layer.bias.length} values, expected ${layer.outDim}`);
    }
    if (!layer.weight.every(Number.isFinite) || !layer.bias.every(Number.isFinite)) {
      fail(`${label} ${i} has a non-finite weight or bias`);
    }
    width = layer.outDim;
  });
  return width;
}

export function validateSpec(spec: DenseGraphSpec): void {
  const features = spec.inputColumns.length;
  const fail = (message: string): never => {
    throw new CardwatchError('INVALID_INPUT', `cannot build the ONNX graph: ${message}`);
  };
  if (features === 0) fail('inputColumns is empty');
  if (new Set(spec.inputColumns).size !== features) fail('inputColumns has repeated names');
  if (spec.output === 'reconstruction_error') {
    checkScaler(fail, spec.scaler, spec.inputColumns, 'scaler');
    const width = checkLayers(fail, spec.layers, features, 'layers');
    if (width !== features) {
      fail(`the last layer outputs ${width} values, a reconstruction needs ${features}`);
    }
    return;
  }
  const checkSource = (source: number, what: string): void => {
    if (!Number.isInteger(source) || source < 0 || source >= features) {
      fail(`${what} reads input column ${source}; the input has ${features} (0..${features - 1})`);
    }
  };
  if (spec.features.length === 0 && !spec.anomaly) fail('features is empty');
  const names = spec.features.map((feature, k) => {
    checkSource(feature.source, `features[${k}]`);
    if (!FEATURE_TRANSFORMS.includes(feature.transform)) {
      fail(
        `features[${k}] has transform ${String(feature.transform)}; known: ${FEATURE_TRANSFORMS.join(', ')}`,
      );
    }
    return `${feature.transform}(${spec.inputColumns[feature.source]})`;
  });
  if (spec.anomaly) {
    const a = spec.anomaly;
    if (a.columns.length === 0) fail('anomaly.columns is empty');
    a.columns.forEach((source, j) => checkSource(source, `anomaly.columns[${j}]`));
    if (new Set(a.columns).size !== a.columns.length) fail('anomaly.columns repeats a column');
    const anomalyNames = a.columns.map((source) => spec.inputColumns[source]!);
    checkScaler(fail, a.scaler, anomalyNames, 'anomaly.scaler');
    const width = checkLayers(fail, a.layers, a.columns.length, 'anomaly.layers');
    if (width !== a.columns.length) {
      fail(`the anomaly autoencoder outputs ${width} values, a reconstruction needs ${a.columns.length}`);
    }
    if (!(Number.isFinite(a.floor) && Math.fround(a.floor) > 0))
      fail(`anomaly.floor is ${a.floor}; it must be > 0`);
    names.push('anomaly');
  }
  checkScaler(fail, spec.scaler, names, 'scaler');
  const width = checkLayers(fail, spec.layers, names.length, 'layers');
  const last = spec.layers[spec.layers.length - 1]!;
  if (width !== 1 || last.activation !== 'none') {
    fail(
      `the last layer must output one logit (1 unit, no activation); it has ${width} unit(s), ${last.activation}`,
    );
  }
  const { a, b } = spec.calibration;
  if (!(Number.isFinite(a) && a > 0) || !Number.isFinite(b)) {
    fail(`calibration must have a finite a > 0 and a finite b; got a = ${a}, b = ${b}`);
  }
}

/** A float32 initializer; raw little-endian bytes as the ONNX spec requires, whatever the host order. */
export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTypes.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return { name, dims, dataType: FLOAT, rawData: raw };
}

/** An int64 initializer (Gather indices, axes), raw little-endian bytes. */
export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): OnnxTypes.ITensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i] as number), true);
  return { name, dims, dataType: INT64, rawData: raw };
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
