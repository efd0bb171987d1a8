import { describe, it, expect } from 'vitest';
import { CardwatchError } from '../util/errors.js';
import { errorReply, errorReplySchema, toErrorOutcome } from './error-reply.js';

const context = { requestId: 'req-7', bodyLimitBytes: 2048 };

/** A Fastify-style error: an Error with `code` and `statusCode` properties. */
function fastifyError(code: string, statusCode: number, message = 'fastify says no'): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('toErrorOutcome', () => {
  it('keeps a CardwatchError status, code and message', () => {
    const outcome = toErrorOutcome(new CardwatchError('SHAPE_MISMATCH', 'expected 2, got 3'), context);
    expect(outcome.reply).toEqual({
      statusCode: 400,
      code: 'SHAPE_MISMATCH',
      error: 'Bad Request',
      message: 'expected 2, got 3',
    });
    expect(outcome.logLevel).toBe('info');
  });

  it('carries the headers an error asks for (a 405 Allow, a 401 challenge), strings only', () => {
    const error = new CardwatchError('METHOD_NOT_ALLOWED', 'no', {
      details: { headers: { allow: 'POST', bad: 7 } },
    });
    const outcome = toErrorOutcome(error, context);
    expect(outcome.reply.error).toBe('Method Not Allowed');
    expect(outcome.headers).toEqual({ allow: 'POST' });
    expect(
      toErrorOutcome(new CardwatchError('UNAUTHORIZED', 'no', { details: 'x' }), context).headers,
    ).toEqual({});
  });

  it('honours a status override', () => {
    const outcome = toErrorOutcome(
      new CardwatchError('MODEL_NOT_FOUND', 'none', { statusCode: 503 }),
      context,
    );
    expect(outcome.reply.statusCode).toBe(503);
  });

  it('names the content type sent and the types accepted in a 415', () => {
    const error = fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415);
    expect(toErrorOutcome(error, { ...context, contentType: 'text/xml', accepts: 'text/csv' }).reply).toEqual(
      errorReply(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'unsupported content type "text/xml": send the body as text/csv',
      ),
    );
    expect(toErrorOutcome(error, context).reply.message).toBe(
      'unsupported no content type: send the body as application/json',
    );
  });

  it('cuts a very long message so a reply never echoes a huge input', () => {
    const outcome = toErrorOutcome(new CardwatchError('CSV_HEADER', `found ${'x'.repeat(5000)}`), context);
    expect(outcome.reply.message.length).toBeLessThanOrEqual(1001);
  });

  it('logs a 503 at info level (a state, counted in /metrics) and keeps its message', () => {
    const outcome = toErrorOutcome(
      new CardwatchError('MODEL_NOT_FOUND', 'none', { statusCode: 503 }),
      context,
    );
    expect(outcome.reply).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: 'none' });
    expect(outcome.logLevel).toBe('info');
  });

  it('puts the body limit into the 413 message', () => {
    const outcome = toErrorOutcome(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), context);
    expect(outcome.reply).toMatchObject({
      statusCode: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'request body is larger than the limit of 2048 bytes',
    });
  });

  it('keeps other Fastify 4xx errors as client errors', () => {
    const error = fastifyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'Request body size did not match');
    expect(toErrorOutcome(error, context).reply).toEqual(
      errorReply(400, 'INVALID_INPUT', 'Request body size did not match'),
    );
  });

  it.each([
    ['an Error', new Error('boom at /secret/path')],
    ['a thrown string', 'boom'],
    ['null', null],
    ['a 5xx Fastify error', fastifyError('FST_ERR_SOMETHING', 502, 'upstream /secret')],
  ])('turns %s into a generic 500 logged at error level', (_label, thrown) => {
    const outcome = toErrorOutcome(thrown, context);
    expect(outcome.reply).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      error: 'Internal Server Error',
      message: 'internal error while handling the request; the server log has the details (request id req-7)',
    });
    expect(outcome.logLevel).toBe('error');
  });

  it('every outcome matches the reply schema', () => {
    for (const thrown of [
      new Error('x'),
      new CardwatchError('CSV_ROW', 'y'),
      fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415),
    ]) {
      expect(errorReplySchema.safeParse(toErrorOutcome(thrown, context).reply).success).toBe(true);
    }
  });
});
