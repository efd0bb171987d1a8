/**
 * A minimal HTTP/1.1 client over node:http with keep-alive, for tests against a real listening server: it
 * reports connection failures as values (not exceptions) so load loops can count them.
 */
import { Agent, request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

export type HttpOutcome = HttpAnswer | { readonly failed: string };

export function keepAliveAgent(maxSockets = 16): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/** Sends one request; resolves with the answer, or `{failed}` when the connection was refused or cut. */
export function send(
  agent: Agent,
  url: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpOutcome> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        agent,
        method: options.method ?? (payload === undefined ? 'GET' : 'POST'),
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (error) => resolve({ failed: error.message }));
      },
    );
    req.on('error', (error) => resolve({ failed: error.message }));
    req.end(payload);
  });
}

export function isAnswer(outcome: HttpOutcome): outcome is HttpAnswer {
  return 'status' in outcome;
}
