/**
 * The connection pool of the PostgreSQL store: BIGINT columns (ms times) read as JS numbers, connection
 * errors of idle clients reported instead of crashing the process, and URLs printed without their password.
 */
import pg from 'pg';

const INT8_OID = 20;

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

export interface PoolOptions {
  readonly url: string;
  /** Most connections of this process (writes use one at a time; reads and feedback the rest). */
  readonly maxConnections: number;
  readonly onIdleError: (error: Error) => void;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'cardwatch',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        // ms since the epoch fit a double exactly until the year 287,396.
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener an idle client's dropped connection is an uncaught 'error' that ends the process.
  pool.on('error', (error) => options.onIdleError(error));
  return pool;
}
