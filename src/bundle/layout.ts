/**
 * File names inside a bundle folder and the models folder, in one place so the writer (export) and the readers
 * (registry, scorer, monitor) cannot drift apart.
 */
export const MANIFEST_FILE = 'manifest.json';
export const MODEL_FILE = 'model.onnx';
/** The int8 variant of `model.onnx` (same input and outputs), from format_version 2. */
export const INT8_MODEL_FILE = 'model.int8.onnx';
export const REFERENCE_FILE = 'reference.csv';
export const EXAMPLES_FILE = 'examples.json';
/** `<modelsDir>/aliases.json`: `{ "production": "<id>", ... }`. */
export const ALIASES_FILE = 'aliases.json';
/** Prefix of the folders an export writes before its atomic rename; readers ignore them. */
export const TEMP_PREFIX = '.tmp-';

/**
 * Bundle ids and aliases are folder/file-name safe: letters, digits, `.`, `_`, `-`, starting with a letter or
 * digit (so never `.` or `..`, and never a hidden temp folder).
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}
