import { redactMessage } from '../core/secrets.js';
import { countTokens } from '../core/tokens.js';
import type { Usage } from '../core/types.js';
import type { BatchApi } from './batch/api.js';
import type { BatchCaller } from './batch/broker.js';
import { JudgeCache } from './cache.js';
import { cachedCall } from './cached-call.js';
import { DEFAULT_PRICES, priceOf } from './pricing.js';
import { createProviderClient, transportFor } from './registry.js';
import { type RequestLimits, sendOnce } from './request.js';
import type { RequestProfile } from './request-profile.js';
import type { ModelRuntime } from './runtime.js';
import type { WireMessage } from './transport.js';

/** A model's plain-chat sampling settings. */
export interface ChatParams {
  temperature: number;
  seed: number;
  maxTokens: number;
}

export type ChatReply =
  | { ok: true; text: string; usage: Usage; cached: boolean }
  | { ok: false; error: string; interrupted?: boolean; budget?: boolean };

/**
 * A chat model called through its real SDK in plain chat (no structured output): the probe's
 * target, `plumb generate`'s target and the LLM challenger are all one of these. Every reply goes
 * through the same cached path as a judge's (cached-call.ts), keyed on the whole conversation, the
 * model, server, settings, sample index and what it is for (`kind`), so a re-run pays for nothing
 * twice; the run's budget, circuit and request counter apply.
 */
export interface ChatModel extends BatchCaller {
  /** `request_profile` appears when it is not plumb's own (a different body is a different call). */
  readonly stamp: { provider: string; model: string; base_url: string; request_profile?: RequestProfile };
  readonly params: ChatParams;
  /** What a request body holds besides the conversation (request-profile.ts). */
  readonly profile: RequestProfile;
  send(messages: readonly WireMessage[], sample: number, signal?: AbortSignal): Promise<ChatReply>;
}

type Stored =
  | { ok: true; text: string; usage: Usage }
  | { ok: false; error: string; interrupted: boolean; budget?: boolean };

/** One chat request, uncached: the reply and its cost, or why there is none (the key redacted). */
async function callOnce(
  limits: RequestLimits,
  messages: readonly WireMessage[],
  sample: number,
  signal?: AbortSignal,
): Promise<Stored> {
  const conversation = limits.transport.start(messages, null);
  const sent = await sendOnce(limits, conversation, sample, signal, () =>
    countTokens(messages.map((m) => m.content ?? '').join('\n')),
  );
  if (!sent.ok)
    return {
      ok: false,
      error: redactMessage(sent.message),
      interrupted: sent.kind === 'interrupted',
      ...(sent.kind === 'budget_exceeded' ? { budget: true } : {}),
    };
  return { ok: true, text: sent.reply.raw, usage: { ...sent.reply.usage, cost_usd: sent.cost } };
}

export async function createChatModel(
  spec: string,
  rt: ModelRuntime,
  params: ChatParams,
  kind: string,
  options: { profile?: RequestProfile } = {},
): Promise<ChatModel> {
  const profile = options.profile ?? 'plumb';
  const pc = await createProviderClient(spec, rt);
  const stamp = {
    provider: pc.provider,
    model: pc.model,
    base_url: pc.publicURL,
    ...(profile !== 'plumb' ? { request_profile: profile } : {}),
  };
  const limits: RequestLimits = {
    transport: await transportFor(
      pc,
      { provider: pc.provider, model: pc.model, base_url: pc.publicURL },
      profile,
    ),
    params,
    price: priceOf(pc.model, rt.prices ?? DEFAULT_PRICES),
    budget: rt.budget,
    circuit: rt.circuit,
  };
  const batchApi = (): Promise<BatchApi | null> =>
    pc.descriptor.batchApi?.(pc.client) ?? Promise.resolve(null);

  const call = (messages: readonly WireMessage[], sample: number, signal?: AbortSignal) =>
    callOnce(limits, messages, sample, signal);

  const model: ChatModel = {
    name: spec,
    stamp,
    params,
    profile,
    batchParts: { transport: limits.transport, params, price: limits.price, batchApi },
    async send(messages, sample, signal) {
      const key = JudgeCache.key({ kind, stamp, messages, params, sample });
      const outcome = await cachedCall<Stored>({
        cache: rt.cache ?? null,
        broker: rt.broker ?? null,
        key,
        compute: async () => {
          const r = await call(messages, sample, signal);
          return { value: r, cacheable: r.ok };
        },
        batchRequest: () => ({
          key,
          caller: model,
          sample,
          start: () => limits.transport.start(messages, null),
          promptText: () => messages.map((m) => m.content ?? '').join('\n'),
          // plain chat: any reply is the answer, as a synchronous call takes it
          step: (_conversation, _attempt, reply, usage) => ({
            done: { ok: true, text: reply.raw, usage },
            cacheable: true,
          }),
        }),
        accept: (stored) => stored.ok,
        signal,
      });
      if (outcome.kind === 'queued') return { ok: false, error: outcome.message, interrupted: false };
      const value = outcome.value;
      if (!value.ok) return value;
      return outcome.kind === 'replayed'
        ? { ok: true, text: value.text, usage: { ...value.usage, cost_usd: 0 }, cached: true }
        : { ...value, cached: false };
    },
  };
  return model;
}
