#!/usr/bin/env node
/**
 * Generates the reference pages under docs/reference/ from the code, so they cannot drift from it:
 *   cli.md            from the commander definitions (buildProgram() in src/cli/main.ts)
 *   api.md            from the OpenAPI document the app builds (@fastify/swagger over the route schemas)
 *   openapi.json      that document itself, for tools
 *   configuration.md  from the zod config schema (z.toJSONSchema), with descriptions from configs/default.yaml
 *
 *   node scripts/docs.mjs           write the pages (`npm run docs` builds first, then runs this)
 *   node scripts/docs.mjs --check   exit 1 naming every stale page (CI and test/docs.test.ts)
 *   node scripts/docs.mjs --out DIR write or check DIR instead of docs/reference
 *
 * It reads the compiled output (dist/), like the CLI does.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { apiReference } from './docs/api-reference.mjs';
import { cliReference } from './docs/cli-reference.mjs';
import { configReference } from './docs/config-reference.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: { check: { type: 'boolean', default: false }, out: { type: 'string' } },
});
const outDir = args.out ?? join(ROOT, 'docs', 'reference');

async function load(path) {
  const file = join(ROOT, 'dist', path);
  if (!existsSync(file)) {
    console.error(
      `scripts/docs.mjs: ${file} is missing: run \`npm run build\` (or \`npm run docs\`, which builds)`,
    );
    process.exit(1);
  }
  return import(pathToFileURL(file).href);
}

async function openapiDocument() {
  const { buildApp, staticModelProvider } = await load('serve/index.js');
  // Every optional route on (admin key, runs and models folders), no model, nothing read at build time.
  const app = await buildApp({
    models: staticModelProvider(null),
    adminKey: 'docs',
    runsDir: 'runs',
    modelsDir: 'models',
    webDir: null,
    processMetrics: false,
  });
  await app.ready();
  const spec = app.swagger();
  await app.close();
  return spec;
}

const { buildProgram } = await load('cli/main.js');
const { configSchema } = await load('config/index.js');
const spec = await openapiDocument();

const pages = {
  'cli.md': cliReference(await buildProgram()),
  'api.md': apiReference(spec),
  // Formatted as `npm run format:check` expects (Markdown is outside prettier's scope here: .prettierignore).
  'openapi.json': await prettier.format(JSON.stringify(spec), {
    ...(await prettier.resolveConfig(join(outDir, 'openapi.json'))),
    parser: 'json',
  }),
  'configuration.md': configReference(configSchema, {
    defaultYaml: readFileSync(join(ROOT, 'configs', 'default.yaml'), 'utf8'),
    schemaSource: readFileSync(join(ROOT, 'src', 'config', 'schema.ts'), 'utf8'),
  }),
};

if (args.check) {
  const stale = Object.entries(pages).filter(([name, text]) => {
    const file = join(outDir, name);
    return !existsSync(file) || readFileSync(file, 'utf8') !== text;
  });
  for (const [name] of stale) console.error(`${join(outDir, name)} is out of date: run npm run docs`);
  process.exit(stale.length === 0 ? 0 : 1);
}
mkdirSync(outDir, { recursive: true });
for (const [name, text] of Object.entries(pages)) writeFileSync(join(outDir, name), text);
console.log(
  `wrote ${Object.keys(pages)
    .map((name) => join('docs/reference', name))
    .join(', ')}`,
);
