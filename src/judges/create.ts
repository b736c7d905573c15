import type { JudgeStamp } from '../core/types.js';
import { DEFAULT_PRICES, priceOf } from '../models/pricing.js';
import { createProviderClient, parseModelSpec, transportFor } from '../models/registry.js';
import type { RequestProfile } from '../models/request-profile.js';
import type { ModelRuntime } from '../models/runtime.js';
import type { LlmParams } from '../models/transport.js';
import { LexiconJudge } from './lexicon.js';
import type { PairJudge } from './pairwise-types.js';
import { PROMPT_VERSION } from './prompt.js';
import type { Judge } from './types.js';

/** A judge's settings unless the run gives others: greedy, seeded, room for a rationale. */
export const DEFAULT_PARAMS: LlmParams = { temperature: 0, seed: 0, maxTokens: 1024 };

/** `lexicon`, or an API `provider:model` (see models/registry.ts). */
export function parseJudgeSpec(spec: string) {
  return parseModelSpec(spec, ['lexicon'], 'judge');
}

/**
 * Makes the judge a `provider:model` string names, checking its configuration before any work
 * starts. `profile` goalpref-r sends the released GoalPref-Bench judge's bodies (a bare-label
 * rubric only: models/request-profile.ts); the lexicon judge sends nothing and ignores it.
 */
export async function createJudge(
  spec: string,
  rt: ModelRuntime = {},
  options: { profile?: RequestProfile } = {},
): Promise<Judge & PairJudge> {
  if (parseJudgeSpec(spec).provider === 'lexicon') return new LexiconJudge();
  const pc = await createProviderClient(spec, rt);
  const { LlmJudge } = await import('./llm.js');
  const profile = options.profile ?? 'plumb';
  const stamp: JudgeStamp = {
    provider: pc.provider,
    model: pc.model,
    base_url: pc.publicURL,
    prompt: PROMPT_VERSION,
    ...(profile !== 'plumb' ? { request_profile: profile } : {}),
  };
  return new LlmJudge({
    name: spec,
    params: { ...DEFAULT_PARAMS, ...rt.params },
    reasks: rt.reasks ?? 2,
    cache: rt.cache ?? null,
    price: priceOf(pc.model, rt.prices ?? DEFAULT_PRICES),
    budget: rt.budget ?? null,
    limiter: rt.limiter ?? null,
    circuit: rt.circuit ?? null,
    broker: rt.broker ?? null,
    transport: await transportFor(pc, stamp, profile),
    batchApi: () => pc.descriptor.batchApi?.(pc.client) ?? Promise.resolve(null),
  });
}
