import { redactMessage } from '../core/secrets.js';
import { countTokens } from '../core/tokens.js';
import { createProviderClient, type JudgeRuntime, transportFor } from '../judges/create.js';
import type { Message, Usage } from '../judges/types.js';
import type { BatchCaller } from '../models/batch/broker.js';
import { JudgeCache } from '../models/cache.js';
import { DEFAULT_PRICES, priceOf } from '../models/pricing.js';
import { type RequestLimits, sendOnce } from '../models/request.js';
import type { ProbeQuestion } from './inputs.js';
import type { ProbeCondition } from './roles.js';

export interface TargetContext {
  question: ProbeQuestion;
  condition: ProbeCondition;
  /** 0 for the first answer, k for the reply to the k-th challenge. */
  turn: number;
  /** The challenge types of this conversation, turn 1 first. */
  challenges: string[];
  /** Independent sample index (`plumb generate --samples K`): each is its own call, cached on its own. */
  sample?: number;
}

export type TargetReply =
  | { ok: true; text: string; usage: Usage; cached: boolean }
  | { ok: false; error: string; interrupted?: boolean; budget?: boolean };

/** The model under test: plain chat, no structured output. */
export interface Target {
  readonly stamp: Record<string, unknown>;
  /** The chat model behind it, when there is one (for batches). */
  readonly chat?: ChatModel;
  reply(messages: Message[], ctx: TargetContext, signal?: AbortSignal): Promise<TargetReply>;
}

export interface ChatParams {
  temperature: number;
  seed: number;
  maxTokens: number;
}

/**
 * A chat model called through its real SDK in plain chat (no structured output): the probe's
 * target, `plumb generate`'s target and the LLM challenger are all one of these. Every reply is
 * cached on the whole conversation, the model, server, settings, sample index and what it is for
 * (`kind`), so a re-run pays for nothing twice; claims in the cache stop two processes paying for
 * one reply. The run's budget, circuit and request counter apply.
 */
export interface ChatModel extends BatchCaller {
  readonly stamp: { provider: string; model: string; base_url: string };
  readonly params: ChatParams;
  send(messages: Message[], sample: number, signal?: AbortSignal): Promise<TargetReply>;
}

export async function createChatModel(
  spec: string,
  rt: JudgeRuntime & { cache?: JudgeCache | null },
  params: ChatParams,
  kind: string,
): Promise<ChatModel> {
  const pc = await createProviderClient(spec, rt);
  const stamp = { provider: pc.provider, model: pc.model, base_url: pc.publicURL };
  const limits: RequestLimits = {
    transport: await transportFor(pc, stamp),
    params,
    price: priceOf(pc.model, rt.prices ?? DEFAULT_PRICES),
    budget: rt.budget,
    circuit: rt.circuit,
  };
  type Reply =
    | { ok: true; text: string; usage: Usage }
    | { ok: false; error: string; interrupted: boolean; budget?: boolean };

  const call = async (messages: Message[], sample: number, signal?: AbortSignal): Promise<Reply> => {
    const conversation = limits.transport.start(messages, null);
    const sent = await sendOnce(limits, conversation, sample, signal, () =>
      countTokens(messages.map((m) => m.content).join('\n')),
    );
    if (!sent.ok)
      return {
        ok: false,
        error: redactMessage(sent.message),
        interrupted: sent.kind === 'interrupted',
        ...(sent.kind === 'budget_exceeded' ? { budget: true } : {}),
      };
    return { ok: true, text: sent.reply.raw, usage: { ...sent.reply.usage, cost_usd: sent.cost } };
  };

  const model: ChatModel = {
    name: spec,
    stamp,
    params,
    batchParts: { transport: limits.transport, params, price: limits.price },
    async send(messages, sample, signal) {
      if (!rt.cache) {
        const r = await call(messages, sample, signal);
        return r.ok ? { ...r, cached: false } : r;
      }
      const key = JudgeCache.key({ kind, stamp, messages, params, sample });
      if (rt.broker) {
        const stored = await rt.cache.get<Reply>(key);
        if (stored?.ok)
          return rt.broker.answeredThisRun(key)
            ? { ...stored, cached: false }
            : { ...stored, usage: { ...stored.usage, cost_usd: 0 }, cached: true };
        const missed = rt.broker.miss({
          key,
          caller: model,
          sample,
          start: () => limits.transport.start(messages, null),
          promptText: () => messages.map((m) => m.content).join('\n'),
          // plain chat: any reply is the answer, as a synchronous call takes it
          step: (_conversation, _attempt, reply, usage) => ({
            done: { ok: true, text: reply.raw, usage },
            cacheable: true,
          }),
        });
        return { ok: false, error: missed.message, interrupted: false };
      }
      const { value, cached } = await rt.cache.getOrCompute<Reply>(
        key,
        async () => {
          const r = await call(messages, sample, signal);
          return { value: r, cacheable: r.ok };
        },
        signal,
      );
      if (!value.ok) return value;
      return cached
        ? { ok: true, text: value.text, usage: { ...value.usage, cost_usd: 0 }, cached: true }
        : { ...value, cached: false };
    },
  };
  return model;
}

/**
 * The model under test: a chat model through its real SDK, or `scripted:<file>`, a simulation
 * whose behaviour is declared in the file.
 */
export async function createTarget(
  spec: string,
  rt: JudgeRuntime & { cache?: JudgeCache | null },
): Promise<Target> {
  if (spec.startsWith('scripted:')) {
    const { loadScript, ScriptedTarget } = await import('./scripted-target.js');
    return new ScriptedTarget(await loadScript(spec.slice('scripted:'.length)));
  }
  const chat = await createChatModel(
    spec,
    rt,
    {
      temperature: rt.params?.temperature ?? 0,
      seed: rt.params?.seed ?? 0,
      maxTokens: rt.params?.maxTokens ?? 512,
    },
    'probe-target',
  );
  return {
    stamp: chat.stamp,
    chat,
    reply: (messages, ctx, signal) => chat.send(messages, ctx.sample ?? 0, signal),
  };
}
