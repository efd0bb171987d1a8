/**
 * Whether the servers the scale-out tests start are installed. CI (`.ci/run`) installs both, and there a
 * missing one must fail the run; on a developer machine without them the tests are skipped instead, saying why.
 */
import { natsServerPath } from './nats.js';
import { postgresBinDir } from './postgres.js';

const inCi = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';

/** True when tests needing PostgreSQL should be skipped (not installed, and not in CI). */
export const SKIP_POSTGRES = postgresBinDir() === null && !inCi;
/** True when tests needing nats-server should be skipped (not installed, and not in CI). */
export const SKIP_NATS = natsServerPath() === null && !inCi;

if (SKIP_POSTGRES)
  console.warn('PostgreSQL is not installed: skipping the PostgreSQL tests (apt-get install postgresql)');
if (SKIP_NATS)
  console.warn('nats-server is not installed: skipping the NATS tests (apt-get install nats-server)');
