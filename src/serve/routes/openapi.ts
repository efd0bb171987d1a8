/**
 * The API's own documentation: `GET /openapi.json` (the OpenAPI document @fastify/swagger builds from the route
 * schemas) and `GET /docs` (a self-contained page rendering it). The web app at `/ui/` is `routes/ui.ts`.
 */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DOCS_CSP, DOCS_HTML } from '../docs-page.js';

/** Registers the documentation routes; needs @fastify/swagger registered on a parent instance. */
export const openapiRoutes: FastifyPluginAsyncZod = async function openapiRoutes(app) {
  app.get(
    '/openapi.json',
    {
      // Hidden from the document it serves; it still appears in GET / endpoints.
      schema: {
        summary: 'OpenAPI 3.1 document of this API',
        hide: true,
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async function openapiDocument() {
      return app.swagger() as unknown as Record<string, unknown>;
    },
  );

  app.get(
    '/docs',
    { schema: { summary: 'Browsable API documentation (renders /openapi.json)', hide: true } },
    async function docsPage(_request, reply) {
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', DOCS_CSP)
        .send(DOCS_HTML);
    },
  );
};
