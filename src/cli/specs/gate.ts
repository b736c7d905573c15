import {
  bool,
  defineCommand,
  type FlagValues,
  flag,
  num,
  oneOf,
  probability,
  share,
  text,
} from '../flags.js';
import { jsonFlag } from './groups.js';

export const gateFlags = {
  baseline: flag(
    '--baseline <file>',
    'baseline summary (from `plumb baseline save`, `score --summary` or a probe run)',
    text(),
    { required: true },
  ),
  current: flag('--current <file>', 'current summary, or a run folder', text(), { required: true }),
  metric: flag('--metric <name>', 'eii or aai', oneOf(['eii', 'aai']), { default: 'eii' }),
  maxDrop: flag(
    '--max-drop <d>',
    'largest tolerated fall of the mean, on the 0–1 index scale',
    num({ min: 0, max: 1 }),
    {
      default: '0.02',
    },
  ),
  alpha: flag('--alpha <a>', 'significance level of the one-sided paired t-test', probability(), {
    default: '0.05',
  }),
  failOnRise: flag('--fail-on-rise', 'fail on a rise instead of a drop (for AAI, where up is bad)', bool()),
  minPaired: flag('--min-paired <share>', 'refuse when fewer than this share of items pair up', share(), {
    default: '0.9',
  }),
  allowMismatch: flag(
    '--allow-mismatch',
    'compare runs with a different rubric, judge, calibration or ladder, and say so',
    bool(),
  ),
  junit: flag('--junit <file>', 'write a JUnit XML report', text().optional()),
  markdown: flag(
    '--markdown <file>',
    'write a Markdown report (also appended to $GITHUB_STEP_SUMMARY when set)',
    text().optional(),
  ),
  ...jsonFlag('print the result as JSON'),
};
export type GateFlags = FlagValues<typeof gateFlags>;

export const gate = defineCommand({
  path: ['gate'],
  description:
    'fail (exit 1) when EII (or AAI) dropped significantly against a baseline; exit 2 when runs cannot be compared',
  flags: gateFlags,
  examples: [
    'plumb gate --baseline baselines/eii.json --current runs/eii.summary.json --junit gate.xml',
    'plumb gate --baseline baselines/aai.json --current runs/aai.summary.json --metric aai --fail-on-rise --max-drop 0.05',
  ],
});

export const baselineSaveFlags = {
  out: flag('--out <file>', 'baseline file to write', text(), { required: true }),
  metric: flag(
    '--metric <name>',
    'which summary to take from a score run folder (eii or aai)',
    oneOf(['eii', 'aai']),
    {
      default: 'eii',
    },
  ),
};
export type BaselineSaveFlags = FlagValues<typeof baselineSaveFlags>;

export const baselineSave = defineCommand({
  path: ['baseline', 'save'],
  args: '<run>',
  description: 'save a run summary (file or run folder) as a baseline to commit',
  flags: baselineSaveFlags,
  examples: [
    'plumb baseline save runs/demo --out baselines/eii.json',
    'plumb baseline save runs/probe/summary.json --out baselines/probe.json',
  ],
});

export const demoFlags = {
  out: flag('--out <dir>', 'run folder', text(), { default: 'runs/demo' }),
  ...jsonFlag('print the results as JSON'),
};
export type DemoFlags = FlagValues<typeof demoFlags>;

export const demo = defineCommand({
  path: ['demo'],
  description: 'run the whole pipeline offline on the shipped fixtures (lexicon judge) into a run folder',
  flags: demoFlags,
  examples: ['plumb demo', 'plumb demo --out runs/my-demo'],
});
