import type { BatchBroker } from './batch/broker.js';
import { Budget } from './budget.js';
import { JudgeCache } from './cache.js';
import { ProviderCircuit } from './circuit.js';
import { DEFAULT_PRICES, type Price } from './pricing.js';
import { RateLimiter } from './rate-limit.js';
import type { ClientSettings } from './registry.js';
import type { LlmParams } from './transport.js';

/**
 * What every model of a run shares — judges, targets, challengers: the cache, the budget, the
 * rate limiter, the circuit that stops a run whose provider cannot answer, the request counter,
 * prices, and (in a batch run) the broker.
 */
export interface ModelRuntime extends ClientSettings {
  cache?: JudgeCache | null;
  /** A judge's sampling settings (targets and challengers take their own). */
  params?: Partial<LlmParams>;
  reasks?: number;
  prices?: Record<string, Price>;
  budget?: Budget | null;
  limiter?: RateLimiter | null;
  circuit?: ProviderCircuit | null;
  /** A batch run's broker: calls go to provider batches instead of the wire (batch/run.ts). */
  broker?: BatchBroker | null;
}

/** What a run's runtime is made from (the CLI's flags, or a program's settings). */
export interface RuntimeSettings {
  baseUrl?: string;
  /** The cache folder; null for no cache. */
  cacheDir: string | null;
  timeoutMs?: number;
  maxRetries?: number;
  prices?: Record<string, Price>;
  params?: Partial<LlmParams>;
  reasks?: number;
  maxCostUsd?: number;
  rpm?: number;
  tpm?: number;
  env?: NodeJS.ProcessEnv;
}

/** A runtime as createRuntime builds it: every run-wide part present (null where unused). */
export type BuiltRuntime = ModelRuntime & {
  cache: JudgeCache | null;
  prices: Record<string, Price>;
  budget: Budget | null;
  limiter: RateLimiter | null;
  circuit: ProviderCircuit;
  http: { requests: number };
};

/** The one way a run's runtime is built. */
export function createRuntime(s: RuntimeSettings): BuiltRuntime {
  return {
    ...(s.baseUrl !== undefined ? { baseUrl: s.baseUrl } : {}),
    cache: s.cacheDir ? new JudgeCache(s.cacheDir) : null,
    ...(s.params ? { params: s.params } : {}),
    ...(s.reasks !== undefined ? { reasks: s.reasks } : {}),
    ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}),
    ...(s.maxRetries !== undefined ? { maxRetries: s.maxRetries } : {}),
    ...(s.env ? { env: s.env } : {}),
    prices: s.prices ?? DEFAULT_PRICES,
    budget: s.maxCostUsd !== undefined ? new Budget(s.maxCostUsd) : null,
    limiter: s.rpm || s.tpm ? new RateLimiter(s.rpm, s.tpm) : null,
    circuit: new ProviderCircuit(),
    http: { requests: 0 },
  };
}
