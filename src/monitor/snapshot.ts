/** Saving a drift snapshot: `drift.json` (the data) and `drift.html` (rendered from it), written atomically. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDriftHtml } from './render/drift-html.js';
import type { DriftReport } from './report-schema.js';

export const DRIFT_JSON = 'drift.json';
export const DRIFT_HTML = 'drift.html';

function writeAtomically(path: string, text: string): void {
  // A dashboard or cron job reading the previous report never sees a half-written one.
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

export function saveDriftReport(report: DriftReport, dir: string): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, DRIFT_JSON);
  const html = join(dir, DRIFT_HTML);
  writeAtomically(json, `${JSON.stringify(report, null, 2)}\n`);
  writeAtomically(html, renderDriftHtml(report));
  return { json, html };
}
