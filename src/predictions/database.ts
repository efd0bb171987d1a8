/**
 * Opening the SQLite file of the prediction log: parent folder, pragmas, schema. The only file of the module
 * that constructs a better-sqlite3 connection (v12: v13 segfaults on Node 20).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { CardwatchError, describeError, isCardwatchError } from '../util/errors.js';
import { migrate, schemaVersion, SCHEMA_VERSION } from './migrations.js';

export interface OpenDatabaseOptions {
  /** How long a statement waits for another connection's lock before failing, in ms. */
  readonly busyTimeoutMs: number;
}

/**
 * Opens (creating it and its folder if needed) and migrates the log for writing.
 * WAL: readers (exports, the CLI) never block the writer and the writer never blocks them.
 * synchronous=NORMAL: in WAL mode a commit is not fsync'ed (only checkpoints are), so a crash of the process
 * loses nothing committed and a power cut can lose the last few commits: the trade for ~10× cheaper commits.
 * The busy timeout blocks the event loop while it waits, so it is kept short; the log retries with backoff.
 */
export function openWritableDatabase(path: string, options: OpenDatabaseOptions): Database {
  return withOpenErrors(path, () => {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new BetterSqlite3(path, { timeout: options.busyTimeoutMs });
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal' && path !== ':memory:') {
        throw new Error(`the file system refused WAL mode (journal_mode is ${String(mode)})`);
      }
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // Cap the -wal file left after checkpoints; without it a burst leaves a file as big as the burst.
      db.pragma('journal_size_limit = 67108864');
      migrate(db, undefined, `the prediction log ${path}`);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  });
}

/**
 * Opens an existing log read-only (the export CLI, while the service keeps writing). A log of another
 * schema version is refused with what to do, rather than queried and failing on a missing column.
 */
export function openReadonlyDatabase(path: string, options: OpenDatabaseOptions): Database {
  return withOpenErrors(path, () => {
    const db = new BetterSqlite3(path, {
      readonly: true,
      fileMustExist: true,
      timeout: options.busyTimeoutMs,
    });
    try {
      const version = schemaVersion(db);
      if (version !== SCHEMA_VERSION) {
        const advice =
          version < SCHEMA_VERSION
            ? 'start the scoring service once (it migrates the log) and retry'
            : 'upgrade cardwatch';
        throw new CardwatchError(
          'LOG_UNAVAILABLE',
          `the prediction log ${path} has schema version ${version}, this cardwatch reads version ${SCHEMA_VERSION}: ${advice}`,
        );
      }
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  });
}

function withOpenErrors(path: string, open: () => Database): Database {
  try {
    return open();
  } catch (error) {
    if (isCardwatchError(error)) throw error;
    // e.g. SQLITE_NOTADB "file is not a database", SQLITE_CANTOPEN, EACCES from mkdir.
    throw new CardwatchError(
      'LOG_UNAVAILABLE',
      `cannot open the prediction log ${path}: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}
