/**
 * What a sweep runs: a list of trials, each a list of config overrides. Trials come from `train --multirun`
 * (a grid over comma lists) or from a sweep file (`configs/sweeps/NAME.yaml`: a grid, or a seeded random
 * search over lists and ranges). Trials are only planned here; `run-sweep.ts` runs them.
 */
import { z } from 'zod';
import { expandMultirun, type Multirun, parseOverride, readConfigFile } from '../config/index.js';
import { CardwatchError } from '../util/errors.js';
import { Prng } from '../util/prng.js';

/** One trial: the overrides it trains with, and the swept ones among them (for tables). */
export interface TrialPlan {
  /** 1-based, in the order trials are started. */
  index: number;
  /** Every override of the trial: the fixed ones, then the swept ones. */
  overrides: string[];
  /** Swept key → value as typed. */
  params: Record<string, string>;
}

export interface SweepPlan {
  method: 'grid' | 'random';
  /** Where the plan came from: `--multirun` or the sweep file's path. */
  source: string;
  name: string | null;
  /** Seed of the random search (null for a grid). */
  seed: number | null;
  /** Overrides every trial shares. */
  fixed: string[];
  trials: TrialPlan[];
  /** Trials to run at once, if the sweep file says (the CLI's --parallel wins). */
  parallel: number | null;
}

const scalar = z.union([z.number(), z.string(), z.boolean()]);
const choiceValue = z.union([scalar, z.array(scalar)]);

const rangeSchema = z
  .strictObject({
    min: z.number(),
    max: z.number(),
    /** Grid: the spacing of the values; random: draws are rounded to min + k·step. */
    step: z.number().positive().optional(),
    /** Random: draw log-uniformly (learning rates, weight decay). */
    log: z.boolean().default(false),
    /** Round to whole numbers (layer sizes, batch sizes). */
    int: z.boolean().default(false),
  })
  .refine((range) => range.max >= range.min, 'max must be >= min')
  .refine((range) => !range.log || range.min > 0, 'a log range needs min > 0');

const paramSchema = z.union([
  z.array(choiceValue).min(1),
  z.strictObject({ values: z.array(choiceValue).min(1) }),
  rangeSchema,
]);
type ParamSpec = z.infer<typeof paramSchema>;

export const sweepFileSchema = z
  .strictObject({
    name: z.string().min(1).optional(),
    method: z.enum(['grid', 'random']).default('grid'),
    /** Random search: how many trials to draw. */
    trials: z.number().int().positive().optional(),
    /** Random search: the seed of the draws (the model's own seed is the config's `seed`). */
    seed: z.number().int().min(0).default(0),
    /** Trials run at once (default: the core count). */
    parallel: z.number().int().positive().optional(),
    /** Overrides every trial shares, e.g. [training.epochs=10]. */
    overrides: z.array(z.string()).default(() => []),
    /** Config key → a list of values, {values: [...]}, or a range {min, max, step?, log?, int?}. */
    params: z.record(z.string(), paramSchema).refine((params) => Object.keys(params).length > 0, {
      message: 'params must name at least one key to sweep',
    }),
  })
  .refine((file) => file.method === 'grid' || file.trials !== undefined, {
    message: 'a random search needs trials: N',
    path: ['trials'],
  })
  .refine((file) => file.method === 'random' || file.trials === undefined, {
    message: 'trials applies to method: random (a grid runs every combination)',
    path: ['trials'],
  });
export type SweepFile = z.infer<typeof sweepFileSchema>;

/** A value as override text: numbers and plain words as typed, lists in YAML flow style. */
export function overrideValueText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(overrideValueText).join(',')}]`;
  if (typeof value === 'string') return /^[A-Za-z_][\w.-]*$/.test(value) ? value : JSON.stringify(value);
  return String(value);
}

/** Six significant digits: 0.000912345678 reads 0.000912346 in tables and overrides, with no loss that matters. */
function tidy(value: number): number {
  return Number(value.toPrecision(6));
}

function isRange(spec: ParamSpec): spec is z.infer<typeof rangeSchema> {
  return !Array.isArray(spec) && 'min' in spec;
}

function gridValues(key: string, spec: ParamSpec): unknown[] {
  if (Array.isArray(spec)) return spec;
  if (!isRange(spec)) return spec.values;
  if (spec.step === undefined) {
    throw new CardwatchError(
      'CONFIG_INVALID',
      `sweep param ${key}: a grid over a range needs a step (or list the values)`,
    );
  }
  const values: number[] = [];
  // The epsilon keeps max itself when (max − min) / step is whole but not exactly so in floating point.
  for (let k = 0; spec.min + k * spec.step <= spec.max + spec.step * 1e-9; k++) {
    const value = tidy(spec.min + k * spec.step);
    values.push(spec.int ? Math.round(value) : value);
  }
  return values;
}

function drawValue(spec: ParamSpec, prng: Prng): unknown {
  if (Array.isArray(spec)) return spec[prng.int(spec.length)];
  if (!isRange(spec)) return spec.values[prng.int(spec.values.length)];
  let value = spec.log
    ? Math.exp(prng.uniform(Math.log(spec.min), Math.log(spec.max)))
    : prng.uniform(spec.min, spec.max);
  if (spec.step !== undefined) {
    value = spec.min + Math.round((value - spec.min) / spec.step) * spec.step;
    value = Math.min(value, spec.max);
  }
  return spec.int ? Math.round(value) : tidy(value);
}

function trialsOf(fixed: string[], assignments: Record<string, string>[]): TrialPlan[] {
  return assignments.map((params, i) => ({
    index: i + 1,
    overrides: [...fixed, ...Object.entries(params).map(([key, value]) => `${key}=${value}`)],
    params,
  }));
}

/** The cartesian product of the value lists, the first key varying slowest. */
function grid(axes: [string, string[]][]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [key, values] of axes)
    out = out.flatMap((row) => values.map((value) => ({ ...row, [key]: value })));
  return out;
}

/** The plan of `cardwatch train --multirun …` (see `parseMultirun` in config). */
export function planMultirun(multirun: Multirun): SweepPlan {
  if (multirun.axes.length === 0) {
    throw new CardwatchError(
      'CONFIG_OVERRIDE_SYNTAX',
      '--multirun needs at least one override with comma-separated values, e.g. training.lr=0.001,0.003',
    );
  }
  const trials = expandMultirun(multirun).map((overrides, i) => ({
    index: i + 1,
    overrides,
    // The swept overrides follow the fixed ones; each is `key=value` with a checked key.
    params: Object.fromEntries(
      overrides.slice(multirun.fixed.length).map((text) => {
        const eq = text.indexOf('=');
        return [text.slice(0, eq), text.slice(eq + 1)];
      }),
    ),
  }));
  return {
    method: 'grid',
    source: '--multirun',
    name: null,
    seed: null,
    fixed: multirun.fixed,
    trials,
    parallel: null,
  };
}

/** Plans the trials of a parsed sweep file. */
export function planSweepFile(file: SweepFile, source: string): SweepPlan {
  for (const text of file.overrides) parseOverride(text);
  const keys = Object.keys(file.params);
  for (const key of keys) parseOverride(`${key}=0`); // the key syntax; values are checked per trial
  let assignments: Record<string, string>[];
  if (file.method === 'grid') {
    assignments = grid(keys.map((key) => [key, gridValues(key, file.params[key]!).map(overrideValueText)]));
  } else {
    const prng = new Prng(file.seed, 31);
    assignments = Array.from({ length: file.trials ?? 0 }, () =>
      Object.fromEntries(keys.map((key) => [key, overrideValueText(drawValue(file.params[key]!, prng))])),
    );
  }
  return {
    method: file.method,
    source,
    name: file.name ?? null,
    seed: file.method === 'random' ? file.seed : null,
    fixed: file.overrides,
    trials: trialsOf(file.overrides, assignments),
    parallel: file.parallel ?? null,
  };
}

/**
 * Validates a sweep file's content (as parsed from YAML) and plans its trials.
 * @throws CardwatchError CONFIG_INVALID naming each offending key.
 */
export function parseSweepFile(raw: unknown, source: string): SweepPlan {
  const parsed = sweepFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new CardwatchError('CONFIG_INVALID', `invalid sweep file ${source}:\n  ${lines.join('\n  ')}`, {
      details: lines,
    });
  }
  return planSweepFile(parsed.data, source);
}

/** Reads and plans `configs/sweeps/NAME.yaml`. @throws CardwatchError CONFIG_FILE / CONFIG_INVALID. */
export function loadSweepFile(path: string): SweepPlan {
  return parseSweepFile(readConfigFile(path), path);
}
