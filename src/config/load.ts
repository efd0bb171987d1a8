/**
 * Config loading: defaults (from the schema) ← a YAML file ← Hydra-style `a.b=c` overrides, validated once
 * by the zod schema and deep-frozen.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { CardwatchError } from '../util/errors.js';
import { type Config, configSchema } from './schema.js';

type Plain = Record<string, unknown>;

export interface Override {
  /** `training.lr` split into `['training', 'lr']`. */
  path: string[];
  value: unknown;
  /** The override as typed, for error messages. */
  text: string;
}

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` has a comma outside brackets/quotes: Hydra's multirun list syntax. */
export function isMultirunValue(value: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (const ch of value) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) return true;
  }
  return false;
}

/** Parses `a.b=c`; the value is read as a YAML scalar or flow collection (`0.005`, `true`, `[V1, V2]`). */
export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  const key = eq > 0 ? text.slice(0, eq).trim() : '';
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(key)) {
    throw new CardwatchError(
      'CONFIG_OVERRIDE_SYNTAX',
      `override "${text}" is not of the form key.path=value (e.g. training.lr=0.005)`,
    );
  }
  const raw = text.slice(eq + 1).trim();
  if (isMultirunValue(raw)) {
    throw new CardwatchError(
      'CONFIG_OVERRIDE_SYNTAX',
      `override "${text}": a comma separates multirun values; sweeps are not available in this command`,
    );
  }
  let value: unknown;
  try {
    value = raw === '' ? '' : parseYaml(raw);
  } catch {
    value = raw;
  }
  return { path: key.split('.'), value, text };
}

function setPath(target: Plain, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as Plain;
  }
  node[path[path.length - 1]!] = value;
}

/** Keys that select the member of a tagged union in the schema (model.type, evaluation.threshold.strategy). */
const UNION_TAGS = new Set(['type', 'strategy']);

function isTagOverride(override: Override): boolean {
  return override.path.length > 1 && UNION_TAGS.has(override.path.at(-1)!);
}

function replaceAt(base: Plain, path: string[], value: Plain): Plain {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const inner = base[head];
  return {
    ...base,
    [head]: rest.length === 0 ? value : replaceAt(isPlainObject(inner) ? inner : {}, rest, value),
  };
}

function deepMerge(base: Plain, extra: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The parts of zod's schema definitions that the unknown-key hint walks through. */
interface SchemaDef {
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { def: SchemaDef }).def;
}

/** Unwraps defaults/prefaults/optionals to the schema that holds the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let inner = schema;
  for (let next = defOf(inner).innerType; next; next = defOf(inner).innerType) inner = next;
  return inner;
}

/** Keys the object at `path` accepts (for the hint that follows "unknown key"). */
function knownKeys(path: readonly PropertyKey[], input: unknown): string[] {
  let schema: z.ZodType = configSchema;
  for (const key of path) {
    const shape = defOf(unwrap(schema)).shape;
    if (!shape || typeof key !== 'string' || !(key in shape)) return [];
    schema = shape[key]!;
  }
  const def = defOf(unwrap(schema));
  if (def.shape) return Object.keys(def.shape);
  // A tagged union (model, threshold): the member the input's tag selects.
  const value = valueAt(input, path);
  for (const option of def.options ?? []) {
    const shape = defOf(option).shape;
    const result = option.safeParse(value);
    if (shape && (result.success || result.error.issues.every((i) => i.code === 'unrecognized_keys'))) {
      return Object.keys(shape);
    }
  }
  return [];
}

/** One line per issue: the full key path, what was expected and what was received. */
export function formatConfigIssues(error: z.ZodError, input: unknown, overrides: Override[] = []): string[] {
  const fromOverride = (path: string): string => {
    const from = overrides.find((o) => o.path.join('.') === path);
    return from ? ` (from override ${from.text})` : '';
  };
  return error.issues.flatMap((issue) => {
    const parent = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(issue.path, input);
      return issue.keys.map((key) => {
        const path = [...parent, key].join('.');
        const hint = known.length > 0 ? `; known keys here: ${known.join(', ')}` : '';
        return `${path}: unknown key${hint}${fromOverride(path)}`;
      });
    }
    const path = parent.join('.');
    const where = path || '(root)';
    const message =
      issue.code === 'invalid_type'
        ? `expected ${article(issue.expected)}, got ${describeValue(valueAt(input, issue.path))}`
        : `${issue.message}, got ${describeValue(valueAt(input, issue.path))}`;
    return [`${where}: ${message}${fromOverride(path)}`];
  });
}

export function validateConfig(input: unknown, overrides: Override[] = []): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const lines = formatConfigIssues(result.error, input, overrides);
    throw new CardwatchError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`, {
      details: lines,
    });
  }
  return deepFreeze(result.data);
}

export function readConfigFile(file: string): Plain {
  if (!existsSync(file)) throw new CardwatchError('CONFIG_FILE', `config file not found: ${file}`);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = error instanceof YAMLParseError ? error.message : String(error);
    throw new CardwatchError('CONFIG_FILE', `config file ${file} is not valid YAML: ${reason}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed))
    throw new CardwatchError('CONFIG_FILE', `config file ${file} must hold a mapping`);
  return parsed;
}

export interface LoadConfigOptions {
  /** A YAML file; when absent, `configs/default.yaml` is used if it exists in the working directory. */
  file?: string | undefined;
  overrides?: readonly string[];
}

/** Resolves the configuration a command runs with. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const file = options.file ?? (existsSync('configs/default.yaml') ? 'configs/default.yaml' : undefined);
  let raw: Plain = file ? readConfigFile(file) : {};
  const overrides = (options.overrides ?? []).map(parseOverride);
  // Member switches first, so `…threshold.precision=0.8 …threshold.strategy=target_precision` works in any order.
  const ordered = [...overrides].sort((a, b) => Number(isTagOverride(b)) - Number(isTagOverride(a)));
  for (const override of ordered) {
    const tag = override.path.at(-1)!;
    if (isTagOverride(override)) {
      // Changing a tagged union's member starts that section afresh: the old member's keys (a percentile
      // when switching to target_precision) would otherwise be refused as unknown by the new member.
      raw = replaceAt(raw, override.path.slice(0, -1), { [tag]: override.value });
    } else {
      const patch: Plain = {};
      setPath(patch, override.path, override.value);
      raw = deepMerge(raw, patch);
    }
  }
  return validateConfig(raw, overrides);
}
