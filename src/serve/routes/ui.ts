/**
 * The web app at `/ui/`: the static files Vite built (`npm run build` → `dist/web`), served by this same
 * server so the browser talks to the API on its own origin (no CORS). `GET /ui/` is a named route (it shows up
 * in `GET /` and 404 answers); the assets under it are served by @fastify/static. Without a build, `/ui/` is a
 * small page pointing at the API docs instead of a bare 404.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { UI_PLACEHOLDER_HTML } from '../docs-page.js';

export interface UiRoutesOptions {
  /** The Vite output folder (with index.html); null or a folder without index.html = the placeholder page. */
  readonly webDir: string | null;
}

/**
 * Only this origin's scripts, styles and API; no inline script, no framing. uPlot sizes its canvases through the
 * CSSOM (`element.style`), which `style-src 'self'` allows.
 */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

/** True when `webDir` holds a built web app. */
export function hasWebApp(webDir: string | null): webDir is string {
  return webDir !== null && existsSync(join(webDir, 'index.html'));
}

/** Registers `GET /ui/` and, when the app is built, its assets at `/ui/*`. */
export const uiRoutes: FastifyPluginAsyncZod<UiRoutesOptions> = async function uiRoutes(app, options) {
  const webDir = options.webDir;
  if (!hasWebApp(webDir)) {
    app.get(
      '/ui/',
      { schema: { summary: 'The web app (a placeholder until `npm run build` builds it)', hide: true } },
      async function webAppPlaceholder(_request, reply) {
        return reply.type('text/html; charset=utf-8').send(UI_PLACEHOLDER_HTML);
      },
    );
    return;
  }
  // Read once: index.html is a few hundred bytes, and a rebuild means a restart anyway (new asset hashes).
  const indexHtml = readFileSync(join(webDir, 'index.html'), 'utf8');
  app.get(
    '/ui/',
    {
      schema: {
        summary: 'The web app: score transactions, monitoring, experiments and the model registry',
        hide: true,
      },
    },
    async function webApp(_request, reply) {
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', UI_CSP)
        .send(indexHtml);
    },
  );
  await app.register(fastifyStatic, {
    root: webDir,
    prefix: '/ui/',
    index: false,
    decorateReply: false,
    cacheControl: false,
    setHeaders(reply, path) {
      // Vite puts a content hash in every asset name under assets/, so they never change under one URL.
      const immutable = /[\\/]assets[\\/]/.test(path);
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      // The page itself is also reachable as /ui/index.html: same policy as at /ui/.
      if (path.endsWith('.html')) reply.header('content-security-policy', UI_CSP);
    },
  });
};
