/**
 * The app's `application/json` body parser: Fastify's own (secure-json-parse, refusing `__proto__` and
 * `constructor` keys), minus its two regex scans of every body when they cannot match.
 *
 * Why: after `JSON.parse`, secure-json-parse scans the whole text twice with regexes for a quoted `__proto__` /
 * `constructor` key in any mix of literal and `\uXXXX`-escaped letters (~1 % of the request thread under
 * load). A text containing neither word literally and no `\u` escape cannot hold such a key, so plain
 * `JSON.parse` gives the same object. Every other body, and every body `JSON.parse` refuses (empty, malformed,
 * a BOM), goes to Fastify's parser, so errors and the poisoning checks are exactly Fastify's.
 */
import type { FastifyInstance } from 'fastify';

/** True when `text` might hold a `__proto__` or `constructor` key (literally or with escaped letters). */
export function mayHoldPrototypeKeys(text: string): boolean {
  return text.includes('\\u') || text.includes('__proto__') || text.includes('constructor');
}

/** Replaces the app's JSON parser (call before routes are registered; child scopes inherit it). */
export function installJsonBodyParser(app: FastifyInstance): void {
  const secureParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    function parseJson(request, body, done) {
      const text = body as string;
      if (!mayHoldPrototypeKeys(text)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Fastify's parser words the error (empty body, invalid JSON) and strips a BOM.
          secureParser(request, text, done);
          return;
        }
        done(null, parsed);
        return;
      }
      secureParser(request, text, done);
    },
  );
}
