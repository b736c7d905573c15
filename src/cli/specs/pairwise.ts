import { defineCommand, type FlagValues, flag, oneOf, text } from '../flags.js';
import { apiFlags, jsonFlag, judgeFlags, nonceFlag, presetFlag, requestProfileFlag } from './groups.js';
import { exportSpec } from './mixed.js';

export const pairwiseFlags = {
  rubric: flag(
    '--rubric <ref>',
    'pairwise rubric: preference, pairwise, id@version, or a path (required; goal_alignment_pairwise under --preset)',
    text().optional(),
  ),
  input: flag(
    '--input <file>',
    'pairs JSONL {id, prompt|messages, response_a, response_b, model_a?, model_b?, metadata?}',
    text().optional(),
  ),
  a: flag('--a <file>', 'responses JSONL for side A, joined by id with --b', text().optional()),
  b: flag('--b <file>', 'responses JSONL for side B, joined by id with --a', text().optional()),
  contrast: flag(
    '--contrast <field=A,B>',
    'pair responses of one --input file by metadata.FIELD (e.g. personalization=none,profile)',
    text().optional(),
  ),
  match: flag(
    '--match <fields>',
    'with --contrast: metadata fields twins share besides the conversation',
    text(),
    {
      default: 'question_id,model,role,personalization,sample',
    },
  ),
  orders: flag(
    '--orders <mode>',
    "both (AB and BA), random (one per pair, from --seed), r-sample (one per pair in input order, as GoalPref-Bench's judge draws it: R's set.seed(456), then sample() per pair; side A is the generic reply) or ab; default both, r-sample under --preset",
    oneOf(['both', 'random', 'r-sample', 'ab']).optional(),
  ),
  out: flag(
    '--out <file>',
    'pairwise JSONL to write (default: runs/<input name>.<rubric>.<judge>.pairwise.jsonl)',
    text().optional(),
  ),
  summary: flag('--summary <file>', 'write the run summary as JSON', text().optional()),
  export: flag(
    '--export <r DIR...>',
    "with --contrast: write the test against 50 % for R — DIR/data.csv (the decided pairs: y, question) and DIR/fit.R (prop.test, binom.test and the lme4::glmer intercept beside plumb's); DIR/<group>/ per group when there are several",
    exportSpec.optional(),
  ),
  ...presetFlag(
    "the released GoalPref-Bench judge (evaluate_alignment.R): rubric goal_alignment_pairwise unless --rubric names another bare-label rubric, --orders r-sample, the R code's request bodies (docs/kelley-riedl-2026.md)",
  ),
  ...requestProfileFlag('judges'),
  ...judgeFlags('pair'),
  ...apiFlags('judges', 'judge replies'),
  ...nonceFlag,
  ...jsonFlag(),
};
export type PairwiseFlags = FlagValues<typeof pairwiseFlags>;

export const pairwise = defineCommand({
  path: ['pairwise'],
  description: 'compare two responses to the same prompt with a pairwise rubric, in both orders',
  flags: pairwiseFlags,
  check: (f) => {
    if (!f.rubric && !f.preset)
      return { flag: '--rubric', message: 'is required (or --preset kelley-riedl-2026)' };
    if (f.input && (f.a || f.b))
      return { flag: '--input', message: 'and --a/--b are two ways to give the pairs: use one' };
    if (!f.input && !(f.a && f.b))
      return {
        flag: f.a ? '--b' : f.b ? '--a' : '--input',
        message: f.a || f.b ? 'is required with the other side' : 'is required (or --a FILE --b FILE)',
      };
    if (f.contrast && !f.input)
      return { flag: '--contrast', message: 'pairs the responses of one --input file' };
    if (f.export && !f.contrast)
      return {
        flag: '--export',
        message: 'writes the test against 50 % of a --contrast run: give --contrast FIELD=A,B',
      };
    if (f.export && f.dryRun) return { flag: '--export', message: 'needs judged pairs: not with --dry-run' };
    return undefined;
  },
  examples: [
    'plumb pairwise --rubric preference --input runs/goalpref/responses.jsonl --contrast personalization=none,profile',
    'plumb pairwise --rubric emotional_validation --input runs/goalpref/responses.jsonl --contrast personalization=none,profile --export r runs/goalpref/r',
    'OPENAI_API_KEY=... plumb pairwise --rubric pairwise --a runs/model-x.jsonl --b runs/model-y.jsonl --judge openai:gpt-4.1-mini',
    'plumb pairwise --rubric pairwise --input pairs.jsonl --judge anthropic:claude-sonnet-4-5 --orders random --seed 7',
    'OPENAI_COMPATIBLE_API_KEY=... plumb pairwise --preset kelley-riedl-2026 --input runs/goalpref/responses.jsonl --contrast personalization=none,profile --judge openai-compatible:openai/gpt-4o-mini --base-url https://openrouter.ai/api/v1',
  ],
});
