// Installs the git hooks (husky) from `npm install`/`npm ci`, but never fails the install: CI runners, containers
// and production installs have no use for hooks, and a tarball or a Docker build context has no .git at all.
// This is husky's documented CI-safe `prepare` pattern, plus the missing-.git and missing-husky cases.
import { existsSync } from 'node:fs';

const skip =
  process.env.CI === 'true' ||
  process.env.NODE_ENV === 'production' ||
  process.env.HUSKY === '0' ||
  !existsSync('.git');

if (!skip) {
  try {
    const { default: husky } = await import('husky');
    const message = husky();
    if (message) console.log(`husky: ${message}`);
  } catch (error) {
    // husky is a devDependency: absent after `npm ci --omit=dev`.
    console.log(`husky: git hooks not installed (${error instanceof Error ? error.message : String(error)})`);
  }
}
