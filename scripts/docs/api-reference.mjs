/** The API reference (api.md) from the OpenAPI document the app builds. */
import { anchor, code, HEADER, prose, table } from './markdown.mjs';
import { fieldRows, typeOf } from './json-schema.mjs';

export function apiReference(spec) {
  const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );
  const lines = [
    HEADER('the OpenAPI document of the app (GET /openapi.json; route schemas in src/serve/routes/)'),
    '# API reference',
    '',
    prose(`${spec.info.title}, version ${spec.info.version}. ${spec.info.description ?? ''}`),
    '',
    'A running server serves the same document at `GET /openapi.json` and renders it at `GET /docs`;',
    '[openapi.json](openapi.json) is a copy for tools. Errors answer `{statusCode, code, error, message}`.',
    'Admin routes need the admin key (`CARDWATCH_ADMIN_KEY`) as `Authorization: Bearer <key>` or `x-api-key`.',
    '',
    '## Endpoints',
    '',
    table(
      ['method', 'path', 'summary'],
      operations.map(({ path, method, operation }) => [
        method,
        `[${code(path)}](#${anchor(`${method} ${path}`)})`,
        operation.summary ?? '',
      ]),
    ),
    '',
  ];
  for (const { path, method, operation } of operations) {
    lines.push(`### ${method} ${path}`, '');
    if (operation.summary)
      lines.push(
        prose(`**${operation.summary}.**${operation.description ? ` ${operation.description}` : ''}`),
        '',
      );
    else if (operation.description) lines.push(prose(operation.description), '');
    if (operation.security) lines.push('Needs the admin key.', '');
    const parameters = operation.parameters ?? [];
    if (parameters.length > 0) {
      lines.push(
        table(
          ['parameter', 'in', 'type', 'required', 'description'],
          parameters.map((p) => [
            code(p.name),
            p.in,
            code(typeOf(p.schema)),
            p.required ? 'yes' : '',
            p.description ?? '',
          ]),
        ),
        '',
      );
    }
    const body = operation.requestBody?.content ?? {};
    for (const [type, { schema }] of Object.entries(body)) {
      lines.push(`Request body (\`${type}\`${operation.requestBody.required ? ', required' : ''}):`, '');
      const rows = fieldRows(schema);
      lines.push(
        rows.length > 0
          ? table(['field', 'type', 'required', 'description'], rows)
          : `${code(typeOf(schema))}${schema.description ? `: ${schema.description}` : ''}`,
        '',
      );
    }
    const responses = Object.entries(operation.responses ?? {});
    if (responses.length > 0) {
      lines.push(
        table(
          ['status', 'description', 'body'],
          responses.map(([status, response]) => {
            const content = Object.entries(response.content ?? {});
            return [
              status,
              response.description ?? '',
              content.map(([type, c]) => `${type}: ${code(typeOf(c.schema))}`).join('; '),
            ];
          }),
        ),
        '',
      );
      const ok = Object.entries(operation.responses).find(([status]) => status.startsWith('2'));
      const okSchema = ok?.[1].content?.['application/json']?.schema;
      const rows = fieldRows(okSchema);
      if (rows.length > 0)
        lines.push(
          `Response ${ok[0]} fields:`,
          '',
          table(['field', 'type', 'required', 'description'], rows),
          '',
        );
    }
  }
  return lines.join('\n');
}
