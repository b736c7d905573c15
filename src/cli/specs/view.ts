import { bool, defineCommand, type FlagValues, flag, int, text } from '../flags.js';

export const viewFlags = {
  gold: flag(
    '--gold <file>',
    "people's ratings to show beside the judge's: a gold file, a filled sheet, plumb rate ratings or reviews",
    text().optional(),
  ),
  rubric: flag(
    '--rubric <ref>',
    "the rubric whose anchors to show (default: the run's own; needed to review generated responses)",
    text().optional(),
  ),
  rater: flag('--rater <name>', 'who records reviews and sheets (default: $USER)', text().optional()),
  filter: flag(
    '--filter <view>',
    "start at this view: the page address's part after # (e.g. 'role=advisor&independence=1..2&sort=gold')",
    text().optional(),
  ),
  port: flag('--port <n>', 'port on 127.0.0.1 (default: a random free one)', int(0, 65_535), {
    default: '0',
  }),
  open: flag('--open', 'open the page in the default browser', bool()),
  static: flag(
    '--static <file>',
    'write one self-contained HTML file (no server, no network) of the items --filter selects, and stop',
    text().optional(),
  ),
  sheet: flag(
    '--sheet <prefix>',
    'write the items --filter selects as a rating sheet (<prefix>.csv, .jsonl) for plumb rate, and stop',
    text().optional(),
  ),
  maxItems: flag(
    '--max-items <n>',
    'with --sheet: at most this many items, in the view’s order',
    int(1, 5000),
    {
      default: '200',
    },
  ),
  rebuildIndex: flag('--rebuild-index', "rebuild each run's .view-index even if it is current", bool()),
};
export type ViewFlags = FlagValues<typeof viewFlags>;

export const view = defineCommand({
  path: ['view'],
  args: '<runs...>',
  description:
    'browse, search, filter and compare judged items in the browser (score, pairwise, generate lines, probe and audit folders); reviews, triage into gold sheets, a static copy',
  flags: viewFlags,
  check: (f) =>
    f.static && f.sheet
      ? { flag: '--static', message: 'and --sheet each write and stop: use one' }
      : undefined,
  examples: [
    'plumb score --rubric eii --input fixtures/responses.jsonl --out runs/view/eii.scores.jsonl',
    "plumb view runs/view/eii.scores.jsonl --gold fixtures/gold.jsonl --filter 'sort=gold'",
    "plumb view runs/view/eii.scores.jsonl --filter 'role=peer&independence=1..2' --static runs/view/peer.html",
    "plumb view runs/view/eii.scores.jsonl --gold fixtures/gold.jsonl --filter 'gold=yes&sort=gold' --sheet runs/view/disagree --max-items 20",
  ],
});
