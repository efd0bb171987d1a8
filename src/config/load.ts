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

/** Offsets of the commas of `value` outside brackets and quotes (Hydra's multirun list separators). */
function topLevelCommas(value: string): number[] {
  const commas: number[] = [];
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) commas.push(i);
  }
  return commas;
}

/** True when `value` has a comma outside brackets/quotes: Hydra's multirun list syntax. */
export function isMultirunValue(value: string): boolean {
  return topLevelCommas(value).length > 0;
}

/**
 * Splits a multirun value at its top-level commas; commas inside lists or quotes stay.
 * @example splitMultirunValue('0.001,0.003') // → ['0.001', '0.003']
 * @example splitMultirunValue('[V1,V2],[V3]') // → ['[V1,V2]', '[V3]']
 */
export function splitMultirunValue(value: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const comma of [...topLevelCommas(value), value.length]) {
    parts.push(value.slice(start, comma).trim());
    start = comma + 1;
  }
  return parts;
}

/** One swept key of a multirun: `training.lr=0.001,0.003` → key `training.lr`, two values. */
export interface MultirunAxis {
  key: string;
  /** Each value as typed (YAML scalar or flow collection text). */
  values: string[];
}

export interface Multirun {
  /** Overrides without a comma: the same in every trial. */
  fixed: string[];
  /** Overrides with a comma, in command-line order. */
  axes: MultirunAxis[];
}

/**
 * Reads the overrides of `--multirun`: a top-level comma makes an override a sweep axis. Every value is
 * parsed like a single override (so a syntax error names it); an empty value or a key given twice is refused.
 */
export function parseMultirun(overrides: readonly string[]): Multirun {
  const fixed: string[] = [];
  const axes: MultirunAxis[] = [];
  const seen = new Set<string>();
  for (const text of overrides) {
    const eq = text.indexOf('=');
    const raw = eq > 0 ? text.slice(eq + 1).trim() : '';
    if (eq <= 0 || !isMultirunValue(raw)) {
      const key = parseOverride(text).path.join('.');
      if (seen.has(key)) throw duplicateKey(key);
      seen.add(key);
      fixed.push(text);
      continue;
    }
    const key = text.slice(0, eq).trim();
    const values = splitMultirunValue(raw);
    if (values.some((value) => value === '')) {
      throw new CardwatchError(
        'CONFIG_OVERRIDE_SYNTAX',
        `override "${text}": an empty value between commas (write training.lr=0.001,0.003)`,
      );
    }
    for (const value of values) parseOverride(`${key}=${value}`);
    if (seen.has(key)) throw duplicateKey(key);
    seen.add(key);
    axes.push({ key, values });
  }
  return { fixed, axes };
}

function duplicateKey(key: string): CardwatchError {
  return new CardwatchError(
    'CONFIG_OVERRIDE_SYNTAX',
    `override key ${key} is given twice; list its values once, separated by commas`,
  );
}

/**
 * The grid of a multirun: one override list per trial (the cartesian product of the axes, the first axis
 * varying slowest, as Hydra orders it), fixed overrides first.
 * @example expandMultirun(parseMultirun(['a.b=1,2', 'c.d=x'])) // → [['c.d=x', 'a.b=1'], ['c.d=x', 'a.b=2']]
 */
export function expandMultirun(multirun: Multirun): string[][] {
  let trials: string[][] = [[]];
  for (const axis of multirun.axes) {
    trials = trials.flatMap((trial) => axis.values.map((value) => [...trial, `${axis.key}=${value}`]));
  }
  return trials.map((trial) => [...multirun.fixed, ...trial]);
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
      `override "${text}": a comma separates multirun values; sweeps are not available in this command ` +
        '(a grid of runs: `cardwatch train --multirun …`; a list value goes in brackets: [V1,V2])',
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

/**
 * Fills in the default member's tag of every tagged union an override reaches into when the config names
 * no member there: `model.hidden_dim=64` with no `model:` section means the default model, exactly as if
 * the section were absent (without the tag, the union could not tell which member the key belongs to).
 */
function withDefaultTags(raw: Plain, overrides: readonly Override[]): Plain {
  const defaults = configSchema.parse({}) as unknown as Plain;
  let out = raw;
  for (const override of overrides) {
    for (let depth = 1; depth < override.path.length; depth++) {
      const prefix = override.path.slice(0, depth);
      const fallback = valueAt(defaults, prefix);
      if (!isPlainObject(fallback)) break;
      const node = valueAt(out, prefix);
      for (const tag of UNION_TAGS) {
        if (tag in fallback && !(isPlainObject(node) && tag in node) && override.path[depth] !== tag) {
          const patch: Plain = {};
          setPath(patch, [...prefix, tag], fallback[tag]);
          out = deepMerge(out, patch);
        }
      }
    }
  }
  return out;
}

/** Resolves the configuration a command runs with. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const file = options.file ?? (existsSync('configs/default.yaml') ? 'configs/default.yaml' : undefined);
  let raw: Plain = file ? readConfigFile(file) : {};
  const overrides = (options.overrides ?? []).map(parseOverride);
  raw = withDefaultTags(
    raw,
    overrides.filter((override) => !isTagOverride(override)),
  );
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
