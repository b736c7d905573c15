import { type Command, Option } from 'commander';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { NONCE_PATTERN, NONCE_RULE } from '../core/nonce.js';

/**
 * Every flag of every command is declared once, here in a table per command (cli/specs/): its
 * commander text, its help line, its default and the zod schema that turns commander's string into
 * a checked value. commander's options and `--help` are made from the table (addFlags), and the
 * values a command runs with are parsed by the same table (parseFlags) — a problem is one line
 * naming the flag, exit 2, before anything is read, sent or written.
 */
export interface FlagSpec<T = unknown> {
  /** commander's form: `--concurrency <n>`, `--no-cache`, `--out [file]`. */
  flags: string;
  description: string;
  schema: z.ZodType<T>;
  /** commander's default (shown in --help); the schema parses it like a given value. */
  default?: string | boolean;
  /** A flag commander itself insists on (its "required option" message). */
  required?: boolean;
}

export type FlagTable = Record<string, FlagSpec>;
export type FlagValues<T extends FlagTable> = { [K in keyof T]: T[K] extends FlagSpec<infer V> ? V : never };

export function flag<T>(
  flags: string,
  description: string,
  schema: z.ZodType<T>,
  extra: { default?: string | boolean; required?: boolean } = {},
): FlagSpec<T> {
  return { flags, description, schema, ...extra };
}

/** The name commander gives a flag's value (`--pad-tokens` → padTokens, `--no-cache` → cache). */
export function keyOf(spec: FlagSpec): string {
  return new Option(spec.flags).attributeName();
}

/** Adds a table's flags to a commander command, in the table's order. */
export function addFlags(cmd: Command, table: FlagTable): Command {
  for (const spec of Object.values(table)) {
    const option = new Option(spec.flags, spec.description);
    if (spec.default !== undefined) option.default(spec.default);
    if (spec.required) option.makeOptionMandatory();
    cmd.addOption(option);
  }
  return cmd;
}

type Bound = { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean };

/** "a whole number ≥ 1", "a number > 0 and < 1", "a number from 0 to 2". */
function rangeText(b: Bound, whole: boolean): string {
  const kind = whole ? 'a whole number' : 'a number';
  const inclusive = !b.minExclusive && !b.maxExclusive;
  if (b.min !== undefined && b.max !== undefined && inclusive) return `${kind} from ${b.min} to ${b.max}`;
  const parts = [
    b.min === undefined ? null : `${b.minExclusive ? '>' : '≥'} ${b.min}`,
    b.max === undefined ? null : `${b.maxExclusive ? '<' : '≤'} ${b.max}`,
  ].filter(Boolean);
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}

function numeric(whole: boolean, b: Bound) {
  return z.union([z.number(), z.string()]).transform((raw, ctx) => {
    const n = typeof raw === 'number' ? raw : raw.trim() === '' ? Number.NaN : Number(raw.trim());
    const ok =
      Number.isFinite(n) &&
      (!whole || Number.isInteger(n)) &&
      (b.min === undefined || (b.minExclusive ? n > b.min : n >= b.min)) &&
      (b.max === undefined || (b.maxExclusive ? n < b.max : n <= b.max));
    if (!ok) {
      ctx.addIssue({ code: 'custom', message: `must be ${rangeText(b, whole)}, got '${raw}'` });
      return z.NEVER;
    }
    return n;
  });
}

/** A whole number in [min, max]. */
export const int = (min: number, max?: number) => numeric(true, { min, max });
/** A finite number within the bounds. */
export const num = (b: Bound) => numeric(false, b);
/** A significance level or other probability strictly between 0 and 1. */
export const probability = () => num({ min: 0, max: 1, minExclusive: true, maxExclusive: true });
/** A share in [0, 1]. */
export const share = () => num({ min: 0, max: 1 });
/** A seed: a whole number from 0 to 2³¹ − 1. */
export const seed = () => int(0, 2 ** 31 - 1);
/** An on/off flag. */
export const bool = () => z.boolean().optional();
/** One of a fixed set of words. */
export const oneOf = <const T extends string>(values: readonly [T, ...T[]]) =>
  z.string().refine((v): v is T => (values as readonly string[]).includes(v), {
    message: `must be one of ${values.join(', ')}`,
  }) as unknown as z.ZodType<T, string>;
/** A comma-separated list of words from a fixed set, at least one. */
export const listOf = <const T extends string>(values: readonly [T, ...T[]], flagNote = '') =>
  z.string().transform((raw, ctx) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((i) => !(values as readonly string[]).includes(i));
    if (items.length === 0 || bad.length) {
      ctx.addIssue({
        code: 'custom',
        message: `takes a comma-separated list of ${values.join(', ')}${flagNote}; got '${raw}'`,
      });
      return z.NEVER;
    }
    return [...new Set(items)] as T[];
  });
/** A comma-separated list of names, at least one, each once. */
export const names = (what: string) =>
  z.string().transform((raw, ctx) => {
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (list.length === 0) {
      ctx.addIssue({ code: 'custom', message: `names no ${what}, got '${raw}'` });
      return z.NEVER;
    }
    return [...new Set(list)];
  });
/** An http(s) URL: one that does not parse would be sent nowhere, and stamped (credentials and all) everywhere. */
export const url = () =>
  z.string().refine((v) => URL.canParse(v.trim()) && /^https?:$/.test(new URL(v.trim()).protocol), {
    message: 'must be an http(s) URL such as http://localhost:8000/v1',
  });
/** A pinned block nonce: 16 to 64 hex digits (judges/prompt.ts). */
export const nonce = () => z.string().trim().regex(NONCE_PATTERN, NONCE_RULE);
/** A non-empty string (a path or a name); absent is "is required" (for options commander cannot require). */
export const text = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
    .trim()
    .min(1, 'must not be empty');

const flagName = (key: PropertyKey) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** A rule between flags, named by the flag it is reported on: `--input and --a/--b are two ways…`. */
export interface FlagProblem {
  flag: string;
  message: string;
}

/**
 * Parses and range-checks the values commander collected against the command's table; the first
 * problem becomes a UsageError naming its flag. `check` adds the rules between flags.
 */
export function parseFlags<T extends FlagTable>(
  table: T,
  raw: Record<string, unknown>,
  check?: (values: FlagValues<T>) => FlagProblem | undefined,
): FlagValues<T> {
  const shape = Object.fromEntries(Object.values(table).map((spec) => [keyOf(spec), spec.schema]));
  const parsed = z.object(shape).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0];
    const value = key !== undefined ? raw[String(key)] : undefined;
    const message =
      issue.code === 'custom' || /must/.test(issue.message)
        ? issue.message
        : `${issue.message}${value !== undefined ? `, got '${String(value)}'` : ''}`;
    throw new UsageError(`${key !== undefined ? flagName(key) : 'options'} ${message}`);
  }
  const values = parsed.data as FlagValues<T>;
  const problem = check?.(values);
  if (problem) throw new UsageError(`${problem.flag} ${problem.message}`);
  return values;
}

/**
 * A command as the CLI knows it: where it sits (`gold sample`), what it says in --help, its
 * positional arguments, its flags and examples that paste and run. What it runs is paired with it
 * in cli/specs/index.ts, so a command module can import its flag types without a cycle.
 */
export interface CommandDeclaration<T extends FlagTable = FlagTable> {
  path: string[];
  description: string;
  /** commander's argument text: `<out> <shards...>`. */
  args?: string;
  flags: T;
  examples: string[];
  check?: (values: FlagValues<T>) => FlagProblem | undefined;
}

/** A declared command with what it runs (cli/specs/index.ts pairs them). */
export interface CommandSpec<T extends FlagTable = FlagTable> extends CommandDeclaration<T> {
  run: (values: FlagValues<T>, args: string[]) => Promise<void>;
}

/** Declares a command (keeps the table's value types for `check`). */
export function defineCommand<T extends FlagTable>(spec: CommandDeclaration<T>): CommandDeclaration<T> {
  return spec;
}
