// The command line of the API benches (bench/api.mjs, bench/api-ab.mjs): options parsed with node:util, `--help`
// printing the script's own header comment, and integer options checked, each bad one exiting 2 with its name.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * The script's options (`help: -h` is added); `--help` prints the `//` comment under the script's first line.
 * @param {string} scriptUrl the script's import.meta.url
 * @param {import('node:util').ParseArgsConfig['options']} options
 */
export function parseBenchOptions(scriptUrl, options) {
  const script = fileURLToPath(scriptUrl);
  let values;
  try {
    ({ values } = parseArgs({
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (error) {
    console.error(`${error.message} (node bench/${basename(script)} --help lists the options)`);
    process.exit(2);
  }
  if (values.help) {
    const lines = readFileSync(script, 'utf8').split('\n').slice(1);
    const end = lines.findIndex((line) => !line.startsWith('//'));
    console.log(
      lines
        .slice(0, end < 0 ? lines.length : end)
        .map((line) => line.replace(/^\/\/ ?/, ''))
        .join('\n'),
    );
    process.exit(0);
  }
  return values;
}

/** `values[name]` as an integer from 1 to `max`; anything else exits 2 naming the option. */
export function positiveIntOption(values, name, max) {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    console.error(`--${name} must be an integer from 1 to ${max}, got "${values[name]}"`);
    process.exit(2);
  }
  return value;
}
