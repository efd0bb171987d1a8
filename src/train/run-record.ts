/** `run.json`'s schema lives with the run folders (src/runs); re-exported here for existing imports. */
export { runRecordSchema } from '../runs/run-record.js';
export type { RunRecord } from '../runs/run-record.js';
