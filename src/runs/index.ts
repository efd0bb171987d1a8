export { createRunDir, latestRunId, listRuns, loadRun, newRunId } from './run-dir.js';
export type { CreateRunOptions, RunDir } from './run-dir.js';
export { collectProvenance, provenanceSchema } from './provenance.js';
export type { Provenance } from './provenance.js';
