/**
 * Options of `cardwatch simulate`, validated once: where to send (loopback only: this is a demo and test tool,
 * never a load generator aimed at someone else's service), how fast, how long, and the feedback to send back.
 */
import { z } from 'zod';
import type { DriftSpec } from '../../data/drift-spec.js';
import { CardwatchError } from '../../util/errors.js';

/** Upper bounds that keep a simulation a demo: 1,000 requests/s, one hour, 1,000,000 requests. */
export const MAX_RATE = 1000;
export const MAX_DURATION_MS = 3_600_000;
export const MAX_REQUESTS = 1_000_000;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration: `500ms`, `2s`, `1.5m`, `1h`, or a bare number of seconds.
 * @example parseDuration('1.5m', '--duration') // 90000
 */
export function parseDuration(text: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `${name} must be a duration like 500ms, 30s, 5m or 1h (a bare number is seconds), got "${text}"`,
    );
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!);
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether a URL's host is this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** The service URL, refused unless it is http(s) on a loopback host. */
export function parseTargetUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CardwatchError(
      'INVALID_INPUT',
      `--url must be a URL like http://127.0.0.1:8000, got "${text}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CardwatchError('INVALID_INPUT', `--url must be http or https, got ${url.protocol}`);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new CardwatchError(
      'INVALID_INPUT',
      `simulate only sends traffic to this machine (localhost, 127.0.0.1, ::1); refusing host ${url.hostname}`,
    );
  }
  return url;
}

export const simulateOptionsSchema = z
  .strictObject({
    url: z.string().default('http://127.0.0.1:8000'),
    /** Requests per second. */
    rate: z
      .number({ error: 'rate must be a number of requests per second' })
      .positive({ error: 'rate must be > 0' })
      .max(MAX_RATE, { error: `rate must be at most ${MAX_RATE} requests per second` }),
    durationMs: z
      .number()
      .int()
      .positive({ error: 'duration must be > 0' })
      .max(MAX_DURATION_MS, { error: 'duration must be at most 1h' }),
    /** Share of answered predictions that get their true label back through POST /feedback. */
    feedbackShare: z
      .number()
      .min(0, { error: 'feedback share must be in [0, 1]' })
      .max(1, { error: 'feedback share must be in [0, 1]' })
      .default(0.3),
    feedbackDelayMs: z
      .number()
      .int()
      .min(0)
      .max(600_000, { error: 'feedback delay must be at most 10m' })
      .default(2000),
    seed: z.number().int().min(0).default(1),
    drift: z.custom<DriftSpec>().optional(),
    /** Most requests in flight at once; beyond it the sender waits (a slow service slows the simulation). */
    concurrency: z.number().int().min(1).max(256).default(32),
  })
  .refine((options) => Math.ceil((options.rate * options.durationMs) / 1000) <= MAX_REQUESTS, {
    error: `rate × duration must be at most ${MAX_REQUESTS} requests`,
  });

export type SimulateOptionsInput = z.input<typeof simulateOptionsSchema>;
export type SimulateOptions = z.output<typeof simulateOptionsSchema> & { readonly target: URL };

export function parseSimulateOptions(input: SimulateOptionsInput): SimulateOptions {
  const parsed = simulateOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new CardwatchError('INVALID_INPUT', parsed.error.issues.map((issue) => issue.message).join('; '));
  }
  return { ...parsed.data, target: parseTargetUrl(parsed.data.url) };
}
