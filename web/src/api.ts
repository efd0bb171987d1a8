/**
 * The one way pages talk to the server: `fetch` on this origin, JSON in and out, and every non-2xx answer
 * turned into an {@link ApiError} carrying the API's error body (code and message written for a person).
 */
import type { ErrorReply } from './types.js';

/** The API root: the app is served at `/ui/`, the API at `/`. */
const API_ROOT = new URL('../', window.location.href);

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

function isErrorReply(value: unknown): value is ErrorReply {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  /** A JSON body (serialized here) or raw text (sent as is, with `contentType`). */
  readonly json?: unknown;
  readonly text?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

/** Calls the API; resolves with the parsed JSON body, or rejects with an ApiError (network failures too). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.text !== undefined) {
    headers['content-type'] = options.contentType ?? 'text/plain';
    body = options.text;
  }
  let response: Response;
  try {
    response = await fetch(new URL(path.replace(/^\//, ''), API_ROOT), {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'cannot reach the cardwatch server; is it running?');
  }
  const parsed: unknown = await response.json().catch(() => null);
  if (response.ok) return parsed as T;
  if (isErrorReply(parsed)) throw new ApiError(response.status, parsed.code, parsed.message);
  throw new ApiError(
    response.status,
    'HTTP',
    `the server answered ${response.status} ${response.statusText}`,
  );
}

/** The message to show for anything a call may throw. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** True when an endpoint or its data is simply not there (yet), e.g. no drift report: show a panel, not an error. */
export function isMissing(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/**
 * True when a monitoring report cannot exist yet rather than having failed: the route is absent (404), the
 * window has no predictions (400 DATA_INVALID), or there is no model, reference sample or log (503).
 */
export function isNotYetAvailable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return (
    error.status === 404 || error.status === 503 || (error.status === 400 && error.code === 'DATA_INVALID')
  );
}
