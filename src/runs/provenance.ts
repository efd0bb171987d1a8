/** Where a run came from: code version, runtime, machine, seed and data — enough to reproduce or question it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const provenanceSchema = z.object({
  cardwatch_version: z.string(),
  git_commit: z.string().nullable(),
  git_dirty: z.boolean().nullable(),
  node_version: z.string(),
  platform: z.string(),
  cpu: z.string(),
  cores: z.number().int(),
  memory_gb: z.number(),
  seed: z.number().int(),
  data_fingerprint: z.string(),
  /** The CSV the prepared dataset was made from (what to prepare again if the dataset is gone). */
  data_source: z.string().nullable().optional(),
  workers: z.number().int(),
  recorded_at: z.string(),
});
export type Provenance = z.infer<typeof provenanceSchema>;

/** The package's own folder: the commit that matters is the code's, whatever the working directory. */
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    // Not a git checkout (e.g. an installed package) or git missing: provenance says "unknown" rather than fail.
    return null;
  }
}

function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function collectProvenance(input: {
  seed: number;
  dataFingerprint: string;
  workers: number;
  dataSource?: string;
}): Provenance {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  return {
    cardwatch_version: packageVersion(),
    git_commit: commit,
    git_dirty: status === null ? null : status.length > 0,
    node_version: process.version,
    platform: `${platform()}-${arch()}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memory_gb: Number((totalmem() / 2 ** 30).toFixed(1)),
    seed: input.seed,
    data_fingerprint: input.dataFingerprint,
    data_source: input.dataSource ?? null,
    workers: input.workers,
    recorded_at: new Date().toISOString(),
  };
}
