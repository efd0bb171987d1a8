/**
 * A throw-away PostgreSQL server for tests and benches: `initdb` into a temporary folder, `pg_ctl start` on
 * 127.0.0.1 with a free port, one fresh database; `stop()` shuts it down and deletes the folder.
 *
 * PostgreSQL refuses to run as root, and CI runs as root: the binaries then run as the `postgres` user (Debian
 * creates it with the package) through `runuser`, and the folder is handed to that user.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  readonly url: string;
  /** A URL of another fresh database on the same server (one per test suite keeps suites apart). */
  createDatabase(name: string): Promise<string>;
  /** The postmaster's process id (its backends are its children; benches read their CPU time). */
  readonly pid: number;
  stop(): Promise<void>;
}

/** The folder of Debian's PostgreSQL binaries (the newest major version installed), or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? null : join(root, versions[0] as string, 'bin');
}

function ownerOf(dir: string): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  return { uid, gid };
}

function run(bin: string, args: readonly string[], asPostgres: boolean): void {
  const [file, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];
  execFileSync(file as string, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Starts a server. fsync is off: a test database need not survive a power cut, and commits get ~10× cheaper.
 * @example
 * const server = await startTestPostgres();
 * const store = await openPredictionStore({ url: server.url });
 * await server.stop();
 */
export async function startTestPostgres(database = 'cardwatch'): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'cardwatch-pg-'));
  const asPostgres = ownerOf(dir) !== null;
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    run(
      join(bin, 'initdb'),
      ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'],
      asPostgres,
    );
    run(
      join(bin, 'pg_ctl'),
      [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`,
        'start',
      ],
      asPostgres,
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const base = `postgres://postgres@127.0.0.1:${port}`;
  async function createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    } finally {
      await client.end();
    }
    return `${base}/${name}`;
  }
  const url = await createDatabase(database);
  let stopped = false;
  // The first line of postmaster.pid is the server's process id.
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url,
    createDatabase,
    pid,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asPostgres);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
