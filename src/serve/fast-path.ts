/**
 * Route-level compilers for the hot route (`POST /predict`, ~15,000 requests/s). Profiling under load put zod at
 * ~10% of the server's CPU: parsing the body (~3 µs) and re-checking the answer before `JSON.stringify` (~3.5 µs,
 * as much as the stringify itself). Both keep zod as the one source of truth:
 *
 * - the body: a hand-written check that accepts only what the zod schema accepts (a property test holds it to
 *   that); anything else goes through zod, which accepts it after all or words the error;
 * - the answer: built by the handler from checked numbers in the schema's shape, so it is stringified directly;
 *   other statuses (errors) still go through the zod serializer;
 * - an empty query string (nearly every request) is accepted without a zod parse.
 */
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';

/**
 * The route's part schemas are zod schemas (this app's type provider); the route option's type is the route's
 * whole schema object, so the compilers are generic over it and view each part as the zod type it is.
 */
type RouteSchemaDef<S> = Parameters<FastifySchemaCompiler<S>>[0];

function asZodRoute<S>(route: RouteSchemaDef<S>): RouteSchemaDef<z.ZodType> {
  return route as unknown as RouteSchemaDef<z.ZodType>;
}

function isEmptyObject(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  for (const key in data) if (Object.hasOwn(data, key)) return false;
  return true;
}

/** A validator compiler whose body validator lets values `accept` approves through without zod. */
export function fastBodyValidatorCompiler<S>(accept: (data: unknown) => boolean): FastifySchemaCompiler<S> {
  return function compileValidator(route) {
    const zodValidator = validatorCompiler(asZodRoute(route));
    if (route.httpPart === 'querystring') {
      // Almost every request has no query string; an empty one is valid for every optional-only query schema
      // this compiler is used with (a property test holds it to that), anything else goes through zod.
      return function validateQuery(data: unknown) {
        return isEmptyObject(data) ? { value: data } : zodValidator(data);
      };
    }
    if (route.httpPart !== 'body') return zodValidator;
    return function validateBody(data: unknown) {
      return accept(data) ? { value: data } : zodValidator(data);
    };
  };
}

/**
 * A serializer compiler that writes the `status` answer with `stringify` (by default `JSON.stringify`; a route
 * with a fixed answer shape passes its own writer, e.g. predict-json.ts) and hands every other status to zod.
 * `T` is what the route's handler returns for that status: the handler is trusted to return exactly that.
 */
export function trustedSerializerCompiler<S, T = unknown>(
  status: number,
  stringify: (data: T) => string = JSON.stringify,
): FastifySerializerCompiler<S> {
  return function compileSerializer(route) {
    if (String(route.httpStatus) === String(status)) {
      return function stringifyTrusted(data: unknown) {
        return stringify(data as T);
      };
    }
    return serializerCompiler(asZodRoute(route));
  };
}

/**
 * A serializer compiler for answers the handler reuses as frozen objects (e.g. `GET /` per served model): the
 * `status` answer goes through zod once per object and its JSON is kept until the object is dropped.
 */
export function memoizedSerializerCompiler<S>(status: number): FastifySerializerCompiler<S> {
  return function compileSerializer(route) {
    const zodSerializer = serializerCompiler(asZodRoute(route));
    if (String(route.httpStatus) !== String(status)) return zodSerializer;
    const known = new WeakMap<object, string>();
    return function stringifyOnce(data: unknown) {
      if (typeof data !== 'object' || data === null || !Object.isFrozen(data)) return zodSerializer(data);
      let json = known.get(data);
      if (json === undefined) {
        json = zodSerializer(data);
        known.set(data, json);
      }
      return json;
    };
  };
}
