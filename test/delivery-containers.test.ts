/**
 * What can be checked of the container setup without a Docker engine: every file the Dockerfile and
 * compose.yaml name exists and reaches the build context, ports and env names match the app's defaults, the
 * image's entrypoint + command really serve (run here with /app mapped to this checkout), its HEALTHCHECK
 * passes against that server and fails without one, and the compose `train` job trains and promotes a model.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configSchema } from '../src/config/index.js';
import { ADMIN_KEY_ENV } from '../src/serve/index.js';
import { REPO_ROOT, scratchDir, stop } from './cli-helpers.js';
import { execForm, parseDockerfile, type Instruction } from './dockerfile.js';

const DEFAULTS = configSchema.parse({});
const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const dockerignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
// Compose honours YAML merge keys (`<<: *cardwatch`); the yaml package needs them switched on.
const compose = parseYaml(readFileSync(join(REPO_ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as Compose;
const scripts = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

interface Service {
  image?: string;
  entrypoint?: string[];
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

function only(keyword: string, stage?: number): Instruction {
  const found = dockerfile.filter((i) => i.keyword === keyword && (stage === undefined || i.stage === stage));
  expect(found, keyword).toHaveLength(1);
  return found[0]!;
}

const RUNTIME = Math.max(...dockerfile.map((i) => i.stage));
/** The image's package folder, mapped to this checkout when a command runs here. */
const APP = '/app';
const onHost = (arg: string): string =>
  arg.startsWith(`${APP}/`) ? join(REPO_ROOT, arg.slice(APP.length + 1)) : arg;
const entrypoint = execForm(only('ENTRYPOINT', RUNTIME).args);
const command = execForm(only('CMD', RUNTIME).args);
const exposed = Number(only('EXPOSE', RUNTIME).args);
const healthcheck = (() => {
  const args = only('HEALTHCHECK', RUNTIME).args;
  return execForm(args.slice(args.indexOf('CMD') + 3).trim());
})();

describe('Dockerfile', () => {
  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const copies = dockerfile.filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources.filter((s) => s !== '.')) {
        expect(existsSync(join(REPO_ROOT, source)), `COPY ${source}`).toBe(true);
        expect(dockerignore, `.dockerignore excludes ${source}`).not.toContain(source);
      }
    }
    // The build needs these (`prepare` runs .husky/install.mjs); none may be ignored.
    for (const input of [
      'src',
      'web',
      'bin',
      'configs',
      'scripts',
      '.husky',
      'package.json',
      'package-lock.json',
      '.npmrc',
    ]) {
      expect(dockerignore, input).not.toContain(input);
    }
    // Local state and secrets never enter the context.
    for (const excluded of ['.git', 'node_modules', 'data', 'runs', 'models', '.env']) {
      expect(dockerignore).toContain(excluded);
    }
  });

  it('brings .npmrc (onnxruntime-node-install=skip) in before npm ci, and runs scripts that exist', () => {
    expect(readFileSync(join(REPO_ROOT, '.npmrc'), 'utf8')).toMatch(/^onnxruntime-node-install=skip$/m);
    const index = (predicate: (i: Instruction) => boolean): number => dockerfile.findIndex(predicate);
    const npmrc = index((i) => i.keyword === 'COPY' && i.args.includes('.npmrc'));
    const ci = index((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(npmrc).toBeGreaterThanOrEqual(0);
    expect(ci).toBeGreaterThan(npmrc);
    for (const run of dockerfile.filter((i) => i.keyword === 'RUN')) {
      for (const [, name] of run.args.matchAll(/npm run (\S+)/g))
        expect(Object.keys(scripts)).toContain(name);
    }
  });

  it('runtime stage: slim Node LTS, production dependencies only, non-root, files the build stage made', () => {
    expect(only('FROM', RUNTIME).args).toMatch(/^node:\$\{NODE_VERSION\}-\S*slim\b/);
    const version = dockerfile.find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_VERSION='))!;
    // An even major is an LTS line, and the package must support it.
    const major = Number(version.args.split('=')[1]);
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(20);
    expect(dockerfile.some((i) => i.stage < RUNTIME && /npm prune --omit=dev/.test(i.args))).toBe(true);
    expect(only('USER', RUNTIME).args).toBe('node');
    const fromBuild = dockerfile.filter((i) => i.stage === RUNTIME && i.args.startsWith('--from=build'));
    for (const copy of fromBuild) {
      const source = copy.args.split(/\s+/)[1]!;
      expect(source.startsWith(`${APP}/`), source).toBe(true);
      const relative = source.slice(APP.length + 1);
      // dist and node_modules are made by the build stage; everything else comes from the repository.
      if (!['dist', 'node_modules'].includes(relative)) {
        expect(existsSync(join(REPO_ROOT, relative)), relative).toBe(true);
      }
    }
  });

  it('exposes the app default port, serves on all interfaces and checks /health on that port', () => {
    expect(exposed).toBe(DEFAULTS.serve.port);
    expect(command.slice(0, 1)).toEqual(['serve']);
    expect(command.join(' ')).toContain('--host 0.0.0.0');
    expect(healthcheck.join(' ')).toContain(`http://127.0.0.1:${exposed}/health`);
    for (const arg of entrypoint.filter((a) => a.startsWith(`${APP}/`))) {
      expect(existsSync(onHost(arg)), arg).toBe(true);
    }
  });
});

describe('the image command run directly', () => {
  const cwd = scratchDir('cardwatch-container-');
  let child: ChildProcess;
  let url = '';

  beforeAll(async () => {
    // The image's entrypoint and command, with --port 0 so the test never collides with a real server on 8000.
    const [node, ...args] = [...entrypoint.map(onHost), ...command, '--port', '0'];
    expect(node).toBe('node');
    child = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    url = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`no "serving" line: ${output}`)), 60_000);
      const read = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /serving .* on http:\/\/\S+:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${match[1]}`);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
  });

  afterAll(async () => {
    if (child) await stop(child);
  });

  it('answers /health, a route the OpenAPI document lists', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const spec = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toContain('/health');
  });

  it('passes the HEALTHCHECK command against it, and fails it when nothing listens', () => {
    const [node, ...args] = healthcheck;
    expect(node).toBe('node');
    const port = new URL(url).port;
    const run = (target: string) =>
      spawnSync(
        process.execPath,
        args.map((a) => a.replace(`127.0.0.1:${exposed}`, target)),
        { timeout: 20_000 },
      );
    expect(run(`127.0.0.1:${port}`).status).toBe(0);
    expect(run('127.0.0.1:9').status).toBe(1);
  });

  it('documents its options', () => {
    const [, ...args] = entrypoint.map(onHost);
    const help = spawnSync(process.execPath, [...args, 'serve', '--help'], { cwd, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--host <host>/);
    expect(help.stdout).toMatch(/--port <port>/);
  });
});

describe('compose.yaml', () => {
  const services = compose.services;

  it('has the train, api, prometheus and grafana services', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'grafana', 'prometheus', 'train']);
  });

  it('every bind-mounted file exists, and named volumes are declared', () => {
    const missing: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source!.startsWith('./')) {
          if (!existsSync(join(REPO_ROOT, source!))) missing.push(`${name}: ${source}`);
        } else {
          expect(Object.keys(compose.volumes), `${name}: volume ${source}`).toContain(source);
        }
      }
    }
    expect(missing, 'bind mounts whose file is missing').toEqual([]);
  });

  it('api waits for the one-shot train job, publishes the app port, and uses the env names the app reads', () => {
    const api = services.api!;
    expect(api.depends_on).toEqual({ train: { condition: 'service_completed_successfully' } });
    expect(api.ports).toEqual([`${DEFAULTS.serve.port}:${exposed}`]);
    expect(Object.keys(api.environment ?? {})).toEqual([ADMIN_KEY_ENV]);
    // Both share the state volume at the image's final working directory.
    const workdir = dockerfile.filter((i) => i.keyword === 'WORKDIR' && i.stage === RUNTIME).at(-1)!.args;
    const state = (s: Service) => (s.volumes ?? []).find((v) => v.startsWith('state:'));
    expect(state(api)).toBe(`state:${workdir}`);
    expect(state(services.train!)).toBe(state(api));
  });

  it('train runs a script the image contains', () => {
    const train = services.train!;
    const script = train.entrypoint!.at(-1)!;
    const copied = dockerfile.some(
      (i) => i.stage === RUNTIME && i.keyword === 'COPY' && i.args.includes(script.slice(APP.length + 1)),
    );
    expect(copied, `${script} is copied into the runtime image`).toBe(true);
    expect(existsSync(onHost(script))).toBe(true);
    // Every variable compose passes is one the script reads.
    const text = readFileSync(onHost(script), 'utf8');
    for (const name of Object.keys(train.environment ?? {})) expect(text, name).toContain(`\${${name}:-`);
  });

  it('prometheus loads the alert rules beside its config and scrapes the api service', () => {
    const mounts = services.prometheus!.volumes!;
    const target = (file: string) => mounts.find((m) => m.startsWith(`./monitoring/${file}:`))?.split(':')[1];
    const configPath = target('prometheus.yml')!;
    const rulesPath = target('alerts.yml')!;
    expect(posix.dirname(rulesPath)).toBe(posix.dirname(configPath));
    const configFile = join(REPO_ROOT, 'monitoring', 'prometheus.yml');
    expect(existsSync(configFile), 'monitoring/prometheus.yml').toBe(true);
    const config = parseYaml(readFileSync(configFile, 'utf8')) as {
      rule_files?: string[];
      scrape_configs?: { metrics_path?: string; static_configs?: { targets: string[] }[] }[];
    };
    const rules = (config.rule_files ?? []).map((file) => posix.resolve(posix.dirname(configPath), file));
    expect(rules).toContain(rulesPath);
    const scrapes = (config.scrape_configs ?? []).filter((s) =>
      (s.static_configs ?? []).some((c) => c.targets.includes(`api:${exposed}`)),
    );
    expect(scrapes.length, `a scrape job with target api:${exposed} (the compose service)`).toBeGreaterThan(
      0,
    );
    expect(scrapes[0]!.metrics_path ?? '/metrics').toBe('/metrics');
  });

  it('grafana gets the Prometheus service as datasource and the dashboard file from the provider path', () => {
    const base = join(REPO_ROOT, 'monitoring', 'grafana', 'provisioning');
    const datasources = parseYaml(readFileSync(join(base, 'datasources', 'prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; url: string }[];
    };
    expect(datasources.datasources[0]!.url).toBe('http://prometheus:9090');
    const providers = parseYaml(readFileSync(join(base, 'dashboards', 'cardwatch.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    const mount = services.grafana!.volumes!.find((v) => v.includes('cardwatch-dashboard.json'))!;
    expect(posix.dirname(mount.split(':')[1]!)).toBe(providers.providers[0]!.options.path);
    const dashboardFile = join(REPO_ROOT, 'monitoring', 'grafana', 'cardwatch-dashboard.json');
    expect(existsSync(dashboardFile), 'monitoring/grafana/cardwatch-dashboard.json').toBe(true);
    // File provisioning does not fill `${DS_…}` inputs: panels must name the provisioned uid (or none).
    const uids = [
      ...readFileSync(dashboardFile, 'utf8').matchAll(/"datasource"\s*:\s*\{[^}]*"uid"\s*:\s*"([^"]+)"/g),
    ].map((m) => m[1]);
    for (const uid of uids)
      expect(['prometheus', '${datasource}', '$datasource', '-- Grafana --']).toContain(uid);
  });
});

describe('the compose train job run directly', () => {
  it('trains, promotes, and with CARDWATCH_RETRAIN=1 promotes a new model only when it passes the gate', () => {
    const cwd = scratchDir('cardwatch-train-job-');
    const overrides = ['data.synthetic_rows=12000', 'training.epochs=1', 'training.workers=1'];
    const run = (env: Record<string, string>) =>
      spawnSync('sh', [join(REPO_ROOT, 'scripts', 'container-train.sh'), ...overrides], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', CARDWATCH_HOME: REPO_ROOT, ...env },
        timeout: 240_000,
      });
    const first = run({});
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/production → /);
    expect(first.stdout).toMatch(/^verdict: same/m);
    const again = run({});
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/a production model exists/);
    const retrain = run({ CARDWATCH_RETRAIN: '1', CARDWATCH_MAX_DROP: '0.99' });
    expect(retrain.status, retrain.stderr).toBe(0);
    expect(retrain.stdout).toMatch(/^gate PASSED/m);
    const aliases = () =>
      JSON.parse(readFileSync(join(cwd, 'models', 'aliases.json'), 'utf8')) as Record<string, string>;
    const promoted = aliases();
    expect(promoted.production).toBe(promoted.candidate);
    // A candidate the gate refuses is not promoted, and the job still succeeds so the API keeps serving.
    const refused = run({ CARDWATCH_RETRAIN: '1', CARDWATCH_MAX_DROP: '-1' });
    expect(refused.status, refused.stderr).toBe(0);
    expect(refused.stdout).toMatch(/the candidate was not promoted/);
    expect(aliases().production).toBe(promoted.production);
    expect(aliases().candidate).not.toBe(promoted.candidate);
  }, 300_000);
});
