#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled output (npm install / npm run build produces dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('cardwatch is not built yet: run `npm run build` (npm install does it for you).');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
// Serving keeps the event loop alive; everything else exits with its code.
if (code !== 0) process.exit(code);
