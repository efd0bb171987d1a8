/** `cardwatch simulate` against an in-process service on 127.0.0.1, and its refusals. */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDriftSpec } from '../../data/drift-spec.js';
import { openPredictionReader } from '../../predictions/index.js';
import { closeHarnesses, harness } from '../../serve/__fixtures__/harness.js';
import { parseDuration, parseSimulateOptions, parseTargetUrl } from './options.js';
import { runSimulation } from './traffic.js';

afterEach(closeHarnesses);

describe('runSimulation', () => {
  it('sends rate × duration transactions on schedule, with feedback for the asked share', async () => {
    const h = await harness({ withLog: true });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const options = parseSimulateOptions({
      url: `http://127.0.0.1:${port}`,
      rate: 40,
      durationMs: 1000,
      feedbackShare: 0.5,
      feedbackDelayMs: 100,
      seed: 3,
      drift: parseDriftSpec('V1:shift=2'),
    });
    const result = await runSimulation(options);
    expect(result.sent).toBe(40);
    expect(result.answered).toBe(40);
    expect(result.failures).toEqual({});
    // The schedule spreads 40 requests over about a second.
    expect(result.elapsedMs).toBeGreaterThan(900);
    expect(result.achievedRate).toBeGreaterThan(30);
    expect(result.achievedRate).toBeLessThan(45);
    // About half get feedback (seeded draw), every one stored.
    expect(result.feedbackSent).toBeGreaterThan(10);
    expect(result.feedbackSent).toBeLessThan(30);
    expect(result.feedbackFailed).toBe(0);
    await h.log!.flush();
    const reader = openPredictionReader(h.logPath!);
    try {
      const rows = reader.recent(100);
      expect(rows).toHaveLength(40);
      expect(rows.filter((row) => row.label !== null)).toHaveLength(result.feedbackSent);
      expect(rows.every((row) => row.transactionId?.startsWith('sim-3-'))).toBe(true);
      // The drift spec reached the service: V1 is shifted by 2 (its synthetic mean is about 0).
      const meanV1 = rows.reduce((sum, row) => sum + row.features[0]!, 0) / rows.length;
      expect(meanV1).toBeGreaterThan(1);
    } finally {
      reader.close();
    }
  });

  it('counts a service that is not there as network failures', async () => {
    const options = parseSimulateOptions({ url: 'http://127.0.0.1:9', rate: 20, durationMs: 100 });
    const result = await runSimulation(options);
    expect(result.answered).toBe(0);
    expect(result.failures).toEqual({ network: 2 });
  });
});

describe('simulate options', () => {
  it.each(['http://127.0.0.1:8000', 'http://localhost:8000', 'http://[::1]:8000', 'http://127.1.2.3'])(
    'accepts the loopback URL %s',
    (url) => {
      expect(parseTargetUrl(url).href).toMatch(/^http:/);
    },
  );

  it.each([
    ['http://example.com', /refusing host example.com/],
    ['http://10.0.0.5:8000', /refusing host 10.0.0.5/],
    ['http://127.0.0.1.example.com', /refusing host/],
    ['ftp://127.0.0.1', /must be http or https/],
    ['not a url', /must be a URL like http:\/\/127.0.0.1:8000/],
  ])('refuses %s', (url, message) => {
    expect(() => parseTargetUrl(url)).toThrow(message);
  });

  it('bounds rate, duration and total requests with clear messages', () => {
    expect(() => parseSimulateOptions({ rate: 0, durationMs: 1000 })).toThrow(/rate must be > 0/);
    expect(() => parseSimulateOptions({ rate: 5000, durationMs: 1000 })).toThrow(
      /at most 1000 requests per second/,
    );
    expect(() => parseSimulateOptions({ rate: 1, durationMs: 7_200_000 })).toThrow(/at most 1h/);
    expect(() => parseSimulateOptions({ rate: 10, durationMs: 1000, feedbackShare: 2 })).toThrow(
      /feedback share must be in \[0, 1\]/,
    );
    expect(parseDuration('1.5m', '--duration')).toBe(90_000);
    expect(parseDuration('250ms', '--duration')).toBe(250);
    expect(parseDuration('3', '--duration')).toBe(3000);
    expect(() => parseDuration('soon', '--duration')).toThrow(/--duration must be a duration like 500ms/);
  });
});
