/**
 * The pre-commit hook (.husky/pre-commit): staged files only, so a commit waits seconds, not a test run.
 * Prettier and ESLint fix what they can and lint-staged re-stages it; a type error anywhere fails the commit,
 * because one file's change can break another's types (tsc checks the project, not single files).
 */

/** Incremental (its state kept under node_modules/.cache), so a commit after the first checks in seconds. */
const TYPECHECK =
  'tsc -p tsconfig.json --noEmit --incremental --tsBuildInfoFile node_modules/.cache/cardwatch/typecheck.tsbuildinfo';

/** Quoted for the shell lint-staged starts (sh or cmd.exe): paths may contain spaces. */
const quote = (files) => files.map((file) => JSON.stringify(file)).join(' ');

export default {
  '*.{ts,js,mjs,cjs}': (files) => [
    `prettier --write ${quote(files)}`,
    `eslint --fix --no-warn-ignored ${quote(files)}`,
    ...(files.some((file) => file.endsWith('.ts')) ? [TYPECHECK] : []),
    // The web app has its own tsconfig (browser libs), as in `npm run typecheck`.
    ...(files.some((file) => /[\\/]web[\\/]src[\\/].*\.ts$/.test(file))
      ? ['tsc -p web/tsconfig.json --noEmit']
      : []),
  ],
  '*.{json,yml,yaml,css,html}': (files) => `prettier --write ${quote(files)}`,
};
