/**
 * The one error body of the API and the mapping from anything thrown to it. Pure (no Fastify instance), so the
 * mapping is unit-testable; `error-handler.ts` wires it into Fastify.
 */
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERROR_CODES, isCardwatchError, type ErrorCode } from '../util/errors.js';
import { describeValidationIssues } from './validation-message.js';

const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** Every non-2xx answer of the API has exactly this shape (the Fastify habit). */
export const errorReplySchema = z
  .object({
    statusCode: z
      .int()
      .min(400)
      .max(599)
      .describe('HTTP status, repeated in the body for clients that lose it'),
    code: errorCodeSchema.describe('Stable machine-readable code from the cardwatch error catalogue'),
    error: z.string().describe('HTTP status text, e.g. "Bad Request"'),
    message: z.string().describe('What was wrong, written for a person'),
  })
  .describe('The one error shape of the API');
export type ErrorReply = z.infer<typeof errorReplySchema>;

/** What the error handler should send and how loudly to log it. */
export interface ErrorOutcome {
  readonly reply: ErrorReply;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * `error` = a bug (logged with the stack); `info` = the client's mistake, or a 503 state the service is in (no
   * model, log full, shutting down). Those states are logged once where they begin and counted per request in
   * /metrics; a warn line per refused request would flood the log exactly when the service is under strain.
   */
  readonly logLevel: 'info' | 'error';
}

export interface ErrorContext {
  readonly requestId: string;
  /** Body limit of the route that failed (routes differ: the batch route takes far larger bodies). */
  readonly bodyLimitBytes: number;
  /** Content types the route accepts, for the 415 message, e.g. `application/json or text/csv`. */
  readonly accepts?: string;
  /** The content type the client sent, if any (echoed, cut, in the 415 message). */
  readonly contentType?: string;
}

/** Longest message sent: messages may quote client input (a CSV header, a field name), and must stay readable. */
export const MAX_MESSAGE_LENGTH = 1000;

/** Builds an `{statusCode, code, error, message}` body. */
export function errorReply(statusCode: number, code: ErrorCode, message: string): ErrorReply {
  const text = message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message: text };
}

/** Cuts a client-supplied string for echoing in a message. */
function shown(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Fastify's own request errors, mapped onto the catalogue. They carry no user data, so their status is kept and
 * only the message is rewritten to say what to do.
 */
function fastifyRequestError(
  code: string,
  context: ErrorContext,
): { status: number; code: ErrorCode; message: string } | null {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `request body is larger than the limit of ${context.bodyLimitBytes} bytes`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const sent =
        context.contentType === undefined
          ? 'no content type'
          : `content type "${shown(context.contentType)}"`;
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `unsupported ${sent}: send the body as ${context.accepts ?? 'application/json'}`,
      };
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'INVALID_INPUT', message: 'request body is empty: send a JSON object' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'INVALID_INPUT', message: 'request body is not valid JSON' };
    default:
      return null;
  }
}

function readProperty(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

/**
 * Maps any thrown value to the reply to send. Known errors keep their status and message; anything else
 * (and any CardwatchError with status 500, whose message may name server paths) becomes a generic 500 that
 * points at the server log through the request id — never a stack trace.
 */
export function toErrorOutcome(error: unknown, context: ErrorContext): ErrorOutcome {
  const noHeaders = {};
  if (isCardwatchError(error) && error.statusCode !== 500) {
    const headers = readReplyHeaders(error.details);
    return { reply: errorReply(error.statusCode, error.code, error.message), headers, logLevel: 'info' };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = readProperty(error, 'validationContext');
    const message = describeValidationIssues(error.validation, typeof where === 'string' ? where : 'body');
    return { reply: errorReply(400, 'INVALID_INPUT', message), headers: noHeaders, logLevel: 'info' };
  }
  const fastifyCode = readProperty(error, 'code');
  const known = typeof fastifyCode === 'string' ? fastifyRequestError(fastifyCode, context) : null;
  if (known !== null) {
    return {
      reply: errorReply(known.status, known.code, known.message),
      headers: noHeaders,
      logLevel: 'info',
    };
  }
  // Other client errors raised by Fastify itself (e.g. a malformed Content-Length) carry a safe 4xx status and
  // message of their own; keep them rather than turning a client mistake into a 500.
  const status = readProperty(error, 'statusCode');
  if (typeof status === 'number' && status >= 400 && status < 500 && error instanceof Error) {
    return {
      reply: errorReply(status, 'INVALID_INPUT', error.message),
      headers: noHeaders,
      logLevel: 'info',
    };
  }
  const code: ErrorCode = isCardwatchError(error) ? error.code : 'INTERNAL';
  const message = `internal error while handling the request; the server log has the details (request id ${context.requestId})`;
  return { reply: errorReply(500, code, message), headers: noHeaders, logLevel: 'error' };
}

/**
 * Response headers an error asks for, in `details.headers` (a 405's `Allow`, a 401's `WWW-Authenticate`); only
 * string values are taken.
 */
function readReplyHeaders(details: unknown): Record<string, string> {
  const headers = readProperty(details, 'headers');
  if (typeof headers !== 'object' || headers === null) return {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') out[name] = value;
  return out;
}
