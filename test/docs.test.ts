/**
 * The generated references (docs/reference/) match the code, and the hand-written pages link to files that
 * exist. `npm test` builds before it runs the tests, and scripts/docs.mjs reads that build.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { configSchema } from '../src/config/index.js';
import { REPO_ROOT, scratchDir } from './cli-helpers.js';

const DOCS = join(REPO_ROOT, 'docs');
const reference = (name: string) => readFileSync(join(DOCS, 'reference', name), 'utf8');
const check = (...args: string[]) =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'docs.mjs'), '--check', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });

function leafCommands(command: Command, prefix = 'cardwatch'): string[] {
  return command.commands.flatMap((c) =>
    c.commands.length === 0 ? [`${prefix} ${c.name()}`] : leafCommands(c, `${prefix} ${c.name()}`),
  );
}

describe('generated references', () => {
  it('are up to date with the code', () => {
    const result = check();
    expect(result.status, `${result.stderr}\ndocs/reference is stale: run npm run docs`).toBe(0);
  });

  it('the check fails, saying what to run, when a page differs', () => {
    const copy = scratchDir('cardwatch-docs-');
    cpSync(join(DOCS, 'reference'), copy, { recursive: true });
    writeFileSync(join(copy, 'cli.md'), `${reference('cli.md')}\nhand edit\n`);
    const result = check('--out', copy);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cli\.md is out of date: run npm run docs/);
    expect(result.stderr).not.toMatch(/api\.md/);
  });

  it('cover every command, every route and every config section', async () => {
    const cli = reference('cli.md');
    for (const command of leafCommands(await buildProgram())) expect(cli).toContain(`### ${command}\n`);
    const spec = JSON.parse(reference('openapi.json')) as { paths: Record<string, Record<string, unknown>> };
    const api = reference('api.md');
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const method of Object.keys(methods))
        expect(api).toContain(`### ${method.toUpperCase()} ${path}\n`);
    }
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/health', '/predict', '/metrics']));
    const config = reference('configuration.md');
    for (const section of Object.keys(configSchema.shape).filter((k) => k !== 'seed')) {
      expect(config).toContain(`## ${section}\n`);
    }
  });
});

describe('hand-written docs', () => {
  const pages = readdirSync(DOCS).filter((f) => f.endsWith('.md'));

  it('exist for architecture, getting started, operating and the Python reference', () => {
    expect(pages).toEqual(
      expect.arrayContaining([
        'architecture.md',
        'getting-started.md',
        'operating.md',
        'from-python.md',
        'README.md',
      ]),
    );
    expect(readFileSync(join(DOCS, 'architecture.md'), 'utf8')).toMatch(/```mermaid\n/);
  });

  it('link only to files that exist', () => {
    for (const page of [...pages.map((p) => join(DOCS, p)), join(REPO_ROOT, 'README.md')]) {
      const text = readFileSync(page, 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // http:, https:, mailto:
        expect(existsSync(join(dirname(page), target!)), `${page} → ${target}`).toBe(true);
      }
    }
  });
});
