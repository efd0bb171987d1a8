/**
 * Differences between two configurations as dotted key paths, for `runs list` (a run against the default)
 * and `runs compare` (one run against another). Lists are compared whole: `model.features` is one value.
 */

export interface ConfigDifference {
  key: string;
  /** `undefined` when the key is absent on that side (a different model type has different keys). */
  a: unknown;
  b: unknown;
}

/** Sections that shape a run's result; `paths` and `serve` do not, so they never show up as differences. */
export const RESULT_SECTIONS = ['seed', 'data', 'model', 'training', 'evaluation'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{a: {b: 1}, c: [1, 2]}` → `[['a.b', 1], ['c', [1, 2]]]`, in the object's key order. */
export function flattenConfig(value: unknown, prefix = ''): [string, unknown][] {
  if (!isPlainObject(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) =>
    flattenConfig(inner, prefix === '' ? key : `${prefix}.${key}`),
  );
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Keys whose values differ between `a` and `b` (both plain config objects), limited to `sections`, in the
 * order they appear in `a` and then in `b`.
 * @example configDiff({ training: { lr: 0.001 } }, { training: { lr: 0.003 } })
 * // → [{ key: 'training.lr', a: 0.001, b: 0.003 }]
 */
export function configDiff(
  a: unknown,
  b: unknown,
  sections: readonly string[] = RESULT_SECTIONS,
): ConfigDifference[] {
  const inSections = ([key]: [string, unknown]): boolean =>
    sections.some((section) => key === section || key.startsWith(`${section}.`));
  const left = new Map(flattenConfig(a).filter(inSections));
  const right = new Map(flattenConfig(b).filter(inSections));
  const keys = [...new Set([...left.keys(), ...right.keys()])];
  return keys
    .filter((key) => !same(left.get(key), right.get(key)))
    .map((key) => ({ key, a: left.get(key), b: right.get(key) }));
}

/**
 * A config value as one short token: numbers and strings as typed, lists in flow style, shortened in the
 * middle beyond `max` characters, absent as `—`.
 * @example formatConfigValue(['V1', 'V2', 'V3']) // → '[V1,V2,V3]'
 */
export function formatConfigValue(value: unknown, max = 32): string {
  let text: string;
  if (value === undefined) text = '—';
  else if (Array.isArray(value)) text = `[${value.map((v) => formatConfigValue(v, Infinity)).join(',')}]`;
  else if (isPlainObject(value)) text = JSON.stringify(value);
  else text = String(value);
  if (text.length <= max) return text;
  const keep = Math.max(1, Math.floor((max - 1) / 2));
  return `${text.slice(0, keep)}…${text.slice(text.length - keep)}`;
}

/** `training.lr=0.003 model.hidden_dim=64`: the side-b values of `differences`, as overrides. */
export function formatDifferences(differences: readonly ConfigDifference[], max = 32): string {
  return differences.map((d) => `${d.key}=${formatConfigValue(d.b, max)}`).join(' ');
}
