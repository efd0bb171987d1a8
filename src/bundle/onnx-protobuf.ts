/**
 * The `onnx` protobuf namespace from `onnx-proto`. The package is CommonJS with `module.exports = root`, so Node's
 * ESM loader only exposes it as the default export; this file does that unwrapping once for the module.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type { onnx as OnnxTypes } from 'onnx-proto';
