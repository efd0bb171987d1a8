import { describe, it, expect } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import { staticModelProvider } from './model-provider.js';
import { startServer, urlFor } from './server.js';
import { FakeScorer } from './__fixtures__/fake-scorer.js';

describe('startServer', () => {
  it('listens on a free port, answers over real HTTP and closes', async () => {
    const server = await startServer({
      scorer: staticModelProvider(new FakeScorer({ id: 'live-model', threshold: 0.5 })),
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
    const plain = await startServer({ scorer: staticModelProvider(null), host: '127.0.0.1', port: 0 });
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM.length);
    await plain.close();

    const server = await startServer({
      scorer: staticModelProvider(null),
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
    const first = await startServer({ scorer: staticModelProvider(null), host: '127.0.0.1', port: 0 });
    const port = Number(new URL(first.url).port);
    try {
      let thrown: unknown = null;
      try {
        await startServer({ scorer: staticModelProvider(null), host: '127.0.0.1', port });
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
