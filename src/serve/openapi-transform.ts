/**
 * The route-schema → OpenAPI transform: fastify-type-provider-zod's, plus request bodies given per content type
 * (`body: { content: { 'application/json': { schema }, 'text/csv': { schema } } }`, which Fastify validates by
 * the request's content type but the zod transform does not understand). Each content type's zod schema is
 * converted on its own and put back in place.
 */
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type TransformOutput = ReturnType<typeof jsonSchemaTransform>;

interface ContentMap {
  readonly content: Record<string, { readonly schema: unknown }>;
}

function isContentMap(body: unknown): body is ContentMap {
  if (typeof body !== 'object' || body === null || !('content' in body)) return false;
  const content = (body as { content: unknown }).content;
  return typeof content === 'object' && content !== null;
}

/** `jsonSchemaTransform`, with per-content-type request bodies supported. */
export function openapiTransform(input: TransformInput): TransformOutput {
  const schema = input.schema as Record<string, unknown> | undefined;
  const body = schema?.body;
  if (schema === undefined || !isContentMap(body)) return jsonSchemaTransform(input);
  const { body: _body, ...rest } = schema;
  const transformed = jsonSchemaTransform({ ...input, schema: rest } as TransformInput);
  const content: Record<string, { schema: unknown }> = {};
  for (const [type, media] of Object.entries(body.content)) {
    const one = jsonSchemaTransform({ ...input, schema: { body: media.schema } } as TransformInput);
    content[type] = { schema: (one.schema as { body?: unknown }).body };
  }
  return { ...transformed, schema: { ...transformed.schema, body: { content } } } as TransformOutput;
}
