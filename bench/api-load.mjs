// The load generator of bench/api.mjs, in its own process (forked with an IPC channel) so that its event loop
// is not the orchestrator's and its CPU time can be told apart from the server's.
//
// The scenario is the reference's Locust user: 5 × `POST /predict` with 28 random floats, then 1 × `GET /`, in
// a loop, on every connection. The bodies are drawn from N(0, 1) with a seeded generator and built up front
// (each connection cycles through its own slice of ≥ 50,000 distinct rows), so sending a request costs the
// client a socket write and nothing else.
//
// The raw HTTP requests are built once, by autocannon's own request builder, and handed to each connection's
// request iterator directly: `client.setRequests()` would rebuild every buffer for every connection of every
// run (~7 µs each, 64 × 942 of them: seconds of setup counted in autocannon's run duration). This reaches into
// autocannon 9's RequestIterator (`requests`, `currentRequestIndex`, `currentRequest`, `requestBuffer`).
//
// Protocol: the parent sends one message {url, connections, duration, warmup, seed, timeout}; this process
// answers {type: 'main-start'} when the measured run begins and {type: 'done', warmup, main} at the end.
import autocannon from 'autocannon';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { normalGenerator, predictBody } from './api-data.mjs';

export const PREDICTS_PER_GET = 5;
const MIN_DISTINCT_BODIES = 50_000;

/** Answers per kind of request, filled by the `onResponse` hooks of the current run. */
function newTally() {
  const kind = () => ({ ok: 0, other: 0, statuses: {} });
  return { predict: kind(), get: kind(), inFlightAtStop: { predict: 0, get: 0 } };
}

function count(bucket, status) {
  if (status >= 200 && status < 300) bucket.ok += 1;
  else bucket.other += 1;
  bucket.statuses[status] = (bucket.statuses[status] ?? 0) + 1;
}

const RequestIterator = createRequire(import.meta.url)('autocannon/lib/requestIterator.js');

function buildScenario(url, connections, seed) {
  const normal = normalGenerator(seed);
  const groups = Math.max(1, Math.ceil(MIN_DISTINCT_BODIES / (PREDICTS_PER_GET * connections)));
  const state = { tally: newTally() };
  const onPredict = (status) => count(state.tally.predict, status);
  const onGet = (status) => count(state.tally.get, status);
  const perConnection = Array.from({ length: connections }, () => {
    const requests = [];
    for (let g = 0; g < groups; g++) {
      for (let k = 0; k < PREDICTS_PER_GET; k++) {
        requests.push({
          kind: 'predict',
          method: 'POST',
          path: '/predict',
          headers: { 'content-type': 'application/json' },
          body: predictBody(normal),
          onResponse: onPredict,
        });
      }
      requests.push({ kind: 'get', method: 'GET', path: '/', onResponse: onGet });
    }
    return requests;
  });
  // Builds `requestBuffer` on every request object, as a connection to `url` would.
  const { hostname, port } = new URL(url);
  new RequestIterator({ hostname, port: Number(port), requests: perConnection.flat() });
  return { state, perConnection, distinctBodies: groups * PREDICTS_PER_GET * connections };
}

/** One autocannon run of the scenario; resolves with its result and the per-kind tally. */
function run(scenario, options, seconds) {
  const tally = newTally();
  scenario.state.tally = tally;
  let next = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: seconds,
        timeout: options.timeout,
        // A throw-away first request (each client builds its copy); setupClient swaps in the prebuilt ones.
        requests: [{ method: 'GET', path: '/' }],
        // Each connection gets its own rows; when the run stops, the requests still waiting for an answer are
        // counted (the server may have scored and logged them: the log check allows for them).
        setupClient(client) {
          const requests = scenario.perConnection[next++ % scenario.perConnection.length];
          const iterator = client.requestIterator;
          iterator.requests = requests;
          iterator.currentRequestIndex = 0;
          iterator.currentRequest = requests[0];
          client.on('done', () => {
            for (const pending of client.pipelinedRequests.toArray()) {
              if (pending.req?.kind === 'predict') tally.inFlightAtStop.predict += 1;
              else if (pending.req?.kind === 'get') tally.inFlightAtStop.get += 1;
            }
          });
        },
      },
      (error, result) => (error ? reject(error) : resolve({ result, tally })),
    );
    process.once('SIGTERM', () => instance.stop());
  });
}

function summary(result, tally, cpu, elu) {
  const latency = result.latency;
  return {
    duration_s: result.duration,
    requests: result.requests.total,
    requests_per_s: result.requests.total / result.duration,
    latency_ms: {
      mean: latency.average,
      p50: latency.p50,
      p90: latency.p90,
      p97_5: latency.p97_5,
      p99: latency.p99,
      p99_9: latency.p99_9,
      max: latency.max,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    status_codes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
    by_kind: tally,
    client_cpu_s: (cpu.user + cpu.system) / 1e6,
    client_event_loop_utilization: elu.utilization,
  };
}

process.once('message', async (options) => {
  try {
    const scenario = buildScenario(options.url, options.connections, options.seed);
    const warm = await run(scenario, options, options.warmup);
    process.send({ type: 'main-start' });
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    const main = await run(scenario, options, options.duration);
    const cpu = process.cpuUsage(cpuBefore);
    const elu = performance.eventLoopUtilization(eluBefore);
    process.send({
      type: 'done',
      distinctBodies: scenario.distinctBodies,
      warmup: { requests: warm.result.requests.total, by_kind: warm.tally, errors: warm.result.errors },
      main: summary(main.result, main.tally, cpu, elu),
    });
  } catch (error) {
    process.send({ type: 'error', message: String(error?.stack ?? error) });
  }
  process.disconnect();
});
