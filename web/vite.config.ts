/**
 * Builds the web app into `dist/web`, which `cardwatch serve` serves at `/ui/`. Prints the gzipped weight of
 * every file and fails the build when the first load (everything: the app is one bundle) passes the budget.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** First-load budget, gzipped (the target). */
export const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;

function kB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

/** Prints each emitted file's raw and gzipped size and the total; throws past the budget. */
function pageWeights(budget: number): Plugin {
  return {
    name: 'cardwatch-page-weights',
    apply: 'build',
    // After Vite's own HTML plugin, so index.html is in the bundle too.
    enforce: 'post',
    generateBundle(_options, bundle) {
      const rows = Object.values(bundle).map((file) => {
        const content = file.type === 'chunk' ? file.code : file.source;
        const raw = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
        return { name: file.fileName, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
      });
      rows.sort((a, b) => b.gzip - a.gzip);
      const total = rows.reduce((sum, row) => sum + row.gzip, 0);
      const width = Math.max(...rows.map((row) => row.name.length));
      const lines = rows.map(
        (row) =>
          `  ${row.name.padEnd(width)}  ${kB(row.raw).padStart(10)}  ${kB(row.gzip).padStart(10)} gzip`,
      );
      this.info(
        `page weights (first load = every file):\n${lines.join('\n')}\n` +
          `  ${'total'.padEnd(width)}  ${''.padStart(10)}  ${kB(total).padStart(10)} gzip (budget ${kB(budget)})`,
      );
      if (total > budget) this.error(`first load is ${kB(total)} gzipped, over the ${kB(budget)} budget`);
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  publicDir: false,
  logLevel: 'info',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // One small bundle: nothing is worth a second round trip, and CSP allows no inline module preload.
    modulePreload: false,
    assetsInlineLimit: 0,
  },
  plugins: [pageWeights(FIRST_LOAD_BUDGET_BYTES)],
});
