/**
 * Where a CPU profile's time went: self time per function (the "Bottom-Up" view of DevTools) and per
 * kind of code (WebAssembly kernels, JavaScript, garbage collection, idle), as data for profile.json.
 */
import type { CpuProfile, CpuProfileNode } from './cpu-profiler.js';

export interface Hotspot {
  function: string;
  /** `file:line` (the file relative to the package when it is ours), or a V8 pseudo-entry like `(garbage collector)`. */
  location: string;
  self_ms: number;
  /** Share of all sampled time, 0–1. */
  share: number;
}

export type CodeKind = 'wasm' | 'javascript' | 'native' | 'gc' | 'idle' | 'program';

export interface ProfileBreakdown {
  total_ms: number;
  samples: number;
  by_kind: Record<CodeKind, number>;
  hotspots: Hotspot[];
}

function kindOf(node: CpuProfileNode): CodeKind {
  const { functionName, url } = node.callFrame;
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)' || functionName === '(root)') return 'program';
  if (url.startsWith('wasm://') || functionName.startsWith('$') || /^wasm-function\[/.test(functionName)) {
    return 'wasm';
  }
  return url === '' ? 'native' : 'javascript';
}

function shortUrl(url: string): string {
  if (url === '') return '';
  if (url.startsWith('wasm://')) return 'wasm';
  const marker = url.search(/\/(dist|src|node_modules)\//);
  return marker >= 0 ? url.slice(marker + 1) : url.replace(/^file:\/\//, '');
}

/** A stretch of the profile, in seconds from its start (a phase such as the epochs). */
export interface ProfileWindow {
  from: number;
  to: number;
}

/**
 * Self time of each node, in microseconds, from the sample timeline (more exact than hit counts); with a
 * window, only the samples taken inside it.
 */
function selfTimes(
  profile: CpuProfile,
  window?: ProfileWindow,
): { times: Map<number, number>; samples: number } {
  const times = new Map<number, number>();
  let count = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let at = 0;
  // timeDeltas[i] is the gap before sample i, so sample i lasts until sample i + 1.
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (window && (at < window.from * 1e6 || at >= window.to * 1e6)) continue;
    const duration = i + 1 < deltas.length ? deltas[i + 1]! : 0;
    times.set(samples[i]!, (times.get(samples[i]!) ?? 0) + Math.max(0, duration));
    count++;
  }
  return { times, samples: count };
}

/**
 * The `top` functions by self time (summed over every call site of a function) and the split by kind.
 * @example cpuProfileBreakdown(profile, 3).hotspots[0] // → { function: 'gemm', location: 'wasm', self_ms: 812.5, share: 0.41 }
 */
export function cpuProfileBreakdown(profile: CpuProfile, top = 15, window?: ProfileWindow): ProfileBreakdown {
  const { times, samples } = selfTimes(profile, window);
  const total = [...times.values()].reduce((a, b) => a + b, 0);
  const byKind: Record<CodeKind, number> = { wasm: 0, javascript: 0, native: 0, gc: 0, idle: 0, program: 0 };
  const byFunction = new Map<string, { function: string; location: string; us: number }>();
  for (const node of profile.nodes) {
    const us = times.get(node.id) ?? 0;
    if (us === 0) continue;
    byKind[kindOf(node)] += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName === '' ? '(anonymous)' : functionName;
    const file = shortUrl(url);
    const location = file === '' ? '' : file === 'wasm' ? 'wasm' : `${file}:${lineNumber + 1}`;
    const key = `${name}@${location}`;
    const entry = byFunction.get(key) ?? { function: name, location, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const ms = (us: number): number => Number((us / 1000).toFixed(1));
  const share = (us: number): number => (total > 0 ? Number((us / total).toFixed(4)) : 0);
  return {
    total_ms: ms(total),
    samples,
    by_kind: Object.fromEntries(Object.entries(byKind).map(([k, us]) => [k, ms(us)])) as Record<
      CodeKind,
      number
    >,
    hotspots: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((entry) => ({
        function: entry.function,
        location: entry.location,
        self_ms: ms(entry.us),
        share: share(entry.us),
      })),
  };
}
