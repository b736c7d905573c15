import { ProviderConfigError, UsageError } from '../core/errors.js';
import { addSecret, learnSecretsFrom, stripUrlCredentials } from '../core/secrets.js';
import type { BatchBroker } from '../models/batch/broker.js';
import type { Budget } from '../models/budget.js';
import type { JudgeCache } from '../models/cache.js';
import type { ProviderCircuit } from '../models/circuit.js';
import { createSdkFetch, type HttpCounter } from '../models/http.js';
import { DEFAULT_PRICES, type Price, priceOf } from '../models/pricing.js';
import type { RateLimiter } from '../models/rate-limit.js';
import { printSdkWarningsOnce } from '../models/sdk-warnings.js';
import type { LlmParams, Transport } from '../models/transport.js';
import { LexiconJudge } from './lexicon.js';
import type { PairJudge } from './pairwise-types.js';
import { PROMPT_VERSION } from './prompt.js';
import type { Judge, JudgeStamp } from './types.js';

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
  /** Stops the run when the provider cannot answer (see circuit.ts). */
  circuit?: ProviderCircuit | null;
  /** Counts every HTTP request the SDKs send, their own retries included. */
  http?: HttpCounter | null;
  /** A batch run's broker: judge calls go to provider batches instead of the wire (batch/run.ts). */
  broker?: BatchBroker | null;
}

export type { HttpCounter } from '../models/http.js';

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
 * `baseURL` is what the SDK is given (it may carry credentials, e.g. `?api-key=`); `publicURL` is the
 * same without them, the only form that is stamped, cached or printed.
 */
export type ProviderClient =
  | {
      provider: 'anthropic';
      model: string;
      baseURL: string;
      publicURL: string;
      client: import('@anthropic-ai/sdk').default;
    }
  | {
      provider: 'openai' | 'openai-compatible' | 'ollama';
      model: string;
      baseURL: string;
      publicURL: string;
      client: import('openai').default;
    };

/**
 * The configured SDK client for an API `provider:model`, with keys and base URLs from the
 * environment (or --base-url), checked before any work starts. Shared by judges and probe
 * targets. The SDKs are imported only here, so commands that do not call an API start fast.
 */
export async function createProviderClient(spec: string, rt: JudgeRuntime = {}): Promise<ProviderClient> {
  const { provider, model } = parseJudgeSpec(spec);
  const env = rt.env ?? process.env;
  learnSecretsFrom(env);
  printSdkWarningsOnce();
  const timeout = rt.timeoutMs ?? 60_000;
  const maxRetries = rt.maxRetries ?? 4;
  const fetch = createSdkFetch(env, rt.http);
  // both SDKs take the same names for these
  const sdkOptions = (apiKey: string, baseURL: string) => ({
    apiKey,
    baseURL,
    timeout,
    maxRetries,
    logLevel: 'off' as const,
    fetch,
  });
  if (provider === 'anthropic') {
    const apiKey = requireKey(env, 'ANTHROPIC_API_KEY', spec);
    addSecret(apiKey);
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    const baseURL = env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com';
    return {
      provider,
      model,
      baseURL,
      publicURL: stripUrlCredentials(baseURL),
      client: new Anthropic(sdkOptions(apiKey, baseURL)),
    };
  }
  let apiKey: string;
  let baseURL: string;
  if (provider === 'openai') {
    apiKey = requireKey(env, 'OPENAI_API_KEY', spec);
    baseURL = env.OPENAI_BASE_URL || 'https://api.openai.com/v1';
  } else if (provider === 'ollama') {
    apiKey = 'ollama';
    baseURL = rt.baseUrl || OLLAMA_URL;
  } else if (provider === 'openai-compatible') {
    if (!rt.baseUrl)
      throw new UsageError(`'${spec}' needs --base-url (e.g. http://localhost:8000/v1 for vLLM)`);
    apiKey = env.OPENAI_COMPATIBLE_API_KEY || 'none';
    baseURL = rt.baseUrl;
  } else {
    throw new ProviderConfigError(`'${spec}' is not an API provider`);
  }
  addSecret(apiKey);
  const { default: OpenAI } = await import('openai');
  return {
    provider,
    model,
    baseURL,
    publicURL: stripUrlCredentials(baseURL),
    client: new OpenAI(sdkOptions(apiKey, baseURL)),
  };
}

/** The wire dialect of a configured client: Anthropic's messages, or OpenAI's chat completions. */
export async function transportFor(pc: ProviderClient, stamp: JudgeStamp): Promise<Transport> {
  if (pc.provider === 'anthropic') {
    const { AnthropicTransport } = await import('../models/anthropic/transport.js');
    return new AnthropicTransport(pc.client, stamp);
  }
  const { OpenAITransport } = await import('../models/openai/transport.js');
  return new OpenAITransport({
    client: pc.client,
    stamp,
    dialect: pc.provider === 'openai' ? 'openai' : 'compatible',
  });
}

/** Makes the judge a `provider:model` string names, checking its configuration before any work starts. */
export async function createJudge(spec: string, rt: JudgeRuntime = {}): Promise<Judge & PairJudge> {
  if (parseJudgeSpec(spec).provider === 'lexicon') return new LexiconJudge();
  const pc = await createProviderClient(spec, rt);
  const { LlmJudge } = await import('./llm.js');
  const stamp = { provider: pc.provider, model: pc.model, base_url: pc.publicURL, prompt: PROMPT_VERSION };
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
    transport: await transportFor(pc, stamp),
  });
}
