import { ProviderConfigError, UsageError } from '../errors.js';
import type { Budget } from './budget.js';
import type { JudgeCache } from './cache.js';
import { LexiconJudge } from './lexicon.js';
import type { LlmParams } from './llm.js';
import { DEFAULT_PRICES, type Price, priceOf } from './pricing.js';
import type { RateLimiter } from './rate-limit.js';
import type { Judge } from './types.js';

export interface JudgeRuntime {
  /** Server for openai-compatible judges (`--base-url`). */
  baseUrl?: string;
  cache?: JudgeCache | null;
  params?: Partial<LlmParams>;
  reasks?: number;
  timeoutMs?: number;
  maxRetries?: number;
  prices?: Record<string, Price>;
  budget?: Budget | null;
  limiter?: RateLimiter | null;
  env?: NodeJS.ProcessEnv;
}

export interface ParsedJudgeSpec {
  provider: string;
  model: string;
}

const PROVIDERS = ['lexicon', 'openai', 'anthropic', 'openai-compatible', 'ollama'];
export const OLLAMA_URL = 'http://localhost:11434/v1';
export const DEFAULT_PARAMS: LlmParams = { temperature: 0, seed: 0, maxTokens: 1024 };

/** Splits `provider:model`; the model part may itself contain colons (e.g. `ollama:llama3.1:8b`). */
export function parseJudgeSpec(spec: string): ParsedJudgeSpec {
  if (spec === 'lexicon') return { provider: 'lexicon', model: 'lexicon-v1' };
  const at = spec.indexOf(':');
  const provider = at < 0 ? spec : spec.slice(0, at);
  const model = at < 0 ? '' : spec.slice(at + 1);
  if (!PROVIDERS.includes(provider)) {
    throw new UsageError(
      `unknown judge provider '${provider}' in '${spec}' (use one of: ${PROVIDERS.join(', ')})`,
    );
  }
  if (!model) throw new UsageError(`judge '${spec}' names no model: write ${provider}:<model>`);
  return { provider, model };
}

function requireKey(env: NodeJS.ProcessEnv, name: string, spec: string): string {
  const key = env[name];
  if (!key)
    throw new ProviderConfigError(`judge '${spec}' needs ${name} in the environment (nothing was sent)`);
  return key;
}

/**
 * Makes the judge a `provider:model` string names, checking its configuration (keys, base URL)
 * before any work starts. The SDKs are imported only here, so commands that do not call an API
 * start fast.
 */
export async function createJudge(spec: string, rt: JudgeRuntime = {}): Promise<Judge> {
  const { provider, model } = parseJudgeSpec(spec);
  if (provider === 'lexicon') return new LexiconJudge();
  const env = rt.env ?? process.env;
  const timeout = rt.timeoutMs ?? 60_000;
  const maxRetries = rt.maxRetries ?? 4;
  const { LlmJudge } = await import('./llm.js');
  const common = {
    name: spec,
    params: { ...DEFAULT_PARAMS, ...rt.params },
    reasks: rt.reasks ?? 2,
    cache: rt.cache ?? null,
    price: priceOf(model, rt.prices ?? DEFAULT_PRICES),
    budget: rt.budget ?? null,
    limiter: rt.limiter ?? null,
  };

  if (provider === 'anthropic') {
    const apiKey = requireKey(env, 'ANTHROPIC_API_KEY', spec);
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    const { AnthropicTransport } = await import('./anthropic.js');
    const baseURL = env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com';
    const client = new Anthropic({ apiKey, baseURL, timeout, maxRetries, logLevel: 'off' });
    return new LlmJudge({
      ...common,
      transport: new AnthropicTransport(client, { provider, model, base_url: baseURL }),
    });
  }

  let apiKey: string;
  let baseURL: string;
  if (provider === 'openai') {
    apiKey = requireKey(env, 'OPENAI_API_KEY', spec);
    baseURL = env.OPENAI_BASE_URL || 'https://api.openai.com/v1';
  } else if (provider === 'ollama') {
    apiKey = 'ollama';
    baseURL = rt.baseUrl || OLLAMA_URL;
  } else {
    if (!rt.baseUrl)
      throw new UsageError(`judge '${spec}' needs --base-url (e.g. http://localhost:8000/v1 for vLLM)`);
    apiKey = env.OPENAI_COMPATIBLE_API_KEY || 'none';
    baseURL = rt.baseUrl;
  }
  const { default: OpenAI } = await import('openai');
  const { OpenAITransport } = await import('./openai.js');
  const client = new OpenAI({ apiKey, baseURL, timeout, maxRetries, logLevel: 'off' });
  const dialect = provider === 'openai' ? 'openai' : 'compatible';
  return new LlmJudge({
    ...common,
    transport: new OpenAITransport({ client, stamp: { provider, model, base_url: baseURL }, dialect }),
  });
}
