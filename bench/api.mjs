#!/usr/bin/env node
// API load bench: the reference's Locust scenario (each user: 5 × POST /predict with 28 random floats, then
// 1 × GET /) driven by autocannon against one `cardwatch serve` process with its prediction log on, side by side
// with the FastAPI figures the issue author measured on this machine. Also: POST /predict/batch rows/s (JSON
// and CSV bodies) when the server has that route, in-process `scorer.score` rows/s, the server's RSS, and a
// check that the prediction log holds one row per answered prediction.
//
// It sets up its own world in a temp folder: `data generate`, `train`, `export --promote` with the BUILT CLI
// (or a bundle folder given with --models), then `serve --port 0` as a child process (default config, so the
// prediction log is on), a warm-up, the measured load, the batch requests, SIGTERM, the log check, and last the
// in-process scoring (server stopped, so it has the machine). The load generator runs in its own process
// (bench/api-load.mjs) but shares the machine's cores with the server: the output says how much CPU each used.
//
//   npx tsc -p tsconfig.build.json && node bench/api.mjs [--duration 20] [--connections 64] [--warmup 2]
//     [--models DIR] [--model production] [--rows 30000] [--batch-rows 10000] [--batch-requests 5]
//     [--inprocess-rows 1000000] [--chunk 65536] [--pin] [--cpu-prof] [--skip-batch] [--skip-inprocess]
//     [--keep] [--set serve.key=value …] [--out bench/out/api.json]
//
// --set passes a config override to `cardwatch serve` (repeatable), e.g. --set serve.prediction_log_thread=true
// to compare the SQLite writer thread with inline writes. --pin runs the server on CPU 0 and the load generator on CPU 1 (taskset; only fair on an otherwise idle
// machine); --cpu-prof profiles the server (node --cpu-prof) and prints where its main thread spent the measured
// window and the batch requests; --keep keeps the temp folder. Results: bench/out/api.json, one line per run
// appended to bench/out/api-history.jsonl (to see the spread of repeated runs).
import { execFileSync, fork, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { batchCsvBody, batchJsonBody, featureMatrix, FEATURES } from './api-data.mjs';
import { parseBenchOptions, positiveIntOption } from './bench-cli.mjs';
import { formatProfileSummary, summarizeProfile } from './cpuprofile-summary.mjs';

// ---- options ------------------------------------------------------------------------------------------------
const OPTIONS = {
  duration: { type: 'string', default: '20' },
  connections: { type: 'string', default: '64' },
  warmup: { type: 'string', default: '2' },
  models: { type: 'string' },
  model: { type: 'string', default: 'production' },
  rows: { type: 'string', default: '30000' },
  'batch-rows': { type: 'string', default: '10000' },
  'batch-requests': { type: 'string', default: '5' },
  'inprocess-rows': { type: 'string', default: '1000000' },
  chunk: { type: 'string', default: '65536' },
  seed: { type: 'string', default: '42' },
  timeout: { type: 'string', default: '10' },
  pin: { type: 'boolean', default: false },
  'cpu-prof': { type: 'boolean', default: false },
  'skip-batch': { type: 'boolean', default: false },
  'skip-inprocess': { type: 'boolean', default: false },
  keep: { type: 'boolean', default: false },
  set: { type: 'string', multiple: true, default: [] },
  out: { type: 'string' },
};
const opts = parseBenchOptions(import.meta.url, OPTIONS);
const positiveInt = (name, max) => positiveIntOption(opts, name, max);
const DURATION_S = positiveInt('duration', 600);
const CONNECTIONS = positiveInt('connections', 4096);
const WARMUP_S = positiveInt('warmup', 60);
const SETUP_ROWS = positiveInt('rows', 1_000_000);
const BATCH_ROWS = positiveInt('batch-rows', 1_000_000);
const BATCH_REQUESTS = positiveInt('batch-requests', 100);
const INPROCESS_ROWS = positiveInt('inprocess-rows', 20_000_000);
const CHUNK = positiveInt('chunk', 10_000_000);
const SEED = positiveInt('seed', 2 ** 31);
const REQUEST_TIMEOUT_S = positiveInt('timeout', 120);

// ---- the reference and the targets (from the issue) ---------------------------------------------------------
/** Measured by the issue author on this machine with Locust, 64 users; they cannot be re-measured here. */
const REFERENCE = [
  { name: 'FastAPI reference (issue author, Locust 64 users)', rps: 1450, p50: 33, p90: null, p99: 700 },
  { name: 'FastAPI, its logging fixed (issue author)', rps: 2100, p50: null, p90: null, p99: 42 },
];
const TARGET = { speedup: 10, p99Ms: 20, inProcessRowsPerS: 3_000_000 };

// ---- paths and preconditions --------------------------------------------------------------------------------
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'cardwatch.js');
const OUT_FILE = resolve(opts.out ?? join(ROOT, 'bench', 'out', 'api.json'));
const OUT_DIR = join(ROOT, 'bench', 'out');
for (const file of ['dist/cli/main.js', 'dist/bundle/index.js']) {
  if (!existsSync(join(ROOT, file))) {
    console.error(`${file} is missing: build first (npx tsc -p tsconfig.build.json, or npm run build)`);
    process.exit(1);
  }
}
{
  // A half-built or stale dist/ fails here with the loader's message rather than in the middle of the setup.
  const probe = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) {
    const why = `${probe.stderr ?? ''}${probe.error?.message ?? ''}`
      .trim()
      .split('\n')
      .slice(0, 8)
      .join('\n');
    console.error(
      `the built CLI does not load (dist/ stale or half-built?): rebuild with npx tsc -p tsconfig.build.json\n${why}`,
    );
    process.exit(1);
  }
}
const modelsArg = opts.models === undefined ? null : resolve(opts.models);
if (modelsArg !== null && !existsSync(modelsArg)) {
  console.error(`--models ${modelsArg} does not exist`);
  process.exit(1);
}
const canPin = availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0;
if (opts.pin && !canPin) {
  console.error('--pin needs taskset and at least 2 CPUs');
  process.exit(1);
}

// ---- children are always stopped --------------------------------------------------------------------------
const children = new Set();
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
function killChildren() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
/** The temp folder of this run, removed on the way out unless --keep. */
let workDir = null;
function removeWorkDir() {
  if (workDir !== null && !opts.keep) rmSync(workDir, { recursive: true, force: true });
}
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the server and the load generator`);
    killChildren();
    removeWorkDir();
    process.exit(130);
  });
}
// Everything is bounded: setup, warm-up, load, batches, shutdown, in-process scoring.
const BUDGET_MS =
  (modelsArg === null ? 600_000 : 0) + (WARMUP_S + DURATION_S) * 1000 + BATCH_REQUESTS * 2 * 60_000 + 600_000;
setTimeout(() => {
  console.error(`bench/api.mjs: over its time budget (${Math.round(BUDGET_MS / 1000)} s); giving up`);
  killChildren();
  removeWorkDir();
  process.exit(1);
}, BUDGET_MS).unref();

// ---- /proc readings -----------------------------------------------------------------------------------------
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** VmRSS and VmHWM (peak RSS) of a process, in MB; null once it is gone. */
function memoryOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rss_mb: kb('VmRSS') / 1024, hwm_mb: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** User + system CPU seconds of a process or thread from its `stat` file. */
function cpuSecondsOf(statPath) {
  const text = readFileSync(statPath, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU seconds of each thread of `pid` (main thread first). */
function threadsOf(pid) {
  const threads = new Map();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        threads.set(Number(tid), cpuSecondsOf(`/proc/${pid}/task/${tid}/stat`));
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    // the process is gone
  }
  return threads;
}

/** CPU seconds of every process on the machine, with a short name (to say who else used the cores). */
function allProcesses() {
  const processes = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const name =
        args.length === 0 ? stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) : shortCommand(args);
      processes.set(Number(entry), { name, cpu: cpuSecondsOf(`/proc/${entry}/stat`) });
    } catch {
      // gone meanwhile
    }
  }
  return processes;
}

/** `node /x/node_modules/.bin/vitest run src/a` → `vitest run src/a` (first 60 characters). */
function shortCommand(args) {
  const words = args.map((a) => a.replace(/^.*\/(node_modules\/\.bin\/|bin\/)?/, ''));
  const start = /^(node|python3?|sh|bash|npm)$/.test(words[0] ?? '') && words.length > 1 ? 1 : 0;
  return words.slice(start).join(' ').slice(0, 60);
}

/** Whole-machine CPU ticks from /proc/stat: busy, idle and steal (a noisy neighbour on a shared VM). */
function machineTicks() {
  const [, ...numbers] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = numbers.map(Number);
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

// ---- small helpers ------------------------------------------------------------------------------------------
const fmtInt = (value) =>
  value === null || value === undefined ? '-' : Math.round(value).toLocaleString('en-US');
const fmtMs = (value) =>
  value === null || value === undefined ? '-' : `${Number(value).toFixed(value < 10 ? 1 : 0)} ms`;
const fmtMb = (value) => (value === null || value === undefined ? '-' : `${value.toFixed(0)} MB`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function step(message) {
  console.error(`[api bench] ${message}`);
}

/** Runs the built CLI in `cwd` (bounded); throws with its output when it fails. */
function cli(cwd, args) {
  const t = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `cardwatch ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}):\n${output}`,
    );
  }
  return (performance.now() - t) / 1000;
}

async function httpJson(url, init = {}) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_S * 1000 * 6) });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body, headers: response.headers };
}

// ---- the server ---------------------------------------------------------------------------------------------
async function startServer(cwd, profileDir) {
  const nodeFlags =
    profileDir === null
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-name=server.cpuprofile'];
  const args = [...nodeFlags, CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--model', opts.model];
  if (modelsArg !== null) args.push(`paths.models=${modelsArg}`);
  args.push(...opts.set);
  const logFile = createWriteStream(join(cwd, 'serve.log'));
  const child = track(spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  const remember = (chunk) => {
    logFile.write(chunk);
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  const started = performance.now();
  const ready = await new Promise((resolveReady, rejectReady) => {
    const timer = setTimeout(
      () => rejectReady(new Error(`the server did not start within 60 s:\n${output}`)),
      60_000,
    );
    const check = () => {
      const match = /cardwatch is serving (?:model (\S+)|(without a model)) on (http:\/\/\S+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      if (match[2] !== undefined) {
        rejectReady(
          new Error(`the server started without a model (is "${opts.model}" in the registry?):\n${output}`),
        );
        return;
      }
      resolveReady({ model: match[1], port: Number(new URL(match[3]).port) });
    };
    child.stdout.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rejectReady(new Error(`the server exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${ready.port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await httpJson(`${url}/`);
      if (res.status === 200) break;
    } catch (error) {
      if (attempt >= 50) throw new Error(`GET ${url}/ never answered: ${error.message}`, { cause: error });
    }
    await sleep(100);
  }
  return {
    child,
    url,
    model: ready.model,
    startupS: (performance.now() - started) / 1000,
    output: () => output,
    closeLog: () => new Promise((done) => logFile.end(done)),
  };
}

/** SIGTERM, then wait (bounded) for the exit; SIGKILL if it hangs. */
async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) {
    return { exit: child.exitCode ?? child.signalCode, shutdown_ms: 0, killed: false };
  }
  const t = performance.now();
  const exited = new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal)));
  child.kill('SIGTERM');
  const timer = sleep(20_000).then(() => 'timeout');
  let exit = await Promise.race([exited, timer]);
  let killed = false;
  if (exit === 'timeout') {
    killed = true;
    child.kill('SIGKILL');
    exit = await exited;
  }
  await server.closeLog();
  return { exit, shutdown_ms: performance.now() - t, killed };
}

// ---- the load -----------------------------------------------------------------------------------------------
async function runLoad(server, onMainStart) {
  const loader = track(
    fork(fileURLToPath(new URL('./api-load.mjs', import.meta.url)), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  if (opts.pin) {
    execFileSync('taskset', ['-a', '-cp', '1', String(loader.pid)], { stdio: 'ignore' });
  }
  const outcome = new Promise((resolveLoad, rejectLoad) => {
    loader.on('message', (message) => {
      if (message.type === 'main-start') onMainStart();
      else if (message.type === 'done') resolveLoad({ ...message, loaderPid: loader.pid });
      else if (message.type === 'error') rejectLoad(new Error(`load generator: ${message.message}`));
    });
    loader.once('exit', (code, signal) =>
      rejectLoad(new Error(`the load generator exited (${code ?? signal}) without a result`)),
    );
  });
  loader.send({
    url: server.url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    warmup: WARMUP_S,
    seed: SEED,
    timeout: REQUEST_TIMEOUT_S,
  });
  return outcome;
}

// ---- batch route --------------------------------------------------------------------------------------------
async function probeBatch(url) {
  // An empty JSON batch: a server with the route refuses it with 400 (and scores nothing); without it, 404.
  try {
    const res = await httpJson(`${url}/predict/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"rows":[]}',
    });
    return { available: res.status !== 404 && res.status !== 405, status: res.status };
  } catch (error) {
    return { available: false, status: null, error: error.message };
  }
}

async function runBatches(url) {
  const bodies = [
    { format: 'JSON', type: 'application/json', body: batchJsonBody(BATCH_ROWS, SEED + 1) },
    { format: 'CSV', type: 'text/csv', body: batchCsvBody(BATCH_ROWS, SEED + 2) },
  ];
  const results = [];
  let scoredTotal = 0;
  for (const { format, type, body } of bodies) {
    const timings = [];
    const failures = [];
    for (let i = 0; i <= BATCH_REQUESTS; i++) {
      // Request 0 is a warm-up (its rows are logged too, so they are counted).
      const t = performance.now();
      let status;
      let payload;
      try {
        const response = await fetch(`${url}/predict/batch`, {
          method: 'POST',
          headers: { 'content-type': type },
          body,
          signal: AbortSignal.timeout(120_000),
        });
        status = response.status;
        payload = await response.text();
      } catch (error) {
        failures.push(error.message);
        continue;
      }
      const seconds = (performance.now() - t) / 1000;
      let parsed = null;
      try {
        parsed = JSON.parse(payload);
      } catch {
        // reported below
      }
      if (status === 200 && parsed !== null) scoredTotal += parsed.scored ?? 0;
      if (status !== 200 || parsed === null || parsed.scored !== BATCH_ROWS) {
        failures.push(
          `HTTP ${status}: ${parsed === null ? payload.slice(0, 200) : `${parsed.scored ?? '?'} of ${BATCH_ROWS} rows scored ${parsed.message ?? ''}`}`,
        );
        continue;
      }
      if (i > 0) timings.push(seconds);
    }
    results.push({
      format,
      rows_per_request: BATCH_ROWS,
      body_mb: Buffer.byteLength(body) / 2 ** 20,
      requests: timings.length,
      seconds: timings,
      rows_per_s_median: timings.length === 0 ? null : BATCH_ROWS / median(timings),
      rows_per_s_overall:
        timings.length === 0 ? null : (BATCH_ROWS * timings.length) / timings.reduce((a, b) => a + b, 0),
      failures,
    });
  }
  return { results, scoredTotal };
}

/** `cardwatch_*` counters of /metrics, summed over their labels (null when the route is absent). */
async function scrapeMetrics(url) {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) return null;
    const sums = {};
    for (const line of (await res.text()).split('\n')) {
      const match = /^(cardwatch_[a-z_]+?)(?:_total)?(\{[^}]*\})? ([-\d.e+]+)$/.exec(line);
      if (match === null || !line.includes('_total')) continue;
      sums[`${match[1]}_total`] = (sums[`${match[1]}_total`] ?? 0) + Number(match[3]);
    }
    return sums;
  } catch {
    return null;
  }
}

// ---- the prediction log -------------------------------------------------------------------------------------
function countLoggedPredictions(path) {
  if (!existsSync(path)) return { path, rows: null, note: 'no prediction log file' };
  const require = createRequire(join(ROOT, 'package.json'));
  const Database = require('better-sqlite3');
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const { n } = db.prepare('SELECT COUNT(*) AS n FROM predictions').get();
    const size = ['', '-wal'].reduce(
      (sum, s) => sum + (existsSync(path + s) ? statSync(path + s).size : 0),
      0,
    );
    return { path, rows: n, bytes: size };
  } finally {
    db.close();
  }
}

// ---- in-process scoring -------------------------------------------------------------------------------------
async function inProcess(modelsDir, model) {
  const bundle = await import(pathToFileURL(join(ROOT, 'dist', 'bundle', 'index.js')).href);
  const scorer = await bundle.loadScorer(modelsDir, model);
  try {
    const x = featureMatrix(INPROCESS_ROWS, SEED + 3);
    const engines = scorer.engines ?? ['float32'];
    const passes = async (engine, contributions) => {
      const rates = [];
      await scorer.score(
        x.subarray(0, Math.min(CHUNK, INPROCESS_ROWS) * FEATURES),
        Math.min(CHUNK, INPROCESS_ROWS),
        {
          engine,
          contributions,
        },
      );
      for (let pass = 0; pass < 3; pass++) {
        const t = performance.now();
        for (let start = 0; start < INPROCESS_ROWS; start += CHUNK) {
          const n = Math.min(CHUNK, INPROCESS_ROWS - start);
          await scorer.score(x.subarray(start * FEATURES, (start + n) * FEATURES), n, {
            engine,
            contributions,
          });
        }
        rates.push(INPROCESS_ROWS / ((performance.now() - t) / 1000));
      }
      return {
        engine,
        contributions,
        rows_per_s_median: median(rates),
        rows_per_s_best: Math.max(...rates),
        rates,
      };
    };
    const runs = [];
    for (const engine of engines) runs.push(await passes(engine, false));
    runs.push(await passes('float32', true));
    // One row at a time, as /predict calls it (score + contributions): the model's share of a request.
    const one = x.subarray(0, FEATURES);
    for (let i = 0; i < 2000; i++) await scorer.score(one, 1);
    const calls = 20_000;
    const t = performance.now();
    for (let i = 0; i < calls; i++)
      await scorer.score(x.subarray((i % 1000) * FEATURES, ((i % 1000) + 1) * FEATURES), 1);
    const singleRowUs = ((performance.now() - t) * 1000) / calls;
    return {
      model: scorer.manifest.id,
      rows: INPROCESS_ROWS,
      chunk: CHUNK,
      runs,
      single_row_call_us: singleRowUs,
    };
  } finally {
    await scorer.dispose();
  }
}

// ---- main ---------------------------------------------------------------------------------------------------
async function main() {
  const work = mkdtempSync(join(tmpdir(), 'cardwatch-api-bench-'));
  workDir = work;
  const profileDir = opts['cpu-prof'] ? join(work, 'profile') : null;
  const report = {
    started_at: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? '?',
      cores: availableParallelism(),
      node: process.version,
      load_average_before: loadavg(),
    },
    options: {
      duration_s: DURATION_S,
      connections: CONNECTIONS,
      warmup_s: WARMUP_S,
      pin: opts.pin,
      cpu_prof: opts['cpu-prof'],
      scenario: '5 × POST /predict (28 × N(0,1), seeded) then 1 × GET / per connection, looped',
    },
    reference: REFERENCE,
    target: TARGET,
  };
  let server = null;
  try {
    // 1. A model.
    let modelsDir = modelsArg;
    if (modelsDir === null) {
      step(
        `setting up in ${work}: data generate --rows ${SETUP_ROWS}, train training.epochs=2, export --promote`,
      );
      const setup = {
        generate_s: cli(work, ['data', 'generate', '--rows', String(SETUP_ROWS)]),
        train_s: cli(work, ['train', 'training.epochs=2']),
        export_s: cli(work, ['export', '--promote']),
      };
      report.setup = setup;
      modelsDir = join(work, 'models');
    } else {
      step(`using the bundles of ${modelsDir}`);
    }

    // 2. The server, default config: the prediction log is on (data/predictions.sqlite in its folder).
    step(`starting cardwatch serve in ${work}${opts['cpu-prof'] ? ' (with --cpu-prof)' : ''}`);
    server = await startServer(work, profileDir);
    if (opts.pin) execFileSync('taskset', ['-a', '-cp', '0', String(server.child.pid)], { stdio: 'ignore' });
    const pid = server.child.pid;
    report.server = { model: server.model, url: server.url, startup_s: server.startupS, idle: memoryOf(pid) };
    const batchProbe = await probeBatch(server.url);
    const metricsBefore = await scrapeMetrics(server.url);
    report.server.routes = { batch: batchProbe, metrics: metricsBefore !== null };

    // 3. Warm-up and the measured load; RSS sampled every 250 ms while it runs.
    step(
      `load: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s measured, against ${server.url}` +
        `${opts.pin ? ' (server on CPU 0, load generator on CPU 1)' : ''}`,
    );
    const loadBefore = loadavg();
    let window = null;
    const rssSamples = [];
    const sampler = setInterval(() => {
      const memory = memoryOf(pid);
      if (memory !== null && window !== null) rssSamples.push(memory.rss_mb);
    }, 250);
    const load = await runLoad(server, () => {
      window = {
        startUs: monotonicUs(),
        serverCpu: cpuSecondsOf(`/proc/${pid}/stat`),
        threads: threadsOf(pid),
        machine: machineTicks(),
        memory: memoryOf(pid),
        processes: allProcesses(),
      };
    }).finally(() => clearInterval(sampler));
    const endUs = monotonicUs();
    const serverCpu = cpuSecondsOf(`/proc/${pid}/stat`) - window.serverCpu;
    const threadsAfter = threadsOf(pid);
    const machine = machineTicks();
    const processesAfter = allProcesses();
    const memoryAfterLoad = memoryOf(pid);
    const loadAfter = loadavg();
    const seconds = load.main.duration_s;
    const ticks = {
      busy: machine.busy - window.machine.busy,
      idle: machine.idle - window.machine.idle,
      steal: machine.steal - window.machine.steal,
    };
    const allTicks = ticks.busy + ticks.idle + ticks.steal;
    const threadUse = [...threadsAfter.entries()]
      .map(([tid, cpu]) => ({
        tid,
        main: tid === pid,
        core_share: (cpu - (window.threads.get(tid) ?? 0)) / seconds,
      }))
      .filter((t) => t.core_share >= 0.01)
      .sort((a, b) => Number(b.main) - Number(a.main) || b.core_share - a.core_share);
    const others = [...processesAfter.entries()]
      .filter(([p]) => p !== pid && p !== load.loaderPid && p !== process.pid)
      .map(([p, info]) => ({
        pid: p,
        name: info.name,
        core_share: (info.cpu - (window.processes.get(p)?.cpu ?? 0)) / seconds,
      }))
      .filter((o) => o.core_share >= 0.02)
      .sort((a, b) => b.core_share - a.core_share);
    report.load = {
      ...load.main,
      distinct_predict_bodies: load.distinctBodies,
      warmup: load.warmup,
      window_us: { from: window.startUs, to: endUs },
      cpu: {
        server_core_share: serverCpu / seconds,
        server_cpu_us_per_request: (serverCpu * 1e6) / load.main.requests,
        client_cpu_us_per_request: (load.main.client_cpu_s * 1e6) / load.main.requests,
        server_threads: threadUse,
        client_core_share: load.main.client_cpu_s / seconds,
        machine_busy_share: ticks.busy / allTicks,
        machine_steal_share: ticks.steal / allTicks,
        others_core_share: Math.max(
          0,
          (ticks.busy / allTicks) * availableParallelism() -
            serverCpu / seconds -
            load.main.client_cpu_s / seconds,
        ),
        other_processes: others.slice(0, 5),
        cores: availableParallelism(),
      },
      load_average: { before: loadBefore, after: loadAfter },
    };
    report.server.memory = {
      rss_at_load_start_mb: window.memory?.rss_mb ?? null,
      rss_max_during_load_mb: rssSamples.length === 0 ? null : Math.max(...rssSamples),
      rss_after_load_mb: memoryAfterLoad?.rss_mb ?? null,
      peak_after_load_mb: memoryAfterLoad?.hwm_mb ?? null,
    };

    // 4. Batch scoring through the API, when the server has the route.
    let batchScored = 0;
    let batchWindow = null;
    if (opts['skip-batch']) {
      report.batch = { available: batchProbe.available, skipped: true };
    } else if (!batchProbe.available) {
      report.batch = { available: false, probe_status: batchProbe.status };
    } else {
      step(`batch: ${BATCH_REQUESTS} + 1 warm-up POST /predict/batch of ${BATCH_ROWS} rows, JSON then CSV`);
      const from = monotonicUs();
      const batch = await runBatches(server.url);
      batchWindow = { from, to: monotonicUs() };
      batchScored = batch.scoredTotal;
      report.batch = { available: true, results: batch.results, scored_rows_total: batch.scoredTotal };
    }
    report.server.metrics_after = await scrapeMetrics(server.url);
    const finalMemory = memoryOf(pid);
    report.server.memory.rss_end_mb = finalMemory?.rss_mb ?? null;
    report.server.memory.peak_end_mb = finalMemory?.hwm_mb ?? null;

    // 5. Stop it (SIGTERM: it drains and flushes the log), then count what the log holds.
    step('stopping the server (SIGTERM)');
    report.server.stop = await stopServer(server);
    const predictOk = load.warmup.by_kind.predict.ok + load.main.by_kind.predict.ok;
    const inFlight = load.warmup.by_kind.inFlightAtStop.predict + load.main.by_kind.inFlightAtStop.predict;
    const logged = countLoggedPredictions(join(work, 'data', 'predictions.sqlite'));
    const answered = predictOk + batchScored;
    report.log = {
      ...logged,
      predict_2xx_received: predictOk,
      batch_rows_scored: batchScored,
      predict_in_flight_when_client_stopped: inFlight,
      consistent: logged.rows === null ? null : logged.rows >= answered && logged.rows <= answered + inFlight,
    };

    // 6. The server's CPU profile, restricted to the measured load window (and to the batch requests).
    if (profileDir !== null) {
      const file = join(profileDir, 'server.cpuprofile');
      if (existsSync(file)) {
        mkdirSync(OUT_DIR, { recursive: true });
        copyFileSync(file, join(OUT_DIR, 'api-server.cpuprofile'));
        const profile = JSON.parse(readFileSync(file, 'utf8'));
        report.profile = {
          file: join(OUT_DIR, 'api-server.cpuprofile'),
          load: summarizeProfile(profile, { from: window.startUs, to: endUs, top: 30 }),
          batch:
            batchWindow === null
              ? null
              : summarizeProfile(profile, { ...batchWindow, top: 30, wholeIfEmpty: false }),
        };
      } else {
        report.profile = { error: `no profile was written to ${profileDir}` };
      }
    }

    // 7. In-process scoring, with the machine to itself.
    if (!opts['skip-inprocess']) {
      step(
        `in-process: scorer.score on ${INPROCESS_ROWS.toLocaleString('en-US')} rows in batches of ${CHUNK}`,
      );
      report.in_process = await inProcess(modelsDir, opts.model);
    }
    report.machine.load_average_after = loadavg();
  } catch (error) {
    if (server !== null) {
      console.error(`server output (last lines):\n${server.output().split('\n').slice(-20).join('\n')}`);
    }
    throw error;
  } finally {
    killChildren();
    if (opts.keep) step(`kept ${work}`);
    removeWorkDir();
  }
  return report;
}

// ---- report -------------------------------------------------------------------------------------------------
function verdict(ok) {
  return ok ? 'MET' : 'NOT MET';
}

function print(report) {
  const { load, server, machine } = report;
  const logged = report.log.rows !== null;
  const cpu = load.cpu;
  console.log(
    `\ncardwatch API bench — node ${machine.node}, ${machine.cpu} × ${machine.cores}; model ${server.model}; ` +
      `1-min load average ${machine.load_average_before[0].toFixed(2)} before, ` +
      `${load.load_average.before[0].toFixed(2)} → ${load.load_average.after[0].toFixed(2)} over the load`,
  );
  console.log(
    `scenario: each of ${report.options.connections} connections loops 5 × POST /predict (28 × N(0,1), ` +
      `${load.distinct_predict_bodies.toLocaleString('en-US')} distinct seeded rows) + 1 × GET /; ` +
      `${WARMUP_S} s warm-up, ${load.duration_s.toFixed(1)} s measured; server: 1 process, default config ` +
      `(${logged ? 'prediction log on' : 'this build writes NO prediction log'}), 127.0.0.1`,
  );
  const ours = [
    `cardwatch (measured now, 1 process, ${logged ? 'log on' : 'NO log'})`,
    fmtInt(load.requests_per_s),
    fmtMs(load.latency_ms.p50),
    fmtMs(load.latency_ms.p90),
    fmtMs(load.latency_ms.p99),
    fmtMs(load.latency_ms.max),
    `${load.errors} / ${load.non2xx}`,
    `${fmtMb(server.memory.rss_after_load_mb)} (peak ${fmtMb(server.memory.peak_after_load_mb)})`,
  ];
  console.log(
    `\n${table(
      ['', 'req/s', 'p50', 'p90', 'p99', 'max', 'errors / non-2xx', 'server RSS'],
      [
        ours,
        ...REFERENCE.map((r) => [
          r.name,
          `~${fmtInt(r.rps)}`,
          fmtMs(r.p50),
          fmtMs(r.p90),
          fmtMs(r.p99),
          '-',
          '-',
          '-',
        ]),
      ],
    )}`,
  );
  const perKind = (k) =>
    `${k.ok.toLocaleString('en-US')} 2xx` +
    (k.other === 0
      ? ''
      : `, ${k.other} other (${Object.entries(k.statuses)
          .map(([s, n]) => `${s}: ${n}`)
          .join(', ')})`);
  console.log(
    `\nrequests: ${load.requests.toLocaleString('en-US')} in ${load.duration_s.toFixed(1)} s — POST /predict ` +
      `${perKind(load.by_kind.predict)}; GET / ${perKind(load.by_kind.get)}; errors ${load.errors} ` +
      `(timeouts ${load.timeouts}); latency mean ${fmtMs(load.latency_ms.mean)}, p99.9 ${fmtMs(load.latency_ms.p99_9)}`,
  );
  const rps = load.requests_per_s;
  const clean = load.errors === 0 && load.non2xx === 0;
  console.log(
    `\ntargets (issue): one cardwatch process, logging on` +
      (logged ? '' : ' — this build does not log, so the verdicts below do not count for the issue'),
  );
  for (const [label, ok] of [
    [
      `≥ 10× the reference's req/s (≥ ${fmtInt(REFERENCE[0].rps * TARGET.speedup)}): ${fmtInt(rps)} = ` +
        `${(rps / REFERENCE[0].rps).toFixed(1)}×`,
      rps >= REFERENCE[0].rps * TARGET.speedup,
    ],
    [
      `≥ 10× the logging-fixed reference (≥ ${fmtInt(REFERENCE[1].rps * TARGET.speedup)}): ` +
        `${(rps / REFERENCE[1].rps).toFixed(1)}×`,
      rps >= REFERENCE[1].rps * TARGET.speedup,
    ],
    [`p99 ≤ ${TARGET.p99Ms} ms: ${fmtMs(load.latency_ms.p99)}`, load.latency_ms.p99 <= TARGET.p99Ms],
    [`zero errors and non-2xx: ${load.errors} errors, ${load.non2xx} non-2xx`, clean],
  ]) {
    console.log(`  ${verdict(ok).padEnd(8)} ${label}`);
  }
  const threads = cpu.server_threads
    .map((t) => `${t.main ? 'main' : `tid ${t.tid}`} ${(t.core_share * 100).toFixed(0)}%`)
    .join(', ');
  console.log(
    `\nshared machine: the load generator runs on the same ${cpu.cores} cores${opts.pin ? ' (pinned: server CPU 0, client CPU 1)' : ''}. ` +
      `During the measured window the server used ${(cpu.server_core_share * 100).toFixed(0)}% of a core ` +
      `(threads: ${threads}), the load generator ${(cpu.client_core_share * 100).toFixed(0)}% ` +
      `(event loop ${(load.client_event_loop_utilization * 100).toFixed(0)}% busy); the machine was ` +
      `${(cpu.machine_busy_share * 100).toFixed(0)}% busy, steal ${(cpu.machine_steal_share * 100).toFixed(1)}%.` +
      (load.client_event_loop_utilization > 0.9
        ? ' The client was saturated: the figures are a lower bound of the server.'
        : ''),
  );
  console.log(
    `server CPU per request: ${cpu.server_cpu_us_per_request.toFixed(0)} µs (all threads) → ` +
      `${fmtInt(1e6 / cpu.server_cpu_us_per_request)} req/s if it had one core to itself; load generator ` +
      `${cpu.client_cpu_us_per_request.toFixed(0)} µs per request`,
  );
  if (cpu.others_core_share >= 0.1) {
    console.log(
      `NOISY: other processes used ${(cpu.others_core_share * 100).toFixed(0)}% of a core meanwhile` +
        (cpu.other_processes.length === 0
          ? ''
          : ` (${cpu.other_processes.map((o) => `${o.name} ${(o.core_share * 100).toFixed(0)}%`).join('; ')})`) +
        ': this run understates the server.',
    );
  }
  const mem = server.memory;
  console.log(
    `server RSS (VmRSS/VmHWM): idle ${fmtMb(server.idle?.rss_mb)}, at load start ${fmtMb(mem.rss_at_load_start_mb)}, ` +
      `max sampled under load ${fmtMb(mem.rss_max_during_load_mb)}, after load ${fmtMb(mem.rss_after_load_mb)}, ` +
      `peak ${fmtMb(mem.peak_after_load_mb)} after the load and ${fmtMb(mem.peak_end_mb)} at the end; ` +
      `startup ${server.startup_s.toFixed(1)} s; SIGTERM → exit ${server.stop.exit} in ` +
      `${server.stop.shutdown_ms.toFixed(0)} ms${server.stop.killed ? ' (did not exit: SIGKILLed)' : ''}`,
  );

  console.log('\nbatch scoring through the API (POST /predict/batch):');
  if (report.batch.skipped) console.log('  skipped (--skip-batch)');
  else if (!report.batch.available) {
    console.log(
      `  not available (probe answered ${report.batch.probe_status ?? 'nothing'}: no such route in this build)`,
    );
  } else {
    console.log(
      table(
        [
          'body',
          'rows/request',
          'body size',
          'requests',
          'median s',
          'rows/s (median)',
          'rows/s (overall)',
          'failures',
        ],
        report.batch.results.map((r) => [
          r.format,
          fmtInt(r.rows_per_request),
          `${r.body_mb.toFixed(1)} MB`,
          String(r.requests),
          r.seconds.length === 0 ? '-' : median(r.seconds).toFixed(3),
          fmtInt(r.rows_per_s_median),
          fmtInt(r.rows_per_s_overall),
          String(r.failures.length),
        ]),
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    for (const r of report.batch.results)
      for (const f of r.failures.slice(0, 3)) console.log(`  ${r.format} failure: ${f}`);
    console.log(
      '  (time to the whole answer; one request at a time, right after the load, after 1 warm-up request each)',
    );
  }

  const log = report.log;
  console.log('\nprediction log consistency:');
  if (log.rows === null) {
    console.log(
      `  NOT CHECKED: ${log.note} at ${log.path} — this build of the server does not log predictions ` +
        `(${log.predict_2xx_received.toLocaleString('en-US')} 2xx /predict answers went unlogged)`,
    );
  } else {
    const expected = log.predict_2xx_received + log.batch_rows_scored;
    console.log(
      `  ${log.consistent ? 'OK      ' : 'MISMATCH'} the log holds ${log.rows.toLocaleString('en-US')} predictions; ` +
        `answered: ${log.predict_2xx_received.toLocaleString('en-US')} 2xx /predict (warm-up + measured) + ` +
        `${log.batch_rows_scored.toLocaleString('en-US')} batch rows = ${expected.toLocaleString('en-US')}` +
        `${log.predict_in_flight_when_client_stopped > 0 ? `, plus up to ${log.predict_in_flight_when_client_stopped} /predict still in flight when the client stopped (the server may have answered and logged them)` : ''}` +
        `; log ${(log.bytes / 2 ** 20).toFixed(0)} MB`,
    );
  }
  const m = server.metrics_after;
  if (m) {
    const pick = (k) => (m[k] === undefined ? '-' : m[k].toLocaleString('en-US'));
    console.log(
      `  /metrics at the end: cardwatch_predictions_total ${pick('cardwatch_predictions_total')}, ` +
        `prediction_log_written_total ${pick('cardwatch_prediction_log_written_total')}, ` +
        `prediction_log_refused_total ${pick('cardwatch_prediction_log_refused_total')}`,
    );
  }

  if (report.in_process) {
    const ip = report.in_process;
    console.log(
      `\nin-process scoring (loadScorer → scorer.score, ${ip.rows.toLocaleString('en-US')} rows in batches of ` +
        `${ip.chunk.toLocaleString('en-US')}, server stopped; median of 3 passes after a warm-up):`,
    );
    console.log(
      table(
        [
          'engine',
          'contributions',
          'rows/s (median)',
          'rows/s (best)',
          `target ≥ ${fmtInt(TARGET.inProcessRowsPerS)}`,
        ],
        ip.runs.map((r) => [
          r.engine,
          r.contributions ? 'yes' : 'no',
          fmtInt(r.rows_per_s_median),
          fmtInt(r.rows_per_s_best),
          r.contributions ? '(as the batch route)' : verdict(r.rows_per_s_median >= TARGET.inProcessRowsPerS),
        ]),
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    console.log(
      `  one row per call (as /predict: score + contributions): ${ip.single_row_call_us.toFixed(1)} µs per call ` +
        `→ at most ${fmtInt(1e6 / ip.single_row_call_us)} calls/s on one thread for the model alone`,
    );
  }
  if (report.profile) {
    console.log('\nserver CPU profile (node --cpu-prof), main thread:');
    if (report.profile.error) console.log(`  ${report.profile.error}`);
    else {
      for (const [title, summary] of [
        ['the measured /predict + GET / load', report.profile.load],
        ['the POST /predict/batch requests', report.profile.batch],
      ]) {
        if (summary === null) continue;
        console.log(`\n  — ${title} —`);
        console.log(
          formatProfileSummary(summary, 20)
            .split('\n')
            .map((l) => `  ${l}`)
            .join('\n'),
        );
      }
      console.log(`\n  profile: ${report.profile.file} (open it in Chrome DevTools → Performance)`);
    }
  }
}

const report = await main().catch((error) => {
  console.error(`bench/api.mjs failed: ${error.message}`);
  killChildren();
  process.exit(1);
});
print(report);
mkdirSync(OUT_DIR, { recursive: true });
mkdirSync(join(OUT_FILE, '..'), { recursive: true });
writeFileSync(OUT_FILE, `${JSON.stringify(report, null, 2)}\n`);
appendFileSync(
  join(OUT_DIR, 'api-history.jsonl'),
  `${JSON.stringify({
    at: report.started_at,
    requests_per_s: report.load.requests_per_s,
    p50_ms: report.load.latency_ms.p50,
    p90_ms: report.load.latency_ms.p90,
    p99_ms: report.load.latency_ms.p99,
    errors: report.load.errors,
    non2xx: report.load.non2xx,
    rss_mb: report.server.memory.rss_after_load_mb,
    peak_rss_mb: report.server.memory.peak_end_mb,
    load_average: report.load.load_average,
    server_cpu_us_per_request: report.load.cpu.server_cpu_us_per_request,
    others_core_share: report.load.cpu.others_core_share,
    pin: report.options.pin,
    cpu_prof: report.options.cpu_prof,
    log_consistent: report.log.consistent,
  })}\n`,
);
console.log(`\nwrote ${OUT_FILE}`);
process.exit(0);
