import type { Rubric } from '../rubrics/schema.js';

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

export interface JudgeRequest {
  rubric: Rubric;
  item: ResponseItem;
  /** Sample index 0..K-1: each sample is an independent call, cached on its own. */
  sample: number;
}

interface ResultBase {
  usage: Usage;
  cached: boolean;
  /** Requests sent for this result (0 when served from cache or computed offline). */
  requests: number;
}

export interface Scored extends ResultBase {
  ok: true;
  scores: Record<string, number | null>;
  /** The rubric's extra fields (e.g. the stance rubric's `position` and `correct`). */
  extra: Record<string, unknown>;
  rationale: string;
}

export interface Unscored extends ResultBase {
  ok: false;
  error: { kind: UnscoredKind; message: string };
  /** The judge's last raw reply, kept for inspection when there was one. */
  raw?: string;
}

export type JudgeResult = Scored | Unscored;

/** Identifies a judge in score lines, caches and gate comparisons. */
export interface JudgeStamp {
  provider: string;
  model: string;
  /** Present for OpenAI-compatible servers, where the model name alone does not identify the judge. */
  base_url?: string;
  /** The judge prompt template version (LLM judges): a changed template is a different judge. */
  prompt?: string;
}

/**
 * Every judge — the offline lexicon, each API provider — implements this. `judge` never throws
 * for a problem with one item: it returns an Unscored result with the reason.
 */
export interface Judge {
  readonly stamp: JudgeStamp;
  /** `provider:model`, as written on the command line. */
  readonly name: string;
  /** Throws a PlumbError before any work starts when this judge cannot apply the rubric at all. */
  assertSupports(rubric: Rubric): void;
  judge(req: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult>;
}
