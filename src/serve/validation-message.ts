/**
 * Turns schema-validation issues into one readable sentence such as
 * `features[3] must be a finite number, got Infinity`. Schemas supply predicates ("must be …"); this module
 * supplies the subject (the JSON path) so every message names the offending field the same way.
 */

/** The part of a Fastify validation issue this module reads. */
export interface ValidationIssue {
  /** JSON-pointer-like path, e.g. `/features/3`; `/` or empty for the whole body. */
  readonly instancePath: string;
  readonly message?: string;
}

/** How many issues one message lists; a body with 10 000 bad values should not produce a 10 000-line reply. */
export const MAX_LISTED_ISSUES = 3;

/**
 * `/features/3` → `features[3]`, `/a/b` → `a.b`, `/` → the context (`body`, `querystring` …).
 * @example formatIssuePath('/features/3', 'body') // 'features[3]'
 */
export function formatIssuePath(instancePath: string, context: string): string {
  const segments = instancePath.split('/').filter((segment) => segment.length > 0);
  if (segments.length === 0) return context;
  let label = '';
  for (const segment of segments) {
    if (/^\d+$/.test(segment)) label += `[${segment}]`;
    else label += label.length === 0 ? segment : `.${segment}`;
  }
  return label;
}

/**
 * Joins issues into one message: `<path> <predicate>` for the first few, then how many more there were.
 * @example describeValidationIssues([{ instancePath: '/features/1', message: 'must be a finite number, got null' }], 'body')
 * // 'features[1] must be a finite number, got null'
 */
export function describeValidationIssues(issues: readonly ValidationIssue[], context: string): string {
  if (issues.length === 0) return `${context} is invalid`;
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((issue) => `${formatIssuePath(issue.instancePath, context)} ${issue.message ?? 'is invalid'}`);
  const rest = issues.length - listed.length;
  const more = rest > 0 ? ` (and ${rest} more problem${rest === 1 ? '' : 's'})` : '';
  return `${listed.join('; ')}${more}`;
}

/**
 * A short description of a received JSON value for "got …" clauses; strings are quoted and cut so a huge
 * value cannot flood the reply.
 * @example describeValue('1.5') // 'a string ("1.5")'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 20 ? `${value.slice(0, 20)}…` : value;
      return `a string (${JSON.stringify(shown)})`;
    }
    case 'number':
      return String(value);
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
