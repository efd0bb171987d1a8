/** `cardwatch` child processes (run from the sources through tsx, so no build is needed). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const ENTRY = join(REPO_ROOT, 'src', 'stream', '__fixtures__', 'cli-entry.ts');

export interface CliProcess {
  readonly child: ChildProcess;
  /** The match of the readiness pattern. */
  readonly match: RegExpMatchArray;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

/** Starts `cardwatch <args>` and resolves once its stdout matches `ready`. */
export function startCliProcess(
  args: readonly string[],
  ready: RegExp,
  readyMs = 60_000,
): Promise<CliProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | string>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit(code ?? signal ?? 'unknown')),
  );
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cardwatch ${args[0]} not ready in ${readyMs} ms:\n${text}`));
    }, readyMs);
    const check = (): void => {
      const match = ready.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolveReady({ child, match, output: () => text, exited });
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      // A no-op once ready: the promise is settled by then.
      reject(new Error(`cardwatch ${args[0]} exited (${code}) before it was ready:\n${text}`));
    });
  });
}

export type StreamProcess = CliProcess;

/** Starts `cardwatch stream <args>` and resolves once it consumes. */
export function startStreamProcess(args: readonly string[], readyMs = 60_000): Promise<StreamProcess> {
  return startCliProcess(['stream', ...args], /cardwatch stream: model/, readyMs);
}
