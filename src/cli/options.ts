import { z } from 'zod';
import { UsageError } from '../core/errors.js';

/**
 * Every command's flags are checked here, at the boundary, with one zod schema per command:
 * commander hands over strings (or its defaults), the schema turns them into numbers and checks
 * their range, and a problem is one line naming the flag — exit 2 — before anything is read,
 * sent or written.
 */

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
/** One of a fixed set of words. */
export const oneOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z.string().refine((v): v is T => (values as readonly string[]).includes(v), {
    message: `must be one of ${values.join(', ')}`,
  }) as unknown as z.ZodType<T, string>;
/** A comma-separated list of words from a fixed set, at least one. */
export const listOf = <T extends string>(values: readonly [T, ...T[]], flagNote = '') =>
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
/** A non-empty string (a path or a name); absent is "is required" (for options commander cannot require). */
export const text = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') })
    .trim()
    .min(1, 'must not be empty');

const flagName = (key: PropertyKey) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Validates a command's parsed flags; the first problem becomes a UsageError naming its flag. */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const flag = issue.path.length ? flagName(issue.path[0]!) : 'options';
  const value = issue.path.length ? (raw as Record<string, unknown>)[String(issue.path[0])] : undefined;
  const message =
    issue.code === 'custom' || /must/.test(issue.message)
      ? issue.message
      : `${issue.message}${value !== undefined ? `, got '${String(value)}'` : ''}`;
  throw new UsageError(`${flag} ${message}`);
}

/** The options every command that calls a provider API shares (score, probe, generate…). */
export const apiFlags = {
  baseUrl: text().optional(),
  cacheDir: text(),
  cache: z.boolean(),
  prices: text().optional(),
  timeout: int(1, 3_600_000),
  maxRetries: int(0, 20),
};

/** `--batch` and its settings (score, pairwise, generate, probe). */
export const batchFlags = {
  batch: z.boolean().optional(),
  pollInterval: num({ min: 0, max: 86_400, minExclusive: true }),
  batchMaxRequests: int(1, 100_000).optional(),
};

/** The judging options `score` and `pairwise` share. */
export const judgeFlags = {
  judge: text().optional(),
  judges: text().optional(),
  concurrency: int(1, 4096),
  samples: int(1, 100),
  dryRun: z.boolean().optional(),
  maxCost: num({ min: 0 }).optional(),
  minScored: int(0),
  temperature: num({ min: 0, max: 2 }),
  seed: int(0, 2 ** 31 - 1),
  reasks: int(0, 10),
  rpm: int(1).optional(),
  tpm: int(1).optional(),
  json: z.boolean().optional(),
  ...batchFlags,
  ...apiFlags,
};
export type JudgeFlags = z.infer<z.ZodObject<typeof judgeFlags>>;

/** `K/N`: shard K (1-based) of N. */
const shardSpec = z.string().transform((raw, ctx) => {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const k = m ? Number(m[1]) : Number.NaN;
  const n = m ? Number(m[2]) : Number.NaN;
  if (!(n >= 1 && n <= 10_000 && k >= 1 && k <= n)) {
    ctx.addIssue({ code: 'custom', message: `must be K/N with 1 ≤ K ≤ N ≤ 10000, got '${raw}'` });
    return z.NEVER;
  }
  return { k, n };
});

export const scoreFlags = z.object({
  rubric: text(),
  input: text(),
  out: text().optional(),
  summary: text().optional(),
  calibration: text().optional(),
  shard: shardSpec.optional(),
  ...judgeFlags,
});
export type ScoreFlags = z.infer<typeof scoreFlags>;

export const pairwiseFlags = z
  .object({
    rubric: text(),
    input: text().optional(),
    a: text().optional(),
    b: text().optional(),
    contrast: text().optional(),
    match: text(),
    orders: oneOf(['both', 'random', 'ab']),
    out: text().optional(),
    summary: text().optional(),
    ...judgeFlags,
  })
  .superRefine((f, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (f.input && (f.a || f.b)) problem('input', 'and --a/--b are two ways to give the pairs: use one');
    else if (!f.input && !(f.a && f.b))
      problem(
        f.a ? 'b' : f.b ? 'a' : 'input',
        f.a || f.b ? 'is required with the other side' : 'is required (or --a FILE --b FILE)',
      );
    else if (f.contrast && !f.input) problem('contrast', 'pairs the responses of one --input file');
  });
export type PairwiseFlags = z.infer<typeof pairwiseFlags>;

export const calibrateFlags = z.object({
  scores: text(),
  gold: text(),
  criterion: text().optional(),
  level: oneOf(['item', 'group', 'system']),
  scale: text().optional(),
  rater: text().optional(),
  method: oneOf(['isotonic', 'linear', 'none']),
  altTest: z.boolean().optional(),
  epsilon: num({ min: 0, max: 1 }),
  q: probability(),
  minItems: int(2),
  ppi: z.boolean().optional(),
  ppiInterval: oneOf(['clt', 'bootstrap']),
  alpha: probability(),
  bootstrap: int(0, 1_000_000),
  seed: int(0, 2 ** 31 - 1),
  out: z.union([z.string().trim().min(1, 'needs a file name'), z.boolean()]).optional(),
  json: z.boolean().optional(),
  compare: z
    .string()
    .transform((raw, ctx) => {
      const fields = raw
        .split(',')
        .map((s) => s.trim().replace(/^metadata\./, ''))
        .filter(Boolean);
      if (fields.length < 1 || fields.length > 2 || new Set(fields).size !== fields.length) {
        ctx.addIssue({
          code: 'custom',
          message: `takes one or two metadata fields (e.g. role,personalization), got '${raw}'`,
        });
        return z.NEVER;
      }
      return fields;
    })
    .optional(),
});
export type CalibrateFlags = z.infer<typeof calibrateFlags>;

export const goldSampleFlags = z.object({
  scores: text(),
  n: int(1),
  stratify: text().optional(),
  allocation: oneOf(['proportional', 'neyman']),
  seed: int(0, 2 ** 31 - 1),
  out: text(),
  force: z.boolean().optional(),
});

export const goldPlanFlags = z.object({
  scores: text(),
  gold: text().optional(),
  criterion: text(),
  targetHalfwidth: num({ min: 0, minExclusive: true }),
  rho: num({ min: -1, max: 1, minExclusive: true, maxExclusive: true }).optional(),
  scale: text().optional(),
  alpha: probability(),
  json: z.boolean().optional(),
});
export type GoldSampleFlags = z.infer<typeof goldSampleFlags>;

export const gateFlags = z.object({
  baseline: text(),
  current: text(),
  metric: oneOf(['eii', 'aai']),
  maxDrop: num({ min: 0, max: 1 }),
  alpha: probability(),
  failOnRise: z.boolean().optional(),
  minPaired: share(),
  allowMismatch: z.boolean().optional(),
  junit: text().optional(),
  markdown: text().optional(),
  json: z.boolean().optional(),
});
export type GateFlags = z.infer<typeof gateFlags>;

export const baselineSaveFlags = z.object({ out: text(), metric: oneOf(['eii', 'aai']) });

export const PERSONALIZATIONS = ['none', 'profile', 'filler', 'profile-plus'] as const;

export const probeFlags = z.object({
  questions: text(),
  target: text(),
  judge: text(),
  turns: int(1, 50),
  roles: z.string().transform((raw, ctx) => {
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (list.length === 0) {
      ctx.addIssue({ code: 'custom', message: `names no role, got '${raw}'` });
      return z.NEVER;
    }
    return [...new Set(list)];
  }),
  personalization: listOf(PERSONALIZATIONS),
  personas: text().optional(),
  ladder: text().optional(),
  roleFile: text().optional(),
  challenger: text().optional(),
  challengerPrompts: text().optional(),
  stanceRubric: text(),
  seed: int(0, 2 ** 31 - 1),
  out: text(),
  concurrency: int(1, 1024),
  alpha: probability(),
  json: z.boolean().optional(),
  ...batchFlags,
  ...apiFlags,
});
export type ProbeFlags = z.infer<typeof probeFlags>;

export const importFlags = z.object({ out: text() });

export const GENERATE_PERSONALIZATIONS = ['none', 'profile', 'filler'] as const;

export const generateFlags = z.object({
  questions: text(),
  target: text(),
  roles: probeFlags.shape.roles,
  personalization: listOf(GENERATE_PERSONALIZATIONS, ' (profile-plus needs a challenger: use plumb probe)'),
  personas: text().optional(),
  roleFile: text().optional(),
  samples: int(1, 100),
  seed: int(0, 2 ** 31 - 1),
  temperature: num({ min: 0, max: 2 }),
  maxTokens: int(16, 32_768),
  out: text(),
  concurrency: int(1, 4096),
  maxCost: num({ min: 0 }).optional(),
  minGenerated: int(0),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
  ...batchFlags,
  ...apiFlags,
});
export type GenerateFlags = z.infer<typeof generateFlags>;

/** `--by role,personalization`: at most two grouping fields. */
const fieldList = () =>
  z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .optional();

export const analyzeFlags = z.object({
  labels: text(),
  by: fieldList(),
  convention: oneOf(['plumb', 'sycon']),
  alpha: probability(),
  out: text().optional(),
  json: z.boolean().optional(),
});

export const probeJudgeFlags = z.object({
  transcripts: text(),
  judge: text(),
  stanceRubric: text(),
  questions: text().optional(),
  out: text(),
  concurrency: int(1, 4096),
  by: fieldList(),
  convention: oneOf(['plumb', 'sycon']),
  alpha: probability(),
  json: z.boolean().optional(),
  ...apiFlags,
});
