/**
 * The one error handler and the not-found handler, installed on the root instance so every route plugin
 * inherits them (Fastify encapsulation: children see their parent's handler).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CardwatchError } from '../util/errors.js';
import { toErrorOutcome } from './error-reply.js';
import { UNMATCHED_ROUTE, type ServeMetrics } from './metrics.js';
import type { RouteCatalogue } from './route-catalogue.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Content types the route's body may have, named in its 415 answer (default `application/json`). */
    accepts?: string;
  }
}

export interface ErrorHandlingOptions {
  readonly catalogue: RouteCatalogue;
  /** The app-wide body limit (a route may set its own). */
  readonly bodyLimitBytes: number;
  readonly metrics: ServeMetrics;
  /** Whether `request.log` is a per-request child already bound to the request id (request logging on). */
  readonly requestLoggerHasId: boolean;
}

/** The route pattern of a request for labels and logs; never the raw URL (unbounded, client-chosen). */
export function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** Installs the error handler (every error → `{statusCode, code, error, message}`) and JSON 404/405 answers. */
export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.setErrorHandler(function handleError(error, request, reply) {
    const context = options.requestLoggerHasId ? {} : { reqId: request.id };
    const contentType = request.headers['content-type'];
    const outcome = toErrorOutcome(error, {
      requestId: request.id,
      bodyLimitBytes: request.routeOptions.bodyLimit ?? options.bodyLimitBytes,
      accepts: request.routeOptions.config.accepts,
      contentType: typeof contentType === 'string' ? contentType : undefined,
    });
    if (outcome.logLevel === 'error') {
      // The full error (stack, cause) goes to the log only; the client gets the generic message.
      request.log.error({ ...context, err: error }, 'request failed with an unexpected error');
    } else {
      request.log[outcome.logLevel](
        { ...context, statusCode: outcome.reply.statusCode },
        outcome.reply.message,
      );
    }
    options.metrics.countError(routeLabel(request), outcome.reply.code);
    return reply.code(outcome.reply.statusCode).headers(outcome.headers).send(outcome.reply);
  });

  app.setNotFoundHandler(function handleNotFound(request) {
    const path = request.url.split('?', 1)[0] ?? request.url;
    // The path is echoed back; cut it so a 16 KB URL does not come back as a 16 KB message.
    const shown = path.length > 100 ? `${path.slice(0, 100)}…` : path;
    const allowed = options.catalogue.methodsFor(path);
    // A known path with another method is a 405 with an Allow header (RFC 9110), not a misleading 404.
    if (allowed.length > 0) {
      const allow = allowed.join(', ');
      throw new CardwatchError(
        'METHOD_NOT_ALLOWED',
        `method ${request.method} is not allowed on ${shown}; use ${allow}`,
        { details: { headers: { allow } } },
      );
    }
    const known = options.catalogue
      .list()
      .map((endpoint) => `${endpoint.method} ${endpoint.path}`)
      .join(', ');
    throw new CardwatchError('ROUTE_NOT_FOUND', `no route ${request.method} ${shown}; available: ${known}`);
  });
}
