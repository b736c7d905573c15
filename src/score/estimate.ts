import { countTokens } from '../core/tokens.js';
import { readResponses, validateResponses } from '../io/responses.js';
import { type RenderedPrompt, renderJudgePrompt } from '../judges/prompt.js';
import { BATCH_DISCOUNT, costOf, type Price, priceOf } from '../models/pricing.js';
import type { Rubric } from '../rubrics/schema.js';

export interface JudgeEstimate {
  judge: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  /** The same requests through the provider's batch API (`--batch`), at half price; null without one. */
  batch_cost_usd: number | null;
}

/** A judge to estimate: its model (null for the free lexicon) and whether its provider has a batch API. */
export interface EstimatedJudge {
  name: string;
  model: string | null;
  batch: boolean;
}

/**
 * Output tokens assumed per judge reply for estimates: a short rationale plus the scores. Real
 * replies vary; re-asks add requests on top. The estimate states this assumption when printed.
 */
export const ASSUMED_OUTPUT_TOKENS = 200;

/** What a run would send, without sending anything: prompts rendered and counted item by item. */
export async function estimateRun(opts: {
  rubric: Rubric;
  input: string;
  judges: EstimatedJudge[];
  samples: number;
  prices: Record<string, Price>;
}): Promise<{ items: number; judges: JudgeEstimate[] }> {
  const { count } = await validateResponses(opts.input);
  const rubric = opts.rubric;
  const prompts = (async function* () {
    for await (const item of readResponses(opts.input)) yield renderJudgePrompt(rubric, item);
  })();
  return { items: count, judges: await estimatePrompts(prompts, opts.judges, opts.samples, opts.prices) };
}

/**
 * Requests, tokens and cost per judge for a run's prompts (each sent `samples` times to every
 * judge): input tokens counted with o200k_base, output assumed ASSUMED_OUTPUT_TOKENS a reply.
 */
export async function estimatePrompts(
  prompts: AsyncIterable<RenderedPrompt>,
  judges: EstimatedJudge[],
  samples: number,
  prices: Record<string, Price>,
): Promise<JudgeEstimate[]> {
  let calls = 0;
  let inputTokens = 0;
  for await (const p of prompts) {
    calls += 1;
    inputTokens += await countTokens(`${p.system}\n${p.user}`);
  }
  return judges.map(({ name, model, batch }) => {
    if (model === null)
      return {
        judge: name,
        requests: 0,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
        batch_cost_usd: null,
      };
    const requests = calls * samples;
    const input = inputTokens * samples;
    const output = requests * ASSUMED_OUTPUT_TOKENS;
    const cost = costOf(priceOf(model, prices), input, output);
    return {
      judge: name,
      requests,
      input_tokens: input,
      output_tokens: output,
      cost_usd: cost,
      batch_cost_usd: batch && cost !== null ? cost * BATCH_DISCOUNT : null,
    };
  });
}
