/**
 * The list of endpoints the API serves, collected from Fastify's `onRoute` hook so a new route plugin shows up
 * in `GET /` and in 404/405 answers without anyone editing a list by hand.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

export interface Endpoint {
  readonly method: string;
  readonly path: string;
  readonly summary: string;
}

export interface RouteCatalogue {
  /** Endpoints in registration order (HEAD twins of GET routes and wildcard routes left out). */
  list(): readonly Endpoint[];
  /** Methods registered for an exact path, e.g. `['POST']` for `/predict`; empty for an unknown path. */
  methodsFor(path: string): readonly string[];
}

/**
 * Starts collecting routes; must be called before any route is registered (hooks only see later routes).
 */
export function collectRoutes(app: FastifyInstance): RouteCatalogue {
  const endpoints: Endpoint[] = [];
  app.addHook('onRoute', function recordRoute(route: RouteOptions) {
    // Wildcards (the CORS preflight `OPTIONS *`) are plumbing, not endpoints a client calls by name.
    if (route.url.includes('*')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const summary = typeof route.schema?.summary === 'string' ? route.schema.summary : '';
    for (const method of methods) {
      // Fastify adds a HEAD twin for every GET; listing it would only add noise.
      if (method === 'HEAD') continue;
      endpoints.push({ method, path: route.url, summary });
    }
  });
  return {
    list: () => endpoints,
    methodsFor: (path) => endpoints.filter((endpoint) => endpoint.path === path).map((e) => e.method),
  };
}
