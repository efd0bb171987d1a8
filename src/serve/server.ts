/** Listening: wraps `buildApp` with a socket, a printable URL and graceful shutdown. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { CardwatchError, describeError } from '../util/errors.js';
import { buildApp, type AppOptions } from './app.js';

export interface StartServerOptions extends AppOptions {
  readonly host: string;
  /** 0 picks a free port (see the returned `url`). */
  readonly port: number;
  /** Close gracefully (see `RunningServer.close`) on the first SIGINT or SIGTERM. Default false. */
  readonly handleSignals?: boolean;
  /**
   * How long in-flight requests may run once shutdown began before their connections are cut (default
   * 10,000 ms). The log and the model are closed after that either way.
   */
  readonly shutdownTimeoutMs?: number;
  /** Called once a signal-initiated shutdown has finished, with what closing failed with (or null). */
  readonly onShutdown?: (error: unknown) => void;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  /** Base URL clients can call, e.g. `http://127.0.0.1:8000` (wildcard binds are shown as loopback). */
  readonly url: string;
  /**
   * The graceful shutdown, also run by SIGTERM/SIGINT: stops accepting connections, refuses new requests on open
   * ones (503 SHUTTING_DOWN), answers every in-flight request, then flushes and closes the prediction log and
   * releases the model. Removes the signal handlers. Idempotent. Rejects if the log could not be flushed.
   */
  close(): Promise<void>;
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** A URL a local client can use: a wildcard bind (0.0.0.0, ::) is not an address one can connect to. */
export function urlFor(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return `http://127.0.0.1:${address.port}`;
  if (address.address === '::') return `http://[::1]:${address.port}`;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Builds the app and listens on `host:port`.
 * @example
 * const server = await startServer({ models: staticModelProvider(scorer), host: '127.0.0.1', port: 0 });
 * await fetch(`${server.url}/`); // { service: 'cardwatch', status: 'ok', … }
 * await server.close();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const {
    host,
    port,
    handleSignals = false,
    shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS,
    onShutdown,
    ...appOptions
  } = options;
  const app = await buildApp(appOptions);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    // EADDRINUSE / EACCES are the user's to fix (another process, a privileged port): say which address.
    throw new CardwatchError('INVALID_INPUT', `cannot listen on ${host}:${port}: ${describeError(error)}`, {
      cause: error,
    });
  }
  const address = app.server.address();
  if (address === null || typeof address === 'string') {
    await app.close();
    throw new Error(`expected a TCP address after listen, got ${String(address)}`);
  }

  let closing: Promise<void> | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    app.log.warn({ signal }, 'shutting down: answering in-flight requests, then flushing the prediction log');
    close().then(
      () => onShutdown?.(null),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down');
        onShutdown?.(error);
      },
    );
  };
  function close(): Promise<void> {
    closing ??= (async () => {
      // A second signal now gets Node's default (immediate exit): the way out of a stuck shutdown.
      for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
      // Past the grace period, cut the connections still open; their handlers still run to the end (and log).
      const timer = setTimeout(() => app.server.closeAllConnections(), shutdownTimeoutMs);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
    })();
    return closing;
  }
  if (handleSignals) for (const signal of SHUTDOWN_SIGNALS) process.once(signal, onSignal);

  return { app, url: urlFor(address), close };
}
