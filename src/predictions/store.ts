/**
 * The prediction store: one interface over the two databases the prediction log can live in.
 *
 * - SQLite (`data/predictions.sqlite`, the embedded default): one machine, one writing process at a time is
 *   best, readers alongside (WAL).
 * - PostgreSQL (`postgres://…`): any number of `cardwatch serve` and `cardwatch stream` processes on any
 *   number of machines write to one database.
 *
 * Both keep the service's contract (`PredictionLog`: a synchronous bounded enqueue on the request path,
 * batched writes behind it) and offer the same asynchronous reads and the stream's idempotent decision log.
 */
import type { Writable } from 'node:stream';
import type { ExportResult } from './csv-export.js';
import type { PredictionLog } from './prediction-log.js';
import type { PredictionRecord, PredictionRow, TimeRange, WindowQuery } from './types.js';

export type StoreKind = 'sqlite' | 'postgres';

/** A decision of `cardwatch stream` as the store holds it (the first one logged for its transaction). */
export interface StoredDecision {
  readonly transactionId: string;
  readonly predictionId: string;
  readonly createdAt: number;
  readonly modelVersion: string;
  readonly score: number;
  readonly threshold: number;
  readonly isFraud: boolean;
}

/** What `logDecisions` did with each record of a batch. */
export interface DecisionLogResult {
  /**
   * One decision per distinct transaction id of the batch, in no particular order: the record just written,
   * or, for a transaction logged before (a redelivery), the decision logged then. Publish these, not the
   * fresh scores: a redelivered transaction then always gets its first decision again.
   */
  readonly decisions: ReadonlyMap<string, StoredDecision>;
  /** How many records were new (the rest were already logged). */
  readonly inserted: number;
}

/** The asynchronous reads both stores offer (the CLI, monitoring, tests). */
export interface StoreReads {
  get(predictionId: string): Promise<PredictionRow | null>;
  countSince(since: Date | number): Promise<number>;
  /** Newest first. */
  recent(limit?: number): Promise<PredictionRow[]>;
  /** Oldest first within `[since, until)`. */
  window(query?: WindowQuery): Promise<PredictionRow[]>;
  exportCsv(range: TimeRange, out: Writable): Promise<ExportResult>;
  /**
   * Labelled predictions (feedback joined to its prediction) whose label arrived within `[since, until)`,
   * oldest label first: the input of quality monitoring.
   */
  labelled(query?: WindowQuery): Promise<PredictionRow[]>;
  /** The stream decision logged for each of `transactionIds` that has one. */
  decisionsFor(transactionIds: readonly string[]): Promise<Map<string, StoredDecision>>;
  /** Rows logged by `cardwatch stream` (for its tests and its drain report). */
  countDecisions(): Promise<number>;
}

/**
 * `recent` and `window` make every store a `MonitorReads` (monitor-queries.ts): drift and quality read their
 * windows (`readMonitorWindow`) from SQLite or PostgreSQL alike (the shared store suite checks it).
 */
export interface PredictionStore extends PredictionLog, StoreReads {
  readonly kind: StoreKind;
  /** Where it is, fit to print: the file path, or the URL without its password. */
  readonly location: string;
  /**
   * Logs decisions of `cardwatch stream` durably before resolving, idempotently by transaction id: a
   * transaction logged before (by this or any other process) is not written again, and its earlier decision
   * is returned. Every record needs a non-empty `transactionId`. Rejects with LOG_UNAVAILABLE when the
   * database fails (nothing of the batch may then be assumed written: retry it whole, it is idempotent).
   */
  logDecisions(records: readonly PredictionRecord[]): Promise<DecisionLogResult>;
}
