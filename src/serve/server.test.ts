import { connect } from 'node:net';
import { describe, it, expect } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import { staticModelProvider } from './model-provider.js';
import { startServer, urlFor } from './server.js';
import { FakeScorer } from './__fixtures__/fake-scorer.js';

describe('startServer', () => {
  it('listens on a free port, answers over real HTTP and closes', async () => {
    const server = await startServer({
      models: staticModelProvider(new FakeScorer({ id: 'live-model', threshold: 0.5 })),
      host: '127.0.0.1',
      port: 0,
    });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.url).not.toMatch(/:0$/);
      const status = await fetch(`${server.url}/`);
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({
        service: 'cardwatch',
        status: 'ok',
        model_version: 'live-model',
      });

      const predicted = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: new Array(28).fill(1) }),
      });
      expect(predicted.status).toBe(200);
      expect(await predicted.json()).toMatchObject({ is_fraud: true, score: 1, model_version: 'live-model' });

      const bad = await fetch(`${server.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"features":[1e999]}',
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'INVALID_INPUT' });
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
    await server.close(); // idempotent
  });

  it('installs SIGINT/SIGTERM handlers only when asked, and a signal closes the server', async () => {
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    const plain = await startServer({ models: staticModelProvider(null), host: '127.0.0.1', port: 0 });
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM.length);
    await plain.close();

    const server = await startServer({
      models: staticModelProvider(null),
      host: '127.0.0.1',
      port: 0,
      handleSignals: true,
    });
    const added = process.listeners('SIGTERM').filter((listener) => !before.SIGTERM.includes(listener));
    expect(added).toHaveLength(1);
    expect(process.listenerCount('SIGINT')).toBe(before.SIGINT.length + 1);
    // Call our listener directly: emitting a real signal would also reach the test runner's own handlers.
    const closed = new Promise((resolve) => server.app.server.once('close', resolve));
    added[0]?.('SIGTERM');
    await closed; // the signal alone shuts the server down
    await server.close(); // joins the shutdown the signal started
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM.length);
    expect(process.listenerCount('SIGINT')).toBe(before.SIGINT.length);
  });

  it('reports a taken port as a CardwatchError naming the address', async () => {
    const first = await startServer({ models: staticModelProvider(null), host: '127.0.0.1', port: 0 });
    const port = Number(new URL(first.url).port);
    try {
      let thrown: unknown = null;
      try {
        await startServer({ models: staticModelProvider(null), host: '127.0.0.1', port });
      } catch (error) {
        thrown = error;
      }
      expect(isCardwatchError(thrown)).toBe(true);
      expect(thrown instanceof Error && thrown.message).toMatch(
        new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
      );
    } finally {
      await first.close();
    }
  });
});

/** Writes raw bytes to the server and collects what it answers until it closes the connection. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('abuse at the HTTP level', () => {
  it('answers a client too slow to send its request with a JSON 408 REQUEST_TIMEOUT', async () => {
    const server = await startServer({
      models: staticModelProvider(null),
      host: '127.0.0.1',
      port: 0,
      requestTimeoutMs: 300,
      processMetrics: false,
    });
    try {
      const started = performance.now();
      // Headers promise a body that never comes (a slowloris).
      const answer = await rawExchange(
        server.url,
        'POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
      );
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      expect(body).toEqual({
        statusCode: 408,
        code: 'REQUEST_TIMEOUT',
        error: 'Request Timeout',
        message: 'the request was not received completely within 300 ms',
      });
    } finally {
      await server.close();
    }
  });

  it('answers a malformed HTTP request with a JSON 400 and keeps serving', async () => {
    const server = await startServer({
      models: staticModelProvider(null),
      host: '127.0.0.1',
      port: 0,
      processMetrics: false,
    });
    try {
      const answer = await rawExchange(server.url, 'GARBAGE\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer).toContain('"code":"INVALID_INPUT"');
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('urlFor', () => {
  it.each([
    [{ address: '127.0.0.1', family: 'IPv4', port: 8000 }, 'http://127.0.0.1:8000'],
    [{ address: '0.0.0.0', family: 'IPv4', port: 8000 }, 'http://127.0.0.1:8000'],
    [{ address: '::', family: 'IPv6', port: 9 }, 'http://[::1]:9'],
    [{ address: '::1', family: 'IPv6', port: 9 }, 'http://[::1]:9'],
    [{ address: '10.0.0.5', family: 'IPv4', port: 80 }, 'http://10.0.0.5:80'],
  ])('%j → %s', (address, url) => {
    expect(urlFor(address)).toBe(url);
  });
});
