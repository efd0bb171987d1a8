/** How the serving processes (`serve`, `stream`) open their models. */
import type { ScorerOptions } from '../bundle/index.js';
import type { Config } from '../config/index.js';

/** ONNX Runtime's threads per model run from `serve.onnx_threads` (0 = ORT's own default, one per core). */
export function servingScorerOptions(config: Config): ScorerOptions {
  const threads = config.serve.onnx_threads;
  return threads === 0 ? {} : { intraOpThreads: threads };
}
