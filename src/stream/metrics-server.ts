/**
 * The metrics endpoint of `cardwatch stream` (`--metrics-port`): a bare node:http server, as the stream has no
 * API. `GET /metrics` is the Prometheus exposition of the process's registry, `GET /health` says the process
 * answers (liveness, as serve's), anything else is a 404.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CardwatchError, describeError } from '../util/errors.js';

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port (see `port` of the result). */
  readonly port: number;
  /** The exposition text and its content type (`StreamMetrics.expose`). */
  readonly expose: () => Promise<{ contentType: string; text: string }>;
}

export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  readonly url: string;
  /** Stops listening and cuts its connections (a scraper's keep-alive one); resolves once closed. Idempotent. */
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  reply(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const readable = req.method === 'GET' || req.method === 'HEAD';
    if (readable && path === '/metrics') {
      options.expose().then(
        ({ contentType, text }) => reply(res, 200, contentType, text),
        (error: unknown) => reply(res, 500, 'text/plain; charset=utf-8', `${describeError(error)}\n`),
      );
    } else if (readable && path === '/health') {
      json(res, 200, { status: 'ok', uptime_seconds: process.uptime() });
    } else {
      json(res, 404, { statusCode: 404, error: 'Not Found', message: 'only GET /metrics and GET /health' });
    }
  };
  const server = createServer(handle);
  // A scrape is a small request; a client that takes longer to send one is cut off.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // EADDRINUSE / EACCES are the user's to fix (another process, a privileged port): say which address.
    throw new CardwatchError(
      'INVALID_INPUT',
      `cannot listen for metrics on ${options.host}:${options.port}: ${describeError(error)}`,
      { cause: error },
    );
  }
  const address = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    throw new Error(`expected a TCP address after listen, got ${String(address)}`);
  }
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | null = null;
  return {
    host: options.host,
    port: address.port,
    url: `http://${host}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
