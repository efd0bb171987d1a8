/** The configuration reference (configuration.md) from the zod schema, described by its comments. */
import { z } from 'zod';
import { code, HEADER, table } from './markdown.mjs';
import { compactValue, constraints, typeOf } from './json-schema.mjs';

/**
 * Comments of configs/default.yaml by key path: `key: value # comment`, and keys left commented out
 * (`# workers: 2 # comment`), whose default is computed at run time (e.g. from the core count).
 */
function yamlNotes(text) {
  const notes = new Map();
  const stack = [];
  for (const line of text.split('\n')) {
    const match = /^(\s*)(#\s*)?([A-Za-z_]\w*):(.*)$/.exec(line);
    if (!match) continue;
    const [, indentText, commented, key, rest] = match;
    const indent = indentText.length;
    while (stack.length > 0 && stack.at(-1).indent >= indent) stack.pop();
    const path = [...stack.map((s) => s.key), key].join('.');
    const comment = / #\s*(.*)$/.exec(rest)?.[1] ?? null;
    notes.set(path, { comment, computed: Boolean(commented) });
    if (!commented) stack.push({ indent, key });
  }
  return notes;
}

/**
 * The doc comments of the schema's keys (`/** … *\/` right above `key: z…`), by key name. A name documented
 * differently in two places (e.g. `features`) is left out rather than guessed.
 */
function schemaComments(source) {
  const comments = new Map();
  for (const [, body, key] of source.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*([a-z_]+):/g)) {
    const text = body
      .split('\n')
      .map((line) => line.replace(/^\s*\*\s?/, '').trim())
      .filter(Boolean)
      .join(' ');
    comments.set(key, comments.has(key) && comments.get(key) !== text ? null : text);
  }
  return comments;
}

function configRows(schema, prefix, notes) {
  return Object.entries(schema.properties ?? {})
    .filter(([, property]) => !(property.type === 'object' && property.properties) && !property.oneOf)
    .map(([name, property]) => {
      const path = `${prefix}${name}`;
      const note = notes.get(path);
      const value = note?.computed
        ? `computed`
        : property.default === undefined
          ? ''
          : code(compactValue(property.default));
      const description = note?.comment ?? notes.jsdoc.get(name) ?? '';
      return [code(name), code(typeOf(property)), value, constraints(property), description];
    });
}

function configSections(schema, path, notes, depth) {
  const heading = '#'.repeat(Math.min(depth, 4));
  const out = [];
  const rows = configRows(schema, path === '' ? '' : `${path}.`, notes);
  if (rows.length > 0) out.push(table(['key', 'type', 'default', 'allowed', 'description'], rows), '');
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const child = path === '' ? name : `${path}.${name}`;
    if (property.type === 'object' && property.properties) {
      out.push(
        `${heading} ${child}`,
        '',
        ...(notes.get(child)?.comment ? [notes.get(child).comment, ''] : []),
      );
      out.push(...configSections(property, child, notes, depth + 1));
    } else if (property.oneOf) {
      const tag = Object.keys(property.oneOf[0].properties).find((k) =>
        property.oneOf.every((m) => m.properties[k]?.const !== undefined),
      );
      out.push(
        `${heading} ${child}`,
        '',
        `One of ${property.oneOf.length} kinds, chosen by \`${child}.${tag}\` (default \`${property.default?.[tag]}\`); each kind has its own keys.`,
        '',
      );
      for (const member of property.oneOf) {
        out.push(`${heading}# ${child}.${tag}: ${member.properties[tag].const}`, '');
        const { [tag]: _tag, ...rest } = member.properties;
        out.push(...configSections({ ...member, properties: rest }, child, notes, depth + 2));
      }
    }
  }
  return out;
}

/**
 * @param configSchema the zod schema (src/config/schema.ts, compiled)
 * @param texts `defaultYaml`: configs/default.yaml; `schemaSource`: src/config/schema.ts (for its doc comments)
 */
export function configReference(configSchema, { defaultYaml, schemaSource }) {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  const notes = yamlNotes(defaultYaml);
  notes.jsdoc = schemaComments(schemaSource);
  return [
    HEADER(
      'the zod schema in src/config/schema.ts (descriptions: its doc comments and configs/default.yaml)',
    ),
    '# Configuration reference',
    '',
    'Every command reads `configs/default.yaml` (or `--config FILE`) and then `key.path=value` overrides, and',
    'validates the result against one schema: an unknown key or a wrong type is refused with its key path.',
    'Defaults below apply to keys a file leaves out. `computed` defaults depend on the machine (see the description).',
    'Secrets never go in the file: the admin key comes from the environment only (`CARDWATCH_ADMIN_KEY`).',
    '',
    '```sh',
    'cardwatch train training.lr=0.005 model.hidden_dim=64',
    'cardwatch train model.type=classifier',
    'cardwatch --config my.yaml serve serve.port=9000',
    '```',
    '',
    ...configSections(schema, '', notes, 2),
  ].join('\n');
}
