/**
 * The one error catalogue of cardwatch (the Fastify `errors.js` / sklearn `exceptions.py` habit).
 *
 * Every error a user can meet has a stable `code`, an HTTP status for the API and a message written for
 * the user (it names the offending value and, where useful, what to do next). The CLI prints the message
 * only (the stack only with `--verbose`); the API answers `{statusCode, code, error, message}`.
 */

export const ERROR_CODES = {
  CONFIG_INVALID: { status: 400, doc: 'A configuration file or override failed schema validation.' },
  CONFIG_OVERRIDE_SYNTAX: { status: 400, doc: 'An override is not of the form key.path=value.' },
  CONFIG_FILE: { status: 400, doc: 'A configuration file is missing or is not valid YAML.' },
  CSV_HEADER: { status: 400, doc: 'A CSV header does not match the expected Kaggle schema.' },
  CSV_ROW: { status: 400, doc: 'A CSV row has a wrong column count or a value that is not a finite number.' },
  DATA_NOT_FOUND: { status: 404, doc: 'An input data file or prepared dataset does not exist.' },
  DATA_INVALID: {
    status: 400,
    doc: 'A dataset is unusable (empty, one class only, corrupt prepared arrays).',
  },
  NOT_FITTED: { status: 500, doc: 'A model or scaler was used before it was fitted.' },
  SHAPE_MISMATCH: { status: 400, doc: 'An input has the wrong number of features or rows.' },
  RUN_NOT_FOUND: { status: 404, doc: 'No training run with that id exists under runs/.' },
  MODEL_NOT_FOUND: { status: 404, doc: 'No model bundle with that id or alias exists.' },
  MODEL_CORRUPT: {
    status: 500,
    doc: 'A model bundle is damaged (missing file, bad manifest, hash mismatch).',
  },
  EXPORT_PARITY: { status: 500, doc: 'The exported ONNX model disagrees with the training engine.' },
  INVALID_INPUT: { status: 400, doc: 'A request or command argument is invalid.' },
  INTERNAL: { status: 500, doc: 'An unexpected internal error.' },
  ENGINE_NOT_AVAILABLE: {
    status: 404,
    doc: 'The model bundle has no variant for the requested scoring engine (e.g. int8 on a bundle exported before int8 existed).',
  },
  FILE_NOT_FOUND: {
    status: 404,
    doc: 'A file named by a command argument (e.g. the ONNX model or scaler of an import) does not exist or cannot be read.',
  },
  PREDICTION_NOT_FOUND: {
    status: 404,
    doc: 'No logged prediction has that id (e.g. feedback sent for an unknown prediction).',
  },
  LOG_BACKPRESSURE: {
    status: 503,
    doc: 'The prediction log queue is full (its database is slow or failing); the request was not scored.',
  },
  LOG_CLOSED: { status: 503, doc: 'The prediction log is closed because the service is shutting down.' },
  LOG_UNAVAILABLE: {
    status: 503,
    doc: 'The prediction log database cannot be opened, migrated, read or written right now.',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    doc: 'The API has no route at that path (the reply lists the routes it has).',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    doc: 'The path exists but not with that HTTP method (the Allow header names the methods it takes).',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    doc: 'The request body is larger than the configured limit of the route.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    doc: 'The request body has a content type the route does not accept (e.g. text/plain instead of JSON).',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    doc: 'The client did not send the whole request within the configured request timeout.',
  },
  UNAUTHORIZED: {
    status: 401,
    doc: 'An admin route was called without the admin API key, or with a wrong one.',
  },
  NOT_READY: {
    status: 503,
    doc: 'The service runs but cannot score yet (no model loaded, prediction log unhealthy or full).',
  },
  SHUTTING_DOWN: {
    status: 503,
    doc: 'The service is shutting down: it answers the requests it had and refuses new ones.',
  },
  RELOAD_FAILED: {
    status: 409,
    doc: 'A model reload could not load the bundle the alias names; the previous model keeps serving.',
  },
  STREAM_UNAVAILABLE: {
    status: 503,
    doc: 'The NATS server of `cardwatch stream` cannot be reached, or JetStream refused to set up its streams.',
  },
} as const satisfies Record<string, { status: number; doc: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CardwatchError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Optional machine-readable details (e.g. the per-row errors of a CSV). */
  readonly details: unknown;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: unknown; statusCode?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CardwatchError';
    this.code = code;
    this.statusCode = options.statusCode ?? ERROR_CODES[code].status;
    this.details = options.details;
  }
}

export function isCardwatchError(error: unknown): error is CardwatchError {
  return error instanceof CardwatchError;
}

/** A readable one-line description of any thrown value, for logs and CLI output. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
