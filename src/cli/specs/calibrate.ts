import { z } from 'zod';
import {
  bool,
  defineCommand,
  type FlagValues,
  flag,
  int,
  num,
  oneOf,
  probability,
  seed,
  share,
  text,
} from '../flags.js';
import { jsonFlag } from './groups.js';

/** `--compare role,personalization`: one or two metadata fields. */
const compareFields = z.string().transform((raw, ctx) => {
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
});

/** `--contrast personalization=none,profile`: a field and two of its levels (b − a). */
const contrastLevels = z.string().transform((raw, ctx) => {
  const m = /^\s*(?:metadata\.)?([^=\s]+)\s*=\s*([^,]+?)\s*,\s*([^,]+?)\s*$/.exec(raw);
  if (!m || m[2] === m[3]) {
    ctx.addIssue({
      code: 'custom',
      message: `takes FIELD=A,B with two different levels (e.g. personalization=none,profile), got '${raw}'`,
    });
    return z.NEVER;
  }
  return { field: m[1]!, a: m[2]!, b: m[3]! };
});

export const calibrateFlags = {
  scores: flag('--scores <file>', 'scores JSONL from plumb score (or another tool, with --scale)', text(), {
    required: true,
  }),
  gold: flag(
    '--gold <file>',
    'gold ratings: JSONL {id, rater?, scores} or a filled rating sheet (.csv/.jsonl)',
    text(),
    {
      required: true,
    },
  ),
  criterion: flag(
    '--criterion <name>',
    'one criterion (or overall); default all, with overall for mapping/PPI/alt-test',
    text().optional(),
  ),
  level: flag(
    '--level <level>',
    'item, group (within metadata.group) or system (means per metadata.system, or --system-field)',
    oneOf(['item', 'group', 'system']),
    { default: 'item' },
  ),
  systemField: flag(
    '--system-field <name>',
    "with --level system: the metadata field that names each item's system (default: system)",
    text().optional(),
  ),
  scale: flag(
    '--scale <min,max>',
    'the score scale when the rubric does not resolve here',
    text().optional(),
  ),
  rater: flag('--rater <name>', 'use one rater instead of the mean over raters', text().optional()),
  method: flag(
    '--method <m>',
    'mapping onto the human scale: isotonic, linear or none',
    oneOf(['isotonic', 'linear', 'none']),
    { default: 'isotonic' },
  ),
  altTest: flag('--alt-test', 'run the alternative-annotator test (needs items with 2+ raters)', bool()),
  epsilon: flag('--epsilon <e>', 'alt-test margin ε', num({ min: 0, max: 1 }), { default: '0.2' }),
  q: flag('--q <q>', 'alt-test Benjamini–Yekutieli FDR level', probability(), { default: '0.05' }),
  minItems: flag('--min-items <n>', 'alt-test: least items per annotator', int(2), { default: '30' }),
  ppi: flag('--ppi', 'prediction-powered estimate of the mean (and of AAI/EII per condition)', bool()),
  compare: flag(
    '--compare <fields>',
    'with --ppi: corrected differences between levels of a metadata field, or effects and their interaction for two (role,personalization)',
    compareFields.optional(),
  ),
  ppiInterval: flag(
    '--ppi-interval <kind>',
    "the interval of ppi_py's own figure, kept in --json for parity only: clt (ppi_mean_ci) or bootstrap (ppboot); plumb's PPI++ interval is design-based either way",
    oneOf(['clt', 'bootstrap']),
    { default: 'clt' },
  ),
  alpha: flag('--alpha <a>', 'PPI interval level (1 − alpha)', probability(), { default: '0.05' }),
  bootstrap: flag('--bootstrap <n>', 'bootstrap resamples', int(0, 1_000_000), { default: '1000' }),
  seed: flag('--seed <s>', 'bootstrap and cross-validation seed', seed(), { default: '1' }),
  out: flag(
    '--out [file]',
    'save the mapping as a calibration artifact (default calibration/<judge>__<rubric>__<criterion>.json)',
    z.union([z.string().trim().min(1, 'needs a file name'), z.boolean()]).optional(),
  ),
  ...jsonFlag('print everything as JSON'),
};
export type CalibrateFlags = FlagValues<typeof calibrateFlags>;

export const goldPlanFlags = {
  scores: flag('--scores <file>', 'scores JSONL (the judged items)', text(), { required: true }),
  targetHalfwidth: flag(
    '--target-halfwidth <h>',
    'the 95% CI half-width wanted, on the score scale',
    num({ min: 0, minExclusive: true }),
    { required: true },
  ),
  gold: flag(
    '--gold <file>',
    'a pilot gold set: its spread and judge–human correlation are used',
    text().optional(),
  ),
  rho: flag(
    '--rho <r>',
    'without a pilot: the judge–human correlation to assume',
    num({ min: -1, max: 1, minExclusive: true, maxExclusive: true }).optional(),
  ),
  criterion: flag('--criterion <name>', 'the score to plan for', text(), { default: 'overall' }),
  clusters: flag(
    '--clusters <field>',
    'plan in whole prompts (the values of this field, e.g. group) rated in full, as gold sample --clusters draws them',
    text().optional(),
  ),
  contrast: flag(
    '--contrast <field=A,B>',
    'plan a contrast paired by prompt: B − A of this field within each prompt (prompts by --clusters, default group)',
    contrastLevels.optional(),
  ),
  scale: flag(
    '--scale <min,max>',
    'the score scale when the rubric does not resolve here',
    text().optional(),
  ),
  alpha: flag('--alpha <a>', '1 − confidence of the interval', probability(), { default: '0.05' }),
  active: flag(
    '--active',
    "also the labels an active draw (gold sample --active) needs for the same half-width, from the judge's uncertainty",
    bool(),
  ),
  floor: flag('--floor <tau>', 'with --active: the share of the budget spread uniformly (0–1)', share(), {
    default: '0.5',
  }),
  ...jsonFlag('print as JSON'),
};
export type GoldPlanFlags = FlagValues<typeof goldPlanFlags>;

export const calibrate = defineCommand({
  path: ['calibrate'],
  description:
    'agreement of judge scores with human gold (3 levels, bootstrap CIs), alt-test, score mapping and PPI estimates',
  flags: calibrateFlags,
  examples: [
    'plumb calibrate --scores runs/demo/eii.scores.jsonl --gold fixtures/gold.jsonl',
    'plumb calibrate --scores runs/demo/eii.scores.jsonl --gold fixtures/gold.jsonl --alt-test --ppi --out calibration/eii-lexicon.json',
    'plumb calibrate --scores other-tool.jsonl --gold gold.csv --scale 1,10 --level group --json',
  ],
});

export const goldPlan = defineCommand({
  path: ['gold', 'plan'],
  description: 'how many gold labels reach a CI half-width, with gold alone and with PPI++',
  flags: goldPlanFlags,
  examples: [
    'plumb gold plan --scores runs/eii.scores.jsonl --gold fixtures/gold.jsonl --target-halfwidth 0.1',
    'plumb gold plan --scores runs/eii.scores.jsonl --rho 0.6 --target-halfwidth 0.05',
    'plumb gold plan --scores runs/eii.scores.jsonl --rho 0.6 --target-halfwidth 0.2 --contrast personalization=none,profile',
    'plumb gold plan --scores runs/eii.scores.jsonl --gold fixtures/gold.jsonl --target-halfwidth 0.25 --active',
  ],
});

export const goldSampleFlags = {
  scores: flag('--scores <file>', 'scores JSONL', text(), { required: true }),
  n: flag('--n <n>', 'how many items (prompts with --clusters); not with --active', int(1).optional()),
  stratify: flag(
    '--stratify <field>',
    'metadata field to stratify on, e.g. role or metadata.personalization',
    text().optional(),
  ),
  allocation: flag(
    '--allocation <a>',
    "proportional (to stratum size) or neyman (to size × the spread of the judge's overall score)",
    oneOf(['proportional', 'neyman']),
    { default: 'proportional' },
  ),
  clusters: flag(
    '--clusters <field>',
    'draw whole prompts: --n values of this field (e.g. group), every scored item of each (not with --stratify)',
    text().optional(),
  ),
  active: flag(
    '--active',
    "draw each item with a probability that grows with the judge's uncertainty (needs --budget; see docs/active-sampling.md)",
    bool(),
  ),
  budget: flag('--budget <n>', 'with --active: the expected number of items to rate', int(1).optional()),
  criterion: flag(
    '--criterion <name>',
    'with --active: the criterion whose uncertainty drives the draw',
    text(),
    { default: 'overall' },
  ),
  floor: flag(
    '--floor <tau>',
    'with --active: the share of the budget spread uniformly, so every item can be drawn (0–1)',
    share(),
    { default: '0.5' },
  ),
  gold: flag(
    '--gold <file>',
    "with --active: pilot gold whose residuals give the judge's spread by score",
    text().optional(),
  ),
  calibration: flag(
    '--calibration <file>',
    'with --active and --gold: a calibration artifact whose map the residuals are taken from',
    text().optional(),
  ),
  seed: flag('--seed <s>', 'sampling seed', seed(), { default: '1' }),
  out: flag('--out <prefix>', 'writes <prefix>.csv and <prefix>.jsonl', text(), { default: 'gold-sheet' }),
  force: flag(
    '--force',
    'replace a sheet that already holds ratings; the old sheet and its ratings are kept as <prefix>.replaced-<time>.*',
    bool(),
  ),
};
export type GoldSampleFlags = FlagValues<typeof goldSampleFlags>;

export const goldSample = defineCommand({
  path: ['gold', 'sample'],
  description:
    'pick items for people to rate (stratified, reproducible) and write a rating sheet (CSV and JSONL)',
  flags: goldSampleFlags,
  check: (f) =>
    f.active
      ? f.budget === undefined
        ? { flag: '--active', message: 'needs --budget N (the expected number of items to rate)' }
        : f.n !== undefined
          ? { flag: '--n', message: 'is not used with --active: the number drawn is set by --budget' }
          : f.stratify || f.clusters
            ? {
                flag: f.stratify ? '--stratify' : '--clusters',
                message: 'is not used with --active (the probabilities come from the judge’s uncertainty)',
              }
            : undefined
      : f.n === undefined
        ? { flag: '--n', message: 'is required (or --active --budget N)' }
        : f.budget !== undefined || f.gold || f.calibration
          ? {
              flag: f.budget !== undefined ? '--budget' : f.gold ? '--gold' : '--calibration',
              message: 'needs --active',
            }
          : undefined,
  examples: [
    'plumb gold sample --scores runs/demo/eii.scores.jsonl --n 12 --clusters group --out sheets/eii-prompts',
    'plumb gold sample --scores runs/demo/eii.scores.jsonl --n 40 --stratify role --out sheets/eii',
    'plumb gold sample --scores runs/demo/eii.scores.jsonl --n 40 --stratify personalization --allocation neyman --out sheets/eii',
    'plumb gold sample --scores runs/demo/eii.scores.jsonl --active --budget 30 --gold fixtures/gold.jsonl --out sheets/eii-active',
  ],
});
