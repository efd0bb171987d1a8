/** `GET /openapi.json`: the OpenAPI document @fastify/swagger builds from the route schemas (no UI). */
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

/** Registers `GET /openapi.json`; needs @fastify/swagger registered on a parent instance. */
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
};
