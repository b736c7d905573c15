import { bool, defineCommand, type FlagValues, flag, int, names, num, seed, text } from '../flags.js';

export const reportFlags = {
  out: flag('--out <file>', 'the HTML file to write', text(), { required: true }),
  open: flag('--open', 'open it in the default browser', bool()),
};
export type ReportFlags = FlagValues<typeof reportFlags>;

export const rateFlags = {
  rater: flag(
    '--rater <name>',
    'who is rating (default: $USER; with --raters, fixes the page to one of them)',
    text().optional(),
  ),
  raters: flag(
    '--raters <list>',
    'several raters, comma-separated: each picks their name on the page and sees only their items',
    names('rater').optional(),
  ),
  perItem: flag(
    '--per-item <k>',
    'with --raters: raters per item (each item to k different raters; default: all of them)',
    int(1, 1000).optional(),
  ),
  seed: flag('--seed <n>', 'seeds who rates which item and the order pairs are shown in', seed(), {
    default: '0',
  }),
  rubric: flag(
    '--rubric <ref>',
    "the rubric whose criteria and anchors to show (default: the sheet's)",
    text().optional(),
  ),
  port: flag('--port <n>', 'port on 127.0.0.1 (default: a random free one)', int(0, 65_535), {
    default: '0',
  }),
  open: flag('--open', 'open the page in the default browser', bool()),
  active: flag(
    '--active',
    'sequential active sampling: serve the next item by the judge’s uncertainty, stop at --target-width or --budget (see docs/active-sampling.md)',
    bool(),
  ),
  scores: flag(
    '--scores <file>',
    'with --active: the scores to draw from (starts the session)',
    text().optional(),
  ),
  targetWidth: flag(
    '--target-width <w>',
    'with --active: stop when the anytime-valid 95% interval’s half-width is at most this (score scale)',
    num({ min: 0, minExclusive: true }).optional(),
  ),
  budget: flag('--budget <n>', 'with --active: the most labels to collect', int(1).optional()),
  criterion: flag(
    '--criterion <name>',
    'with --active: the criterion to estimate (default overall: every criterion is rated)',
    text().optional(),
  ),
  floor: flag(
    '--floor <tau>',
    'with --active: the share of draws spread uniformly, in (0, 1] (default 0.8; 1 is a uniform draw)',
    num({ min: 0, max: 1, minExclusive: true }).optional(),
  ),
};
export type RateFlags = FlagValues<typeof rateFlags>;

const ACTIVE_ONLY = ['scores', 'targetWidth', 'budget', 'criterion', 'floor'] as const;

export const rate = defineCommand({
  path: ['rate'],
  args: '<sheet>',
  description:
    'a local page to rate a gold sheet item by item, or pairs A/B/tie, by one rater or several with assignment and progress (127.0.0.1, a per-session token, no judge scores shown)',
  flags: rateFlags,
  check: (f) =>
    f.active
      ? f.targetWidth === undefined || f.budget === undefined
        ? { flag: '--active', message: 'needs --target-width W and --budget N' }
        : f.raters
          ? { flag: '--raters', message: 'is not used with --active (one rater serves the sequence)' }
          : undefined
      : ACTIVE_ONLY.some((k) => f[k] !== undefined)
        ? {
            flag: '--active',
            message: 'is missing: --scores, --target-width, --budget, --criterion and --floor belong to it',
          }
        : f.perItem !== undefined && !f.raters
          ? { flag: '--per-item', message: 'needs --raters' }
          : f.raters && f.perItem !== undefined && f.perItem > f.raters.length
            ? {
                flag: '--per-item',
                message: `${f.perItem} is more than the ${f.raters.length} rater(s) of --raters (an item goes to a rater once)`,
              }
            : f.raters && f.rater && !f.raters.includes(f.rater)
              ? { flag: '--rater', message: `${f.rater} is not one of --raters` }
              : undefined,
  examples: [
    'plumb gold sample --scores runs/demo/eii.scores.jsonl --n 40 --out sheets/eii',
    'plumb rate sheets/eii.jsonl --rater ana --open',
    'plumb rate sheets/eii.jsonl --raters ana,ben,cleo --per-item 2',
    'plumb calibrate --scores runs/demo/eii.scores.jsonl --gold sheets/eii.ratings.jsonl',
    'plumb rate sheets/eii-seq.jsonl --active --scores runs/demo/eii.scores.jsonl --target-width 0.25 --budget 60',
  ],
});

export const report = defineCommand({
  path: ['report'],
  args: '<runs...>',
  description:
    'one self-contained HTML report (inline SVG figures, no network) from score/pairwise summaries, calibrate --json, probe and audit folders, gate --json',
  flags: reportFlags,
  examples: [
    'plumb score --rubric eii --input fixtures/responses.jsonl --out runs/eii.scores.jsonl --summary runs/eii.summary.json',
    'plumb calibrate --scores runs/eii.scores.jsonl --gold fixtures/gold.jsonl --ppi --json > runs/calibration.json',
    'plumb report runs/eii.summary.json runs/calibration.json --out runs/report.html',
    'plumb report runs/demo/eii.summary.json runs/demo/calibration.json runs/demo/probe runs/demo/gate.json --out runs/demo/mine.html --open',
  ],
});
