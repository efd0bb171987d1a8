/** Simulated traffic for demos and tests: generated transactions replayed against a local service. */
export {
  parseSimulateOptions,
  parseDuration,
  parseTargetUrl,
  isLoopbackHost,
  MAX_RATE,
  MAX_DURATION_MS,
  MAX_REQUESTS,
  type SimulateOptions,
  type SimulateOptionsInput,
} from './options.js';
export { runSimulation, type SimulationResult } from './traffic.js';
