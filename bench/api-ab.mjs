#!/usr/bin/env node
// A/B of two `cardwatch serve` variants under the API bench's load, robust to a VM whose speed drifts.
//
// On this 2-core VM the same code measures anywhere from ~10,000 to ~16,000 req/s from one bench run to the
// next: the machine's speed drifts within minutes. Comparing two variants by running one bench after the other
// then mostly measures the drift. Here both servers run side by side (idle while the other is loaded) and the
// load alternates between them in short slices, A B B A A B …, so a drift hits both alike; the verdict is the
// median of the per-pair ratios B/A and how many pairs B won. Each slice also reads the server's CPU time
// (/proc) per answered request, for its main thread ("main/all µs" per slice): the request thread is what
// limits one process, and its cost per request varies less than the throughput of a machine shared with the
// load generator. Load: bench/api-load.mjs, the reference's Locust
// scenario (5 × POST /predict + 1 × GET / per connection loop), the prediction log on (each server its own).
//
//   node bench/api-ab.mjs --models models [--a DIR] [--b DIR] [--a-set serve.key=value …] [--b-set …]
//     [--a-node-flags "--flag …"] [--b-node-flags "…"] [--slices 12] [--seconds 6] [--connections 64]
//
// DIR is a cardwatch checkout with a built dist/ (default: this one), e.g. a `git worktree` of the commit to
// compare with; --models is a bundle registry both serve (its `production` alias). A variant that is the same
// DIR with other --set overrides compares config (e.g. --b-set serve.top_features=0). Each slice's measured
// window is --seconds after 1 s of warm-up; a 3 s warm-up per server comes first.
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchOptions, positiveIntOption } from './bench-cli.mjs';

const OPTIONS = {
  a: { type: 'string' },
  b: { type: 'string' },
  'a-set': { type: 'string', multiple: true, default: [] },
  'b-set': { type: 'string', multiple: true, default: [] },
  'a-node-flags': { type: 'string', default: '' },
  'b-node-flags': { type: 'string', default: '' },
  models: { type: 'string' },
  slices: { type: 'string', default: '12' },
  seconds: { type: 'string', default: '6' },
  connections: { type: 'string', default: '64' },
};
const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '..');
const opts = parseBenchOptions(import.meta.url, OPTIONS);
const positiveInt = (name, max) => positiveIntOption(opts, name, max);
const SLICES = positiveInt('slices', 200);
const SECONDS = positiveInt('seconds', 120);
const CONNECTIONS = positiveInt('connections', 4096);
if (opts.models === undefined || !existsSync(opts.models)) {
  console.error('--models DIR (a bundle registry, e.g. the models/ folder `npm start` fills) is required');
  process.exit(2);
}
const MODELS = resolve(opts.models);
const variants = ['a', 'b'].map((key) => {
  const root = resolve(opts[key] ?? ROOT);
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    console.error(`--${key} ${root}: no dist/cli/main.js (build it: npx tsc -p tsconfig.build.json)`);
    process.exit(2);
  }
  const flags = opts[`${key}-node-flags`].split(' ').filter(Boolean);
  const sets = opts[`${key}-set`];
  const label = [root === ROOT ? 'this checkout' : root, ...flags, ...sets].join(' ');
  return { key: key.toUpperCase(), root, flags, sets, label };
});

const children = new Set();
const workDirs = [];
function cleanUp() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/** Starts one variant's server in its own temp folder (its own prediction log); resolves with its URL. */
function startServer(variant) {
  const cwd = mkdtempSync(join(tmpdir(), `cardwatch-ab-${variant.key}-`));
  workDirs.push(cwd);
  const cli = join(variant.root, 'bin', 'cardwatch.js');
  const args = [
    ...variant.flags,
    cli,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    `paths.models=${MODELS}`,
  ];
  const child = spawn(process.execPath, [...args, ...variant.sets], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${variant.key} did not start in 60 s:\n${output}`)),
      60_000,
    );
    const read = (chunk) => {
      output = (output + chunk).slice(-10_000);
      const match = /cardwatch is serving model \S+ on (http:\/\/\S+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        const url = new URL(match[1]);
        resolveUrl({ ...variant, child, url: `http://127.0.0.1:${url.port}` });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) =>
      reject(new Error(`${variant.key} exited (${code}) before serving:\n${output}`)),
    );
  });
}

const CLK_TCK = 100;
/** CPU seconds of a process, or of one of its threads (the main thread's tid is the pid). */
function cpuSeconds(pid, tid) {
  const stat = readFileSync(
    tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
    'utf8',
  );
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * One slice: the load generator against the server for 1 s warm-up + `seconds`; resolves with its summary and
 * the server's CPU per answered request (all threads, and its main thread), over warm-up and window alike.
 */
async function slice(server, seconds) {
  const pid = server.child.pid;
  const before = { all: cpuSeconds(pid), main: cpuSeconds(pid, pid) };
  const result = await load(server.url, seconds);
  const requests = result.main.requests + result.warmup.requests;
  return {
    ...result.main,
    cpu_us_per_request: ((cpuSeconds(pid) - before.all) * 1e6) / requests,
    main_cpu_us_per_request: ((cpuSeconds(pid, pid) - before.main) * 1e6) / requests,
  };
}

function load(url, seconds) {
  return new Promise((resolveSlice, reject) => {
    const loader = fork(join(HERE, 'api-load.mjs'), { stdio: 'inherit' });
    children.add(loader);
    loader.send({ url, connections: CONNECTIONS, duration: seconds, warmup: 1, seed: 42, timeout: 10 });
    loader.on('message', (message) => {
      if (message.type === 'done') resolveSlice(message);
      if (message.type === 'error') reject(new Error(message.message));
    });
    loader.once('exit', () => children.delete(loader));
  });
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const servers = [];
for (const variant of variants) servers.push(await startServer(variant));
for (const server of servers) await slice(server, 3);
console.log(`A = ${variants[0].label}\nB = ${variants[1].label}`);
console.log(`${SLICES} pairs of ${SECONDS} s slices, ${CONNECTIONS} connections, alternating A B B A …\n`);
const results = { A: [], B: [] };
const mainCpu = { A: [], B: [] };
for (let i = 0; i < SLICES; i++) {
  const order = i % 2 === 0 ? servers : [...servers].reverse();
  const line = [];
  for (const server of order) {
    const r = await slice(server, SECONDS);
    const bad = r.errors + r.timeouts + r.non2xx;
    results[server.key].push(r.requests_per_s);
    mainCpu[server.key].push(r.main_cpu_us_per_request);
    line.push(
      `${server.key} ${Math.round(r.requests_per_s)} req/s p99 ${r.latency_ms.p99} ms ` +
        `${r.main_cpu_us_per_request.toFixed(0)}/${r.cpu_us_per_request.toFixed(0)} µs${bad ? ` ${bad} bad` : ''}`,
    );
  }
  const ratio = results.B[i] / results.A[i];
  console.log(`pair ${String(i + 1).padStart(2)}: ${line.join(', ')}; B/A ${ratio.toFixed(3)}`);
}
const ratios = results.B.map((b, i) => b / results.A[i]);
const wins = ratios.filter((r) => r > 1).length;
const cpuRatios = mainCpu.B.map((b, i) => b / mainCpu.A[i]);
console.log(
  `\nA: median ${Math.round(median(results.A))} req/s (${Math.round(Math.min(...results.A))}–${Math.round(Math.max(...results.A))})` +
    `\nB: median ${Math.round(median(results.B))} req/s (${Math.round(Math.min(...results.B))}–${Math.round(Math.max(...results.B))})` +
    `\nB/A: median ${median(ratios).toFixed(3)} over ${SLICES} pairs; B faster in ${wins} of ${SLICES}` +
    `\nmain-thread CPU per request: A median ${median(mainCpu.A).toFixed(1)} µs, B ${median(mainCpu.B).toFixed(1)} µs;` +
    ` B/A per pair: median ${median(cpuRatios).toFixed(3)}, B cheaper in ${cpuRatios.filter((r) => r < 1).length} of ${SLICES}`,
);
for (const server of servers) server.child.kill('SIGTERM');
