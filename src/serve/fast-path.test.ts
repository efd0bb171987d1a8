import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fastBodyValidatorCompiler, memoizedSerializerCompiler } from './fast-path.js';
import { engineQuerySchema } from './routes/predict-schemas.js';

type ValidatorRoute = Parameters<ReturnType<typeof fastBodyValidatorCompiler>>[0];
type SerializerRoute = Parameters<ReturnType<typeof memoizedSerializerCompiler>>[0];

function route<T>(fields: Record<string, unknown>): T {
  return { method: 'GET', url: '/', ...fields } as T;
}

describe('fastBodyValidatorCompiler on the query string', () => {
  const validate = fastBodyValidatorCompiler(() => false)(
    route<ValidatorRoute>({ schema: engineQuerySchema, httpPart: 'querystring' }),
  ) as (data: unknown) => { value?: unknown; error?: unknown };

  it('accepts an empty query without zod, as zod would', () => {
    expect(engineQuerySchema.safeParse({}).success).toBe(true);
    expect(validate({})).toEqual({ value: {} });
  });

  it('hands any other query to zod: a good engine passes, a bad one is refused with its message', () => {
    expect(validate({ engine: 'int8' })).toEqual({ value: { engine: 'int8' } });
    const bad = validate({ engine: 'fp16' });
    expect(bad.error).toBeDefined();
    expect(String((bad.error as Error[])[0]?.message ?? bad.error)).toMatch(/float32, int8/);
    expect(validate({ other: '1' }).error).toBeDefined();
  });
});

describe('memoizedSerializerCompiler', () => {
  const schema = z.object({ a: z.number(), list: z.array(z.string()) });
  const compile = memoizedSerializerCompiler(200);
  const serialize = compile(route<SerializerRoute>({ schema, httpStatus: '200' }));

  it('stringifies a frozen answer once and returns the same JSON for it afterwards', () => {
    const answer = Object.freeze({ a: 1, list: ['x'] });
    const first = serialize(answer);
    expect(first).toBe('{"a":1,"list":["x"]}');
    expect(serialize(answer)).toBe(first);
  });

  it('still checks answers against the schema (a frozen wrong answer is a serialization error)', () => {
    expect(() => serialize(Object.freeze({ a: 'one', list: [] }))).toThrow();
  });

  it('serializes unfrozen answers every time (a mutable object may change between requests)', () => {
    const answer = { a: 1, list: ['x'] };
    expect(serialize(answer)).toBe('{"a":1,"list":["x"]}');
    answer.a = 2;
    expect(serialize(answer)).toBe('{"a":2,"list":["x"]}');
  });
});
