/**
 * Progress for long work. On a terminal: a live cli-progress bar. Elsewhere (CI logs, pipes): a plain line
 * at most every few seconds and one at the end, so logs stay readable.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  unit: string;
  stream?: NodeJS.WriteStream;
  /** Force plain lines even on a TTY (tests). */
  plain?: boolean;
  /** Print nothing at all. */
  silent?: boolean;
}

const fmt = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return fmt.format(Math.round(value));
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.silent) return { update: () => undefined, finish: () => undefined };
  const started = performance.now();
  if (stream.isTTY && !options.plain) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${options.label.padEnd(12)} {bar} {percentage}% | {value}/{total} ${options.unit} | {detail}`,
        hideCursor: true,
        stream,
        etaBuffer: 50,
        formatValue: (value, _opts, type) =>
          type === 'value' || type === 'total' ? formatCount(value) : String(value),
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(options.total, 0, { detail: '' });
    return {
      update: (done, detail = '') => bar.update(done, { detail }),
      finish: (detail = '') => {
        bar.update(options.total, { detail });
        bar.stop();
      },
    };
  }
  let lastPrint = started;
  return {
    update(done, detail) {
      const now = performance.now();
      if (now - lastPrint < 2000) return;
      lastPrint = now;
      const pct = options.total > 0 ? Math.floor((100 * done) / options.total) : 100;
      stream.write(
        `${options.label}: ${pct}% (${formatCount(done)}/${formatCount(options.total)} ${options.unit})${detail ? ` ${detail}` : ''}\n`,
      );
    },
    finish(detail) {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      stream.write(
        `${options.label}: done, ${formatCount(options.total)} ${options.unit} in ${seconds} s${detail ? ` — ${detail}` : ''}\n`,
      );
    },
  };
}
