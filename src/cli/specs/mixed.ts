import { z } from 'zod';
import { parseWhere } from '../../mixed/fields.js';
import { bool, defineCommand, type FlagValues, flag, int, oneOf, text } from '../flags.js';
import { jsonFlag } from './groups.js';

const asList = (raw: string | string[]) => (Array.isArray(raw) ? raw : [raw]);

/** `--reference FIELD=LEVEL …` (repeatable): field → reference level. */
const referenceSpec = z.union([z.string(), z.array(z.string())]).transform((raw, ctx) => {
  const out: Record<string, string> = {};
  for (const item of asList(raw)) {
    const m = /^\s*([^=\s][^=]*?)\s*=(.*)$/.exec(item);
    const level = m?.[2]?.trim();
    if (!m || !level) {
      ctx.addIssue({
        code: 'custom',
        message: `takes FIELD=LEVEL (e.g. condition=advisor/none), got '${item}'`,
      });
      return z.NEVER;
    }
    if (out[m[1]!] !== undefined && out[m[1]!] !== level) {
      ctx.addIssue({
        code: 'custom',
        message: `gives '${m[1]}' two reference levels (${out[m[1]!]}, ${level})`,
      });
      return z.NEVER;
    }
    out[m[1]!] = level;
  }
  return out;
});

/** `--export r DIR`: the format (only r) and the folder. */
export const exportSpec = z.union([z.string(), z.array(z.string())]).transform((raw, ctx) => {
  const [format, dir, ...rest] = asList(raw).map((s) => s.trim());
  if (format !== 'r' || !dir || rest.length) {
    ctx.addIssue({
      code: 'custom',
      message: `takes a format and a folder: r DIR (writes DIR/data.csv and DIR/fit.R), got '${asList(raw).join(' ')}'`,
    });
    return z.NEVER;
  }
  return { format: 'r' as const, dir };
});

/** `--where FIELD OP VALUE …` (repeatable): row filters, checked here, applied by the library. */
const whereSpec = z.union([z.string(), z.array(z.string())]).transform((raw, ctx) => {
  const list = asList(raw);
  for (const item of list) {
    try {
      parseWhere(item);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^--where /, '') });
      return z.NEVER;
    }
  }
  return list;
});

export const mixedFlags = {
  data: flag(
    '--data <file>',
    'rows: JSONL or CSV, or a plumb output (scores or pairwise JSONL, a probe folder or its transcripts.jsonl, probe labels)',
    text(),
    { required: true },
  ),
  formula: flag(
    '--formula <formula>',
    'lme4 formula, random intercepts only: "y ~ a * b + (1 | g1) + (1 | g2)"; dotted names reach nested fields',
    text(),
    { required: true },
  ),
  family: flag(
    '--family <family>',
    'gaussian (lmer, the default) or binomial (glmer, logit link)',
    oneOf(['gaussian', 'binomial']).optional(),
  ),
  reml: flag('--reml', 'gaussian: fit by REML (the default, as lmer)', bool()),
  ml: flag(
    '--ml',
    'gaussian: fit by maximum likelihood (REML = FALSE), to compare fixed effects by likelihood',
    bool(),
  ),
  nagq: flag(
    '--nagq <k>',
    'binomial: 1 = Laplace (default); 2..25 = adaptive Gauss–Hermite points (one grouping factor only)',
    int(1, 25).optional(),
  ),
  reference: flag(
    '--reference <field=level...>',
    'reference level of a factor (repeatable): condition=advisor/none; otherwise the first in sorted order',
    referenceSpec.optional(),
  ),
  as: flag(
    '--as <shape>',
    'read --data as: auto (recognise plumb outputs), table, scores, pairwise, transcripts, labels',
    oneOf(['auto', 'table', 'scores', 'pairwise', 'transcripts', 'labels']),
    { default: 'auto' },
  ),
  pairwiseUnit: flag(
    '--pairwise-unit <unit>',
    'pairwise lines: one row per pair (ties left out of preferred_a) or per order judged',
    oneOf(['pair', 'order']),
    { default: 'pair' },
  ),
  where: flag(
    '--where <field op value...>',
    'keep only rows that pass (repeatable, all must): turn>=1, metadata.role=advisor, verdict!=tie',
    whereSpec.optional(),
  ),
  out: flag('--out <file>', 'write the fit as JSON (kind mixed-fit)', text().optional()),
  export: flag(
    '--export <r DIR...>',
    'write DIR/data.csv (exactly the rows fitted) and DIR/fit.R (the lme4 call) to re-fit in R',
    exportSpec.optional(),
  ),
  ...jsonFlag('print the fit as JSON (kind mixed-fit)'),
};
export type MixedFlags = FlagValues<typeof mixedFlags>;

export const mixed = defineCommand({
  path: ['mixed'],
  description: 'fit a linear or logistic mixed model (lme4 lmer/glmer) to a data file or a plumb output',
  flags: mixedFlags,
  check: (f) => {
    if (f.reml && f.ml) return { flag: '--reml', message: 'and --ml are two fitting methods: give one' };
    if (f.family === 'binomial' && (f.reml || f.ml))
      return {
        flag: f.reml ? '--reml' : '--ml',
        message: 'applies to gaussian models (a binomial GLMM is fitted by ML)',
      };
    if (f.nagq !== undefined && f.nagq > 1 && f.family !== 'binomial')
      return { flag: '--nagq', message: 'applies to --family binomial' };
    return undefined;
  },
  examples: [
    'plumb mixed --data runs/eii.scores.jsonl --formula "scores.independence ~ metadata.role * metadata.personalization + (1 | metadata.group)"',
    'plumb mixed --data runs/probe --formula "abandoned ~ turn * condition + (1 | question)" --family binomial --reference condition=advisor/none',
    'plumb mixed --data data.csv --formula "y ~ x + (1 | item) + (1 | judge)" --family binomial --export r runs/refit',
  ],
});
