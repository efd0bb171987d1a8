/**
 * Run as its own process by drift-thread.test.ts (`node --import tsx`): computes one report on the drift thread
 * and then neither closes the thread nor exits. While the report is computed the worker must keep the process
 * alive (else the top-level await is cut short, exit code 13); once idle it must not (else this never exits).
 */
import { startDriftThread } from '../drift-thread.js';
import { syntheticTable } from '../synthetic-table.js';

const thread = startDriftThread();
const report = await thread.compute({
  reference: syntheticTable({ rows: 500, seed: 1 }),
  current: syntheticTable({ rows: 800, seed: 2 }),
  referenceKey: 'exit-test',
  referenceSource: 'synthetic reference',
  currentSource: 'synthetic current',
  modelVersion: null,
});
console.log(`report of ${report.current.rows} rows`);
