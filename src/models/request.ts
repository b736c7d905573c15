import { requestSignal } from '../core/abort.js';
import type { Budget } from './budget.js';
import type { ProviderCircuit } from './circuit.js';
import { costOf, costOfUsage, type Price } from './pricing.js';
import type { RateLimiter } from './rate-limit.js';
import type { LlmParams, Transport, TransportReply } from './transport.js';

/** The run-wide limits one provider request passes through. */
export interface RequestLimits {
  transport: Transport;
  params: LlmParams;
  price?: Price;
  budget?: Budget | null;
  limiter?: RateLimiter | null;
  circuit?: ProviderCircuit | null;
}

export type SentReply =
  | { ok: true; reply: TransportReply; cost: number | null }
  | { ok: false; kind: 'budget_exceeded' | 'interrupted' | 'provider_error'; message: string };

/**
 * Sends one request — a judge's question, a re-ask, a target's reply — through the run's budget
 * (its worst case reserved first: `inputTokens` of prompt, the whole output allowance), its rate
 * limiter, its circuit and a signal of its own (see requestSignal), and prices the reply. Errors
 * the SDK's retries could not cure come back as `provider_error`, never thrown.
 */
export async function sendOnce(
  limits: RequestLimits,
  conversation: unknown,
  sample: number,
  signal: AbortSignal | undefined,
  inputTokens: () => Promise<number>,
): Promise<SentReply> {
  const { transport, params, budget, limiter, price } = limits;
  if (signal?.aborted)
    return { ok: false, kind: 'interrupted', message: 'interrupted before the request was sent' };
  const estimate = budget || limiter?.active ? await inputTokens() : 0;
  let reserved = 0;
  if (budget) {
    reserved = costOf(price, estimate, params.maxTokens) ?? 0;
    if (!(await budget.reserve(reserved)))
      return {
        ok: false,
        kind: 'budget_exceeded',
        message: `not sent: it could cost up to $${reserved.toFixed(4)} and the --max-cost budget of $${budget.limitUsd} would be exceeded`,
      };
  }
  let reply: TransportReply;
  const request = requestSignal(signal);
  try {
    await limiter?.acquire(estimate + params.maxTokens, signal);
    reply = await transport.send(conversation, params, sample, request.signal);
  } catch (err) {
    budget?.settle(reserved, 0);
    if (transport.isAbort(err) || signal?.aborted)
      return { ok: false, kind: 'interrupted', message: 'interrupted while the request was in flight' };
    limits.circuit?.failure(err, { baseURL: transport.stamp.base_url ?? '', model: transport.stamp.model });
    return { ok: false, kind: 'provider_error', message: describeError(err) };
  } finally {
    request.done();
  }
  limits.circuit?.success();
  const cost = costOfUsage(price, reply.usage);
  budget?.settle(reserved, cost ?? 0);
  return { ok: true, reply, cost };
}

export function describeError(err: unknown): string {
  const e = err as { status?: number; name?: string; message?: string; cause?: unknown };
  const status = e.status ? `HTTP ${e.status}: ` : '';
  return `${status}${e.name ?? 'Error'}: ${e.message ?? String(err)}${causeOf(e.cause)} (after the SDK's retries)`;
}

/**
 * Why a connection failed, which the SDKs keep in `cause` behind a bare "Connection error." (an
 * untrusted certificate, a refused port, a DNS failure): its code and message, one level deep.
 */
function causeOf(cause: unknown): string {
  if (!cause || typeof cause !== 'object') return '';
  const c = cause as { code?: string; message?: string; cause?: unknown };
  const inner = c.cause as { code?: string; message?: string } | undefined;
  const why = inner?.message ? inner : c;
  if (!why.message) return '';
  return ` (${why.code ? `${why.code}: ` : ''}${why.message.split('\n')[0]})`;
}
