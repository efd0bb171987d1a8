/** What the async CSV reader sends a parse worker (the reply is a `BodyResult`). */
import type { BodyLayout } from './csv-body.js';

export interface CsvWorkerRequest {
  readonly path: string;
  /** The worker parses the lines whose first byte lies in `[from, to)`. */
  readonly from: number;
  readonly to: number;
  /** The file's data: after the header line, before trailing newlines. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly layout: BodyLayout;
}
