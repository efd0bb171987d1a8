/**
 * The GitHub workflows and the git hooks, checked where GitHub does not run: the YAML parses, every job has
 * steps, `npm run` names scripts that exist, `cardwatch` invocations name real commands, files they call exist,
 * npm scripts avoid shell syntax that breaks on Windows, and the `prepare` step never fails an install.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT, runCli, scratchDir } from './cli-helpers.js';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  steps: Step[];
  strategy?: { matrix?: Record<string, unknown[]> };
  container?: string;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
// Loaded by URL: the config is plain JS without type declarations (lint-staged reads it as is).
type LintStagedTask = (files: string[]) => string | string[];
const lintStaged = (
  (await import(pathToFileURL(join(REPO_ROOT, 'lint-staged.config.js')).href)) as {
    default: Record<string, LintStagedTask>;
  }
).default;
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};
const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const workflows = Object.fromEntries(
  files.map((f) => [f, parseYaml(readFileSync(join(WORKFLOWS, f), 'utf8')) as Workflow]),
);
const allRuns = Object.entries(workflows).flatMap(([file, w]) =>
  Object.values(w.jobs).flatMap((job) => job.steps.flatMap((s) => (s.run ? [{ file, run: s.run }] : []))),
);

describe('.github/workflows', () => {
  it('has ci, data, model and docker workflows, each with jobs made of steps', () => {
    expect(files.sort()).toEqual(['ci.yml', 'data.yml', 'docker.yml', 'model.yml']);
    for (const [file, workflow] of Object.entries(workflows)) {
      expect(workflow.name, file).toBeTruthy();
      expect(Object.keys(workflow.on).length, file).toBeGreaterThan(0);
      for (const [id, job] of Object.entries(workflow.jobs)) {
        expect(job['runs-on'], `${file} ${id}`).toBeTruthy();
        expect(job.steps.length, `${file} ${id}`).toBeGreaterThan(0);
        for (const step of job.steps) {
          expect(Boolean(step.run) !== Boolean(step.uses), `${file} ${id}: a step runs or uses`).toBe(true);
          // Actions pinned to a major version at least.
          if (step.uses) expect(step.uses, `${file} ${id}`).toMatch(/^[\w.-]+\/[\w./-]+@v\d+/);
        }
      }
    }
  });

  it('only runs npm scripts that exist', () => {
    const names = allRuns.flatMap(({ file, run }) =>
      [...run.matchAll(/npm run ([\w:-]+)/g)].map((m) => [file, m[1]!]),
    );
    expect(names.length).toBeGreaterThan(0);
    for (const [file, name] of names)
      expect(Object.keys(pkg.scripts), `${file}: npm run ${name}`).toContain(name);
  });

  it('only calls cardwatch commands that exist', () => {
    const calls = new Set(
      allRuns.flatMap(({ run }) =>
        [...run.matchAll(/node bin\/cardwatch\.js ([a-z]+)(?: ([a-z]+))?/g)].map((m) =>
          `${m[1]} ${m[2] ?? ''}`.trim(),
        ),
      ),
    );
    expect(calls.size).toBeGreaterThan(3);
    const cwd = scratchDir('cardwatch-workflows-');
    for (const call of calls) {
      const words = call.split(' ');
      // A second word may be an argument rather than a subcommand; help must work with the command alone.
      const help = runCli(cwd, [...words, '--help']);
      const result = help.status === 0 ? help : runCli(cwd, [words[0]!, '--help']);
      expect(result.status, `cardwatch ${call} --help: ${result.stderr}`).toBe(0);
    }
    // The promotion gate is a real command with the options model.yml passes.
    const gate = runCli(cwd, ['models', 'gate', '--help']);
    for (const option of ['--candidate', '--baseline', '--max-drop']) expect(gate.stdout).toContain(option);
  });

  it('ci: checks, a unit matrix of Node 20/22/24 × Linux/macOS/Windows with the npm cache, coverage, browser e2e', () => {
    const ci = workflows['ci.yml']!;
    const unit = ci.jobs.unit!;
    expect(unit.strategy!.matrix!.node).toEqual([20, 22, 24]);
    expect(unit.strategy!.matrix!.os).toEqual(['ubuntu-latest', 'macos-latest', 'windows-latest']);
    for (const job of Object.values(ci.jobs)) {
      const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-node'));
      expect(setup?.with?.cache).toBe('npm');
    }
    const runs = allRuns.filter((r) => r.file === 'ci.yml').map((r) => r.run);
    for (const script of ['format:check', 'lint', 'typecheck', 'docs'])
      expect(runs).toContain(`npm run ${script}`);
    const test = ci.jobs.test!;
    expect(test.steps.some((s) => s.run?.includes('--coverage'))).toBe(true);
    const e2e = ci.jobs.e2e!;
    expect(e2e.steps.some((s) => s.run?.includes('apt-get install') && s.run.includes('chromium'))).toBe(
      true,
    );
    expect(e2e.steps.some((s) => s.run === 'npm run test:e2e')).toBe(true);
    expect(
      test.steps.some(
        (s) => s.uses?.startsWith('actions/upload-artifact') && String(s.with?.path).includes('coverage'),
      ),
    ).toBe(true);
  });

  it('data, model and docker trigger on what they watch', () => {
    const paths = (file: string) => (workflows[file]!.on.push as { paths?: string[] }).paths ?? [];
    expect(paths('data.yml')).toContain('configs/**');
    expect(paths('model.yml')).toEqual(['models/aliases.json']);
    expect((workflows['docker.yml']!.on.push as { tags: string[] }).tags).toEqual(['v*']);
    const gate = allRuns.find((r) => r.file === 'model.yml' && r.run.includes('models gate'))!;
    expect(gate.run).toContain('--max-drop "$MAX_DROP"');
    const summary = allRuns
      .filter((r) => r.file === 'data.yml')
      .map((r) => r.run)
      .join('\n');
    expect(summary).toContain('GITHUB_STEP_SUMMARY');
    expect(summary).toContain('runs show');
  });

  it("model.yml finds the previous production bundle in the alias file's history", () => {
    const step = workflows['model.yml']!.jobs.gate!.steps.find((s) => s.name === 'which bundles')!;
    const repo = scratchDir('cardwatch-model-yml-');
    const git = (...args: string[]) => {
      const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: repo,
        encoding: 'utf8',
      });
      expect(result.status, result.stderr).toBe(0);
    };
    const commitAliases = (production: string) => {
      mkdirSync(join(repo, 'models'), { recursive: true });
      writeFileSync(join(repo, 'models', 'aliases.json'), JSON.stringify({ production }));
      git('add', 'models/aliases.json');
      git('commit', '-q', '-m', production);
    };
    const outputs = (env: Record<string, string> = {}) => {
      const out = join(repo, 'github-output');
      writeFileSync(out, '');
      const result = spawnSync('bash', ['-eo', 'pipefail', '-c', step.run!], {
        cwd: repo,
        encoding: 'utf8',
        env: { ...process.env, GITHUB_OUTPUT: out, BASELINE_INPUT: '', CANDIDATE_INPUT: '', ...env },
      });
      expect(result.status, result.stderr).toBe(0);
      return Object.fromEntries(
        readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split('=') as [string, string]),
      );
    };
    git('init', '-q');
    commitAliases('bundle-a');
    // The first promotion has no predecessor: nothing to gate, and the step does not fail.
    expect(outputs()).toEqual({ baseline: '', candidate: 'production' });
    commitAliases('bundle-b');
    expect(outputs()).toEqual({ baseline: 'bundle-a', candidate: 'production' });
    expect(outputs({ BASELINE_INPUT: 'x', CANDIDATE_INPUT: 'y' })).toEqual({ baseline: 'x', candidate: 'y' });
  });

  it('.ci/run stays the local entry and runs npm test', () => {
    expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });
});

describe('npm scripts', () => {
  it('use no shell syntax that breaks on Windows (cmd.exe) or needs bash', () => {
    for (const [name, script] of Object.entries(pkg.scripts)) {
      // Allowed: `a && b` (cmd.exe has it). Not: env assignments, rm/cp/mkdir -p, $VARS, quotes cmd splits
      // differently, globs the shell must expand, `;`, `||`, subshells, redirections.
      expect(script, name).not.toMatch(/(^|\s)[A-Z_]+=\S/);
      expect(script, name).not.toMatch(/(^|\s)(rm|cp|mv|mkdir|cat|export|test|sh|bash)\s/);
      expect(script, name).not.toMatch(/\$\{?\w|'|;|\|\||[<>]|`|\$\(/);
    }
  });

  it('prepare installs the hooks and still builds', () => {
    expect(pkg.scripts.prepare).toBe('node .husky/install.mjs && npm run build');
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['husky', 'lint-staged']));
  });
});

describe('git hooks', () => {
  const install = join(REPO_ROOT, '.husky', 'install.mjs');
  const run = (cwd: string, env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, [install], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, CI: '', HUSKY: '', NODE_ENV: '', ...env },
    });

  it('the install step succeeds with no .git, on CI and in production, without touching git', () => {
    const cwd = scratchDir('cardwatch-hooks-');
    for (const env of [{}, { CI: 'true' }, { NODE_ENV: 'production' }]) {
      const result = run(cwd, env);
      expect(result.status, result.stderr).toBe(0);
      expect(existsSync(join(cwd, '.husky'))).toBe(false);
    }
  });

  it('in a git checkout it points git at .husky/_ (and does nothing on CI)', () => {
    const cwd = scratchDir('cardwatch-hooks-git-');
    expect(spawnSync('git', ['init', '-q'], { cwd }).status).toBe(0);
    mkdirSync(join(cwd, 'node_modules'));
    // husky is resolved from the script's folder: give the copy the repository's husky.
    cpSync(join(REPO_ROOT, 'node_modules', 'husky'), join(cwd, 'node_modules', 'husky'), { recursive: true });
    mkdirSync(join(cwd, '.husky'));
    cpSync(install, join(cwd, '.husky', 'install.mjs'));
    const hooksPath = () =>
      spawnSync('git', ['config', 'core.hooksPath'], { cwd, encoding: 'utf8' }).stdout.trim();
    const onCi = spawnSync(process.execPath, ['.husky/install.mjs'], {
      cwd,
      env: { ...process.env, CI: 'true' },
    });
    expect(onCi.status).toBe(0);
    expect(hooksPath()).toBe('');
    const local = spawnSync(process.execPath, ['.husky/install.mjs'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, CI: '', HUSKY: '', NODE_ENV: '' },
    });
    expect(local.status, local.stderr).toBe(0);
    expect(hooksPath()).toBe('.husky/_');
    expect(existsSync(join(cwd, '.husky', '_', 'pre-commit'))).toBe(true);
  });

  it('pre-commit runs lint-staged: prettier, eslint and, for TypeScript, the project type check', () => {
    expect(readFileSync(join(REPO_ROOT, '.husky', 'pre-commit'), 'utf8')).toMatch(
      /^npx --no-install lint-staged$/m,
    );
    const task = lintStaged['*.{ts,js,mjs,cjs}']!;
    const forCode = (files: string[]): string[] => [task(files)].flat();
    const ts = forCode(['/repo/src/a.ts', '/repo/my dir/b.mjs']);
    expect(ts).toEqual([
      'prettier --write "/repo/src/a.ts" "/repo/my dir/b.mjs"',
      'eslint --fix --no-warn-ignored "/repo/src/a.ts" "/repo/my dir/b.mjs"',
      'tsc -p tsconfig.json --noEmit --incremental --tsBuildInfoFile node_modules/.cache/cardwatch/typecheck.tsbuildinfo',
    ]);
    expect(forCode(['/repo/bench/x.mjs']).join('\n')).not.toContain('tsc');
    expect(forCode(['/repo/web/src/main.ts']).at(-1)).toBe('tsc -p web/tsconfig.json --noEmit');
    for (const bin of ['prettier', 'eslint', 'tsc', 'lint-staged']) {
      expect(existsSync(join(REPO_ROOT, 'node_modules', '.bin', bin)), bin).toBe(true);
    }
  });
});
