#!/usr/bin/env node
/**
 * Streaming benchmark: transactions/s end to end through NATS JetStream (publish → `cardwatch stream` →
 * decision received) with 1 and 2 consumer processes sharing one durable consumer and one PostgreSQL store,
 * and the publish → decision latency, side by side. Then the fault run: 2 consumers, one SIGKILLed at 25 %
 * and restarted, and the check that every transaction has exactly one decision and one log row.
 *
 * It starts its own PostgreSQL (initdb in a temp folder) and nats-server, and scores with the `production`
 * model of `models/` (train one with `npm start` first). Everything runs on this machine: the publisher,
 * the decision subscriber, nats-server and PostgreSQL share the cores with the consumers.
 *
 *   npm run build && npm run bench:stream [-- --transactions 100000 --rate 2000 --skip-fault]
 *
 * Phases per consumer count:
 * - throughput: publish N transactions as fast as JetStream takes them; tx/s = N / (last decision − first publish);
 *   the latency there includes the queue that builds up, so it is reported but is not the service latency;
 * - latency: publish at a fixed rate below saturation (default 2,000/s for 10 s) and report p50/p99/max.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => pathToFileURL(join(root, 'dist', path)).href;
if (!existsSync(join(root, 'dist', 'testing', 'postgres.js'))) {
  console.error('build first: npm run build');
  process.exit(1);
}
const { startTestPostgres } = await import(dist('testing/postgres.js'));
const { startTestNats } = await import(dist('testing/nats.js'));
const { connect } = await import('@nats-io/transport-node');
const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
const pg = (await import('pg')).default;

const { values: args } = parseArgs({
  options: {
    transactions: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '2000' },
    'rate-seconds': { type: 'string', default: '10' },
    models: { type: 'string', default: join(root, 'models') },
    'skip-fault': { type: 'boolean', default: false },
    /** Extra `cardwatch stream` flags, e.g. "--batch 512 --in-flight 1". */
    'consumer-args': { type: 'string', default: '' },
    /** Consumer counts to run, e.g. "1,2". */
    consumers: { type: 'string', default: '1,2' },
  },
});
const N = Number(args.transactions);
const RATE = Number(args.rate);
const RATE_SECONDS = Number(args['rate-seconds']);
const MODELS = args.models;
if (
  !existsSync(join(MODELS, 'aliases.json')) ||
  !JSON.parse(readFileSync(join(MODELS, 'aliases.json'), 'utf8')).production
) {
  console.error(
    `no production model in ${MODELS}: run \`npm start\` (or cardwatch train + export --promote) first`,
  );
  process.exit(1);
}

const encoder = new TextEncoder();
/** 1,000 distinct rows reused: building inputs is not what is measured. */
const ROWS = Array.from({ length: 1000 }, (_, r) =>
  Array.from({ length: 28 }, (_, k) => Math.sin(r * 31 + k) * 2),
);
const body = (i) =>
  encoder.encode(
    JSON.stringify({ features: ROWS[i % 1000], amount: (i % 500) + 0.5, time: i, transaction_id: `t${i}` }),
  );

const [postgres, nats] = await Promise.all([startTestPostgres('bench'), startTestNats()]);
const nc = await connect({ servers: nats.url, noAsyncTraces: true });
const js = jetstream(nc);
const jsm = await jetstreamManager(nc);
const children = new Set();
let runs = 0;

function startConsumer(run, storeUrl) {
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_CONSUMER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the consumers.
      ...(process.env.BENCH_CONSUMER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      join(root, 'bin', 'cardwatch.js'),
      'stream',
      '--nats',
      nats.url,
      '--in',
      `tx${run}`,
      '--out',
      `dec${run}`,
      '--store',
      storeUrl,
      '--ack-wait',
      '5000',
      `paths.models=${MODELS}`,
      ...args['consumer-args'].split(' ').filter(Boolean),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal);
    }),
  );
  const ready = (async () => {
    const deadline = Date.now() + 60_000;
    while (!/cardwatch stream: model/.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`consumer did not start:\n${out}`);
      await sleep(20);
    }
  })();
  return { child, ready, exited, output: () => out };
}

/** Publishes transactions [from, to) with at most `window` unacknowledged publishes; `pace` = tx/s or 0. */
async function publish(subject, from, to, sentAt, pace = 0, window = 2000) {
  const pending = new Set();
  const started = performance.now();
  for (let i = from; i < to; i++) {
    if (pace > 0) {
      const due = started + ((i - from) * 1000) / pace;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
    }
    sentAt[i] = performance.now();
    const p = js.publish(subject, body(i)).finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= window) await Promise.race(pending);
  }
  await Promise.all(pending);
}

/** CPU seconds (user + system) of a process, from /proc (Linux); 0 when it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** CPU seconds of the PostgreSQL server: the postmaster and every backend (its children). */
function postgresCpu() {
  let total = cpuSeconds(postgres.pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === postgres.pid) total += cpuSeconds(Number(entry));
    } catch {
      // gone in between
    }
  }
  return total;
}

function percentile(sorted, q) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Subscribes to the decisions; resolves `done` when every transaction in [0, total) has one. */
function collectDecisions(subject, total, sentAt) {
  const latency = new Float64Array(total).fill(NaN);
  let received = 0;
  let last = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const sub = nc.subscribe(subject, {
    callback: (_err, msg) => {
      const id = Number(msg.json().transaction_id.slice(1));
      if (!Number.isNaN(latency[id])) return; // a republished duplicate (deduplicated by the stream)
      const now = performance.now();
      latency[id] = now - sentAt[id];
      last = now;
      if (++received === total) resolveDone();
    },
  });
  return { latency, done, sub, lastAt: () => last, received: () => received };
}

async function storeCounts(url) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const r = await db.query(
      "SELECT count(*)::int AS total, count(DISTINCT transaction_id)::int AS distinct FROM predictions WHERE source = 'stream'",
    );
    return r.rows[0];
  } finally {
    await db.end();
  }
}

async function run(consumers, { fault = false } = {}) {
  const id = ++runs;
  const storeUrl = await postgres.createDatabase(`run${id}`);
  const procs = [];
  // The first creates the streams and the durable consumer; the others join.
  for (let c = 0; c < consumers; c++) {
    const p = startConsumer(id, storeUrl);
    await p.ready;
    procs.push(p);
  }
  const paced = fault ? 0 : Math.round(RATE * RATE_SECONDS);
  const total = N + paced;
  const sentAt = new Float64Array(total);
  const decisions = collectDecisions(`dec${id}`, total, sentAt);

  const cpuAtStart = {
    consumers: procs.reduce((sum, p) => sum + cpuSeconds(p.child.pid), 0),
    nats: cpuSeconds(nats.pid),
    postgres: postgresCpu(),
    bench: process.cpuUsage(),
  };
  // Throughput phase.
  const t0 = performance.now();
  const publishing = publish(`tx${id}`, 0, N, sentAt);
  let killedAt = null;
  if (fault) {
    while (decisions.received() < N / 4) await sleep(20);
    killedAt = decisions.received();
    procs[0].child.kill('SIGKILL');
    await procs[0].exited;
    const again = startConsumer(id, storeUrl);
    await again.ready;
    procs[0] = again;
  }
  await publishing;
  const publishedIn = performance.now() - t0;
  while (decisions.received() < N) await sleep(10);
  const seconds = (decisions.lastAt() - t0) / 1000;
  const saturated = Array.from(decisions.latency.subarray(0, N)).sort((a, b) => a - b);

  // Latency phase, at a fixed rate.
  let pacedSorted = [];
  if (paced > 0) {
    await publish(`tx${id}`, N, total, sentAt, RATE, 500);
    await decisions.done;
    pacedSorted = Array.from(decisions.latency.subarray(N)).sort((a, b) => a - b);
  }
  await decisions.sub.unsubscribe();

  // Wait for every ack, then check exactly-once in the log and in the decisions stream.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const info = await jsm.consumers.info(`TX${id}`, 'cardwatch-scorer');
    if (info.num_pending === 0 && info.num_ack_pending === 0) break;
    if (Date.now() > deadline) throw new Error('consumers did not acknowledge everything');
    await sleep(100);
  }
  const stored = (await jsm.streams.info(`DEC${id}`)).state.messages;
  const benchCpu = process.cpuUsage(cpuAtStart.bench);
  // CPU ms per 1,000 transactions, over both phases (the killed process's CPU is lost: fault runs say "—").
  const perThousand = (seconds) => (seconds * 1000 * 1000) / total;
  const cpu = {
    consumers: fault
      ? NaN
      : perThousand(procs.reduce((sum, p) => sum + cpuSeconds(p.child.pid), 0) - cpuAtStart.consumers),
    nats: perThousand(cpuSeconds(nats.pid) - cpuAtStart.nats),
    postgres: perThousand(postgresCpu() - cpuAtStart.postgres),
    bench: perThousand((benchCpu.user + benchCpu.system) / 1e6),
  };
  const counts = await storeCounts(storeUrl);
  for (const p of procs) p.child.kill('SIGTERM');
  const codes = await Promise.all(procs.map((p) => p.exited));
  return {
    consumers,
    fault,
    killedAt,
    throughput: N / seconds,
    publishRate: N / (publishedIn / 1000),
    saturated: { p50: percentile(saturated, 0.5), p99: percentile(saturated, 0.99) },
    paced: { p50: percentile(pacedSorted, 0.5), p99: percentile(pacedSorted, 0.99), max: pacedSorted.at(-1) },
    total,
    storedDecisions: stored,
    cpu,
    logRows: counts.total,
    distinctLogRows: counts.distinct,
    exitCodes: codes,
    summaries: procs.map((p) => /stopped: .*/.exec(p.output())?.[0] ?? '(no summary)'),
  };
}

const fmt = (v, d = 0) =>
  v === undefined || Number.isNaN(v)
    ? '—'
    : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
try {
  console.log(
    `bench:stream — ${N.toLocaleString('en-US')} transactions per run, latency phase ${RATE}/s × ${RATE_SECONDS} s; ` +
      `model ${JSON.parse(readFileSync(join(MODELS, 'aliases.json'), 'utf8')).production}; Node ${process.version}, ` +
      `${(await import('node:os')).cpus().length} cores`,
  );
  const results = [];
  for (const count of args.consumers.split(',').map(Number)) results.push(await run(count));
  if (!args['skip-fault']) results.push(await run(2, { fault: true }));
  const rows = [
    [
      '',
      ...results.map(
        (r) => `${r.consumers} consumer${r.consumers > 1 ? 's' : ''}${r.fault ? ' + SIGKILL' : ''}`,
      ),
    ],
    ['transactions/s end to end', ...results.map((r) => fmt(r.throughput))],
    ['  (publisher reached, tx/s)', ...results.map((r) => fmt(r.publishRate))],
    [
      'latency at saturation p50 / p99 ms',
      ...results.map((r) => `${fmt(r.saturated.p50)} / ${fmt(r.saturated.p99)}`),
    ],
    [
      `latency at ${RATE}/s p50 / p99 / max ms`,
      ...results.map((r) =>
        r.fault ? '—' : `${fmt(r.paced.p50, 1)} / ${fmt(r.paced.p99, 1)} / ${fmt(r.paced.max, 1)}`,
      ),
    ],
    ['CPU ms / 1,000 tx: cardwatch stream', ...results.map((r) => fmt(r.cpu.consumers))],
    ['  nats-server', ...results.map((r) => fmt(r.cpu.nats))],
    ['  PostgreSQL', ...results.map((r) => fmt(r.cpu.postgres))],
    ['  bench publisher + subscriber', ...results.map((r) => fmt(r.cpu.bench))],
    ['decisions stored (JetStream)', ...results.map((r) => `${fmt(r.storedDecisions)} of ${fmt(r.total)}`)],
    ['log rows (distinct tx ids)', ...results.map((r) => `${fmt(r.logRows)} (${fmt(r.distinctLogRows)})`)],
    [
      'exactly once',
      ...results.map((r) =>
        r.storedDecisions === r.total && r.logRows === r.total && r.distinctLogRows === r.total
          ? 'yes'
          : 'NO',
      ),
    ],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)));
  for (const row of rows) console.log(row.map((cell, c) => String(cell).padEnd(widths[c])).join('  '));
  for (const r of results) {
    if (r.fault)
      console.log(
        `fault run: killed one consumer after ${fmt(r.killedAt)} decisions; survivors: ${r.summaries.join(' | ')}`,
      );
  }
  if (results.some((r) => r.storedDecisions !== r.total || r.logRows !== r.total)) process.exitCode = 1;
} finally {
  for (const child of children) child.kill('SIGKILL');
  await nc.close();
  await nats.stop();
  await postgres.stop();
}
