/** Reading JSON Schema (from zod and from the OpenAPI document) into short Markdown: types, limits, fields. */
import { code } from './markdown.mjs';

/** zod's int() bounds: not a limit anyone chose, so not worth a column. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export function typeOf(schema) {
  if (!schema || Object.keys(schema).length === 0) return 'any';
  if (schema.$ref) return schema.$ref.split('/').pop();
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum && schema.enum.length > 8) {
    const [first, second] = schema.enum;
    return `${JSON.stringify(first)} | ${JSON.stringify(second)} | … | ${JSON.stringify(schema.enum.at(-1))} (${schema.enum.length} values)`;
  }
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(typeOf).join(' or ');
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  if (schema.type === 'array') return `${typeOf(schema.items)}[]`;
  if (
    schema.type === 'object' &&
    schema.additionalProperties &&
    typeof schema.additionalProperties === 'object'
  )
    return `map of ${typeOf(schema.additionalProperties)}`;
  return schema.type ?? 'any';
}

export function constraints(schema) {
  const parts = [];
  const inner = schema.type === 'array' ? { ...schema.items } : {};
  for (const [s, prefix] of [
    [schema, ''],
    [inner, 'each '],
  ]) {
    if (s.minimum !== undefined && s.minimum !== -MAX_SAFE) parts.push(`${prefix}≥ ${s.minimum}`);
    if (s.exclusiveMinimum !== undefined) parts.push(`${prefix}> ${s.exclusiveMinimum}`);
    if (s.maximum !== undefined && s.maximum !== MAX_SAFE) parts.push(`${prefix}≤ ${s.maximum}`);
    if (s.exclusiveMaximum !== undefined) parts.push(`${prefix}< ${s.exclusiveMaximum}`);
    if (s.minLength !== undefined) parts.push(`${prefix}length ≥ ${s.minLength}`);
    if (s.maxLength !== undefined) parts.push(`${prefix}length ≤ ${s.maxLength}`);
  }
  if (schema.minItems !== undefined) parts.push(`${schema.minItems}+ items`);
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
  return parts.join(', ');
}

/** Long lists (feature columns) shortened so the table stays readable; the count keeps it exact enough. */
export function compactValue(value) {
  if (Array.isArray(value) && value.length > 8) {
    return `[${value.slice(0, 2).join(', ')}, …, ${value.at(-1)}] (${value.length})`;
  }
  return JSON.stringify(value);
}

/** Rows `field | type | required | description` for an object schema, nested objects flattened with dots. */
export function fieldRows(schema, prefix = '', depth = 0) {
  if (!schema || schema.type !== 'object' || !schema.properties) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).flatMap(([name, property]) => {
    const path = `${prefix}${name}`;
    const items = property.type === 'array' ? property.items : null;
    const row = [
      code(path),
      code(typeOf(property)),
      required.has(name) ? 'yes' : '',
      [property.description, constraints(property)].filter(Boolean).join('; '),
    ];
    if (depth >= 2) return [row];
    if (property.type === 'object' && property.properties)
      return [row, ...fieldRows(property, `${path}.`, depth + 1)];
    if (items?.type === 'object' && items.properties)
      return [row, ...fieldRows(items, `${path}[].`, depth + 1)];
    return [row];
  });
}
