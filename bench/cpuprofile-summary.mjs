// Where did a process spend its CPU? Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`): self time
// by function and by area (a package under node_modules, a cardwatch module under dist/, Node's core, the
// garbage collector), and inclusive time of the busiest functions. Used by bench/api.mjs --cpu-prof.
//
//   node bench/cpuprofile-summary.mjs FILE.cpuprofile [top=25]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The area a call frame belongs to: npm package, cardwatch module, Node core or a V8 pseudo-frame. */
export function areaOf(frame) {
  const url = frame.url ?? '';
  if (url === '') {
    if (frame.functionName.startsWith('(')) return frame.functionName;
    return '(native code)';
  }
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inModules) return inModules[1];
  const inDist = /\/dist\/([^/]+)\//.exec(url);
  if (inDist) return `cardwatch dist/${inDist[1]}`;
  if (url.startsWith('node:')) {
    const path = url.slice('node:'.length).replace(/^internal\//, '');
    return `node:${path.split('/')[0].replace(/^_/, '').replace(/_.*$/, '')}`;
  }
  if (url.includes('/bench/')) return 'bench';
  return url;
}

function frameKey(frame) {
  const url = frame.url ?? '';
  const file = url === '' ? '' : ` ${url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}`;
  return `${frame.functionName || '(anonymous)'}${file}${url === '' ? '' : `:${frame.lineNumber + 1}`}`;
}

/**
 * Aggregates the samples of `profile` whose time (µs, the monotonic clock of the profiled process) falls in
 * [from, to]: all samples when no window is given, and when the window holds none (unless `wholeIfEmpty` is
 * false: then null).
 */
export function summarizeProfile(profile, { from = null, to = null, top = 25, wholeIfEmpty = true } = {}) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const times = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) {
    t += delta;
    times.push(t);
  }
  const interval =
    profile.samples.length > 1 ? (profile.endTime - profile.startTime) / profile.samples.length : 1000;
  let chosen = profile.samples.map((_, i) => i);
  let windowed = false;
  if (from !== null && to !== null) {
    const inside = chosen.filter((i) => times[i] >= from && times[i] <= to);
    if (inside.length > 0) {
      chosen = inside;
      windowed = true;
    } else if (!wholeIfEmpty) return null;
  }
  const self = new Map();
  const selfByArea = new Map();
  const inclusive = new Map();
  let busy = 0;
  let idle = 0;
  for (const i of chosen) {
    const leaf = nodes.get(profile.samples[i]);
    const frame = leaf.callFrame;
    if (frame.functionName === '(idle)') {
      idle += 1;
      continue;
    }
    busy += 1;
    const key = frameKey(frame);
    self.set(key, (self.get(key) ?? 0) + 1);
    const area = areaOf(frame);
    selfByArea.set(area, (selfByArea.get(area) ?? 0) + 1);
    const seen = new Set();
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = nodes.get(id);
      const name = node.callFrame.functionName;
      if (name === '(root)' || name === '(program)' || name === '(garbage collector)') continue;
      const k = frameKey(node.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
    }
  }
  const ranked = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, samples]) => ({ name, samples, share_of_busy: busy === 0 ? 0 : samples / busy }));
  return {
    windowed,
    sample_interval_us: interval,
    samples: chosen.length,
    busy_samples: busy,
    idle_samples: idle,
    self_by_area: ranked(selfByArea),
    self_by_function: ranked(self),
    inclusive_by_function: ranked(inclusive),
  };
}

/** The summary as text lines. */
export function formatProfileSummary(summary, top = 25) {
  const pct = (share) => `${(share * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `${summary.samples} samples (${summary.windowed ? 'inside the window' : 'the whole process life'}), ` +
      `${summary.busy_samples} busy, ${summary.idle_samples} idle; shares are of the busy samples (main thread)`,
    '',
    'self time by area:',
    ...summary.self_by_area.slice(0, top).map((r) => `  ${pct(r.share_of_busy)}  ${r.name}`),
    '',
    'self time by function:',
    ...summary.self_by_function.slice(0, top).map((r) => `  ${pct(r.share_of_busy)}  ${r.name}`),
    '',
    'inclusive time by function:',
    ...summary.inclusive_by_function.slice(0, top).map((r) => `  ${pct(r.share_of_busy)}  ${r.name}`),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: node bench/cpuprofile-summary.mjs FILE.cpuprofile [top=25]');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 25);
  console.log(formatProfileSummary(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), { top }), top));
}
