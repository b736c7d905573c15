import { z } from 'zod';
import { defineCommand, type FlagValues, flag, text } from '../flags.js';
import { apiFlags, jsonFlag, judgeFlags, nonceFlag } from './groups.js';

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

export const scoreFlags = {
  rubric: flag('--rubric <ref>', 'rubric id, id@version, or path to a rubric file', text(), {
    required: true,
  }),
  input: flag('--input <file>', 'responses JSONL', text(), { required: true }),
  out: flag(
    '--out <file>',
    'scores JSONL to write (default: runs/<input name>.<rubric>.<judge>.scores.jsonl)',
    text().optional(),
  ),
  summary: flag(
    '--summary <file>',
    'write the run summary as JSON (what the gate compares)',
    text().optional(),
  ),
  calibration: flag(
    '--calibration <file>',
    'apply a calibration artifact from `plumb calibrate --out`',
    text().optional(),
  ),
  shard: flag(
    '--shard <K/N>',
    'score only shard K of N (items split by a hash of their id); join with plumb merge',
    shardSpec.optional(),
  ),
  ...judgeFlags('item'),
  ...apiFlags('judges', 'judge replies'),
  ...nonceFlag,
  ...jsonFlag(),
};
export type ScoreFlags = FlagValues<typeof scoreFlags>;
/** What a judge's runtime is made from, in score and the commands that judge like it. */
export type JudgeFlags = Omit<ScoreFlags, 'rubric' | 'input' | 'out' | 'summary' | 'calibration' | 'shard'>;

export const mergeFlags = {
  summary: flag(
    '--summary <file>',
    'also write the summary, recomputed from the merged lines',
    text().optional(),
  ),
  rubric: flag(
    '--rubric <ref>',
    "the shards' rubric, when its id@version no longer resolves to it",
    text().optional(),
  ),
};
export type MergeFlags = FlagValues<typeof mergeFlags>;

export const score = defineCommand({
  path: ['score'],
  description: 'score a JSONL file of responses with a judge against a versioned rubric',
  flags: scoreFlags,
  examples: [
    'plumb score --rubric aai --input fixtures/responses.jsonl --judge lexicon --summary runs/aai-summary.json',
    'OPENAI_API_KEY=... plumb score --rubric eii@1.0.0 --input responses.jsonl --judge openai:gpt-4.1-mini --samples 3 --max-cost 5',
    'plumb score --rubric eii --input responses.jsonl --judge openai-compatible:qwen2.5-7b --base-url http://localhost:8000/v1',
    'OPENAI_API_KEY=... plumb score --rubric eii --input responses.jsonl --judge openai:gpt-4.1-mini --batch --poll-interval 300',
  ],
});

export const merge = defineCommand({
  path: ['merge'],
  args: '<out> <shards...>',
  description: 'join the scores of score --shard 1/N … N/N into what one unsharded run writes',
  flags: mergeFlags,
  examples: [
    'plumb score --rubric eii --input responses.jsonl --judge openai:gpt-4.1-mini --shard 1/2 --out runs/eii.1.jsonl',
    'plumb score --rubric eii --input responses.jsonl --judge openai:gpt-4.1-mini --shard 2/2 --out runs/eii.2.jsonl',
    'plumb merge runs/eii.jsonl runs/eii.1.jsonl runs/eii.2.jsonl --summary runs/eii.summary.json',
  ],
});
