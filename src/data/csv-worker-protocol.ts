/** What the async CSV reader sends a parse worker (the reply is a `BodyResult`). */
import type { BodyLayout } from './csv-body.js';

export interface CsvWorkerRequest {
  /** The whole file, a view of a SharedArrayBuffer (shared, not copied). */
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly layout: BodyLayout;
}
