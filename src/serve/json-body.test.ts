import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installJsonBodyParser, mayHoldPrototypeKeys } from './json-body.js';

async function echoApp(install: boolean) {
  const app = Fastify();
  if (install) installJsonBodyParser(app);
  app.post('/', async (request) => ({ body: request.body ?? null }));
  await app.ready();
  return app;
}

const BODIES = [
  '{"features":[1,2,3]}',
  '{"a":{"b":[true,null,"x"]}}',
  '',
  '   ',
  '{"features":[1,2,',
  'null',
  '42',
  '"text"',
  '\uFEFF{"bom":1}',
  '{"__proto__":{"x":1}}',
  '{"a":{"constructor":{"prototype":{"x":1}}}}',
  '{"\\u005f_proto__":{"x":1}}',
  '{"constructo\\u0072":{"prototype":{"x":1}}}',
  '{"note":"__proto__ and constructor as values are fine"}',
  '{"esc":"caf\\u00e9"}',
];

describe('installJsonBodyParser', () => {
  it('answers every body exactly as Fastify’s own JSON parser does', async () => {
    const ours = await echoApp(true);
    const theirs = await echoApp(false);
    for (const payload of BODIES) {
      for (const contentType of ['application/json', 'application/json; charset=utf-8']) {
        const request = {
          method: 'POST' as const,
          url: '/',
          payload,
          headers: { 'content-type': contentType },
        };
        const [a, b] = await Promise.all([ours.inject(request), theirs.inject(request)]);
        expect({ payload, status: a.statusCode, body: a.body }).toEqual({
          payload,
          status: b.statusCode,
          body: b.body,
        });
      }
    }
    await Promise.all([ours.close(), theirs.close()]);
  });

  it('sends to the secure parser every text that could hide a prototype key', () => {
    expect(mayHoldPrototypeKeys('{"features":[1,2,3]}')).toBe(false);
    expect(mayHoldPrototypeKeys('{"__proto__":1}')).toBe(true);
    expect(mayHoldPrototypeKeys('{"constructor":1}')).toBe(true);
    expect(mayHoldPrototypeKeys('{"\\u005f\\u005fproto\\u005f\\u005f":1}')).toBe(true);
  });
});
