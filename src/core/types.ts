/**
 * The shapes every layer shares: a conversation's messages, an item to judge, what a call cost, why
 * an item went unscored, and the stamp that identifies a model in every file plumb writes.
 */

export interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One line of a responses file, validated. `raw` keeps every field, known or not, for the output. */
export interface ResponseItem {
  id: string;
  messages: Message[];
  response: string;
  reference?: string;
  metadata: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export interface Usage {
  /** Every prompt token, cached ones included. */
  input_tokens: number;
  output_tokens: number;
  /** Of the input, tokens read from the provider's prompt cache, when there were any. */
  cached_input_tokens?: number;
  /** Of the input, tokens written to the provider's prompt cache (Anthropic), when there were any. */
  cache_write_tokens?: number;
  /** null when the model has no known price. */
  cost_usd: number | null;
}

export const ZERO_USAGE: Usage = { input_tokens: 0, output_tokens: 0, cost_usd: 0 };

/** The sum of two usages; the prompt-cache counts appear only when there are some. */
export function addUsage(a: Usage, b: Usage): Usage {
  const read = (a.cached_input_tokens ?? 0) + (b.cached_input_tokens ?? 0);
  const write = (a.cache_write_tokens ?? 0) + (b.cache_write_tokens ?? 0);
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    ...(read ? { cached_input_tokens: read } : {}),
    ...(write ? { cache_write_tokens: write } : {}),
    cost_usd: a.cost_usd === null || b.cost_usd === null ? null : a.cost_usd + b.cost_usd,
  };
}

/**
 * Why an item could not be scored. An unscored item is never given a default score and never
 * stops the run.
 */
export type UnscoredKind =
  | 'invalid_output' // unparsable or schema-violating after the re-asks
  | 'refusal'
  | 'truncated'
  | 'provider_error' // the API failed after its retries
  | 'missing_reference'
  | 'no_evidence' // the lexicon judge found nothing to score on
  | 'empty_response' // the input's response is empty: there is nothing to judge, and no call is made
  | 'budget_exceeded'
  | 'interrupted';

/** Identifies a model (a judge, a target, a challenger) in score lines, caches and gate comparisons. */
export interface JudgeStamp {
  provider: string;
  model: string;
  /** Present for OpenAI-compatible servers, where the model name alone does not identify the judge. */
  base_url?: string;
  /** The judge prompt template version (LLM judges): a changed template is a different judge. */
  prompt?: string;
  /** What the request bodies hold when it is not plumb's own (models/request-profile.ts): another body is another call. */
  request_profile?: string;
}
