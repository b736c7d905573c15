import { UsageError } from '../core/errors.js';
import { redactMessage } from '../core/secrets.js';
import { countTokens } from '../core/tokens.js';
import {
  addUsage,
  type JudgeStamp,
  type ResponseItem,
  type UnscoredKind,
  type Usage,
  ZERO_USAGE,
} from '../core/types.js';
import type { BatchApi } from '../models/batch/api.js';
import type { BatchBroker, BatchCaller, BatchRequest } from '../models/batch/broker.js';
import type { Budget } from '../models/budget.js';
import { JudgeCache } from '../models/cache.js';
import { cachedCall } from '../models/cached-call.js';
import type { ProviderCircuit } from '../models/circuit.js';
import type { Price } from '../models/pricing.js';
import type { RateLimiter } from '../models/rate-limit.js';
import { sendOnce } from '../models/request.js';
import type { LlmParams, Transport, TransportReply } from '../models/transport.js';
import type { JudgeOutput } from '../rubrics/output-schema.js';
import { judgeJsonSchema } from '../rubrics/output-schema.js';
import { answerMode, type PairwiseRubric } from '../rubrics/pairwise.js';
import type { Rubric } from '../rubrics/schema.js';
import { PAIRWISE_PROMPT_VERSION, PAIRWISE_TEMPLATE_VERSION } from './pairwise-prompt.js';
import { pairwiseTask } from './pairwise-task.js';
import { type PairJudge, type PairRequest, type PairResult, unshow } from './pairwise-types.js';
import { PROMPT_VERSION, promptContent, renderJudgePrompt } from './prompt.js';
import { type Checked, validateReply } from './reply.js';
import { type AskResult, promptMessages, type StructuredTask } from './task.js';
import type { Judge, JudgeRequest, JudgeResult, Unscored } from './types.js';

export interface LlmJudgeOptions {
  name: string;
  transport: Transport;
  params: LlmParams;
  reasks: number;
  cache: JudgeCache | null;
  price?: Price;
  budget?: Budget | null;
  limiter?: RateLimiter | null;
  circuit?: ProviderCircuit | null;
  /** In a batch run: where cache misses go instead of the wire (see batch/broker.ts). */
  broker?: BatchBroker | null;
  /** The provider's batch API, when it has one. */
  batchApi?: () => Promise<BatchApi | null>;
}

/** Unscored kinds that say nothing about the item: never cached, so a re-run tries again. */
const TRANSIENT: readonly UnscoredKind[] = ['provider_error', 'interrupted', 'budget_exceeded'];

/** Whether an answer may be cached: any answer about the item, never a transient fault. */
export function cacheable(result: AskResult<unknown>): boolean {
  return result.ok || !TRANSIENT.includes(result.error.kind);
}

/** What to do with a reply: the task's answer (or why there is none), or the conversation to re-ask. */
export type Step<T> = { done: AskResult<T> } | { reask: unknown };

/** The structured task of a pointwise rubric: its scores schema, validated with its zod schema. */
export function rubricTask(rubric: Rubric, item: ResponseItem): StructuredTask<JudgeOutput> {
  return {
    shape: {
      name: `${rubric.id}_${rubric.version}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64),
      description: `Record the rationale and the scores for rubric ${rubric.id}@${rubric.version}.`,
      jsonSchema: judgeJsonSchema(rubric),
      promptCacheKey: `plumb-${rubric.hash.slice(0, 32)}`,
    },
    validate: (value, jsonError) => validateReply(rubric, value, jsonError),
    prompt: () => renderJudgePrompt(rubric, item),
    key: { rubric: rubric.hash, prompt_version: PROMPT_VERSION, item: item.id, content: promptContent(item) },
  };
}

/**
 * A judge backed by an LLM API. Every reply is validated with the rubric's zod schema; an invalid
 * one is re-asked with the validation error up to `reasks` times, then the item is unscored with
 * the last raw reply kept. Results are cached per sample under a key of everything that shapes
 * the answer. Transient faults are retried by the SDK (see the providers); what survives them is
 * an unscored `provider_error`, which is not cached, so a re-run tries again.
 */
export class LlmJudge implements Judge, PairJudge {
  readonly stamp: JudgeStamp;
  readonly name: string;

  constructor(private readonly o: LlmJudgeOptions) {
    this.stamp = o.transport.stamp;
    this.name = o.name;
  }

  /** A pointwise rubric always answers through the JSON schema, which the goalpref-r body never carries. */
  assertSupports(rubric: Rubric): void {
    if (this.stamp.request_profile === 'goalpref-r')
      throw new UsageError(
        `${this.name} sends the goalpref-r request profile (the R code's bare-answer bodies), but ${rubric.id}@${rubric.version} answers through a JSON schema: use --request-profile plumb`,
      );
  }

  /**
   * The cache key: the judge (provider, model, public base URL), the task's own part (rubric
   * hash, prompt template version, item, what its prompt is made of, and for a pairwise rubric
   * its answer mode and forced choice), the sampling settings the requests are sent with (the
   * judge's, with a task's own settings over them) and the sample index. The per-run block nonce
   * is left out on purpose, so answers replay across runs.
   */
  taskCacheKey(taskKey: Record<string, unknown>, sample: number, params: LlmParams = this.o.params): string {
    return JudgeCache.key({
      stamp: this.stamp,
      ...taskKey,
      params,
      reasks: this.o.reasks,
      sample,
    });
  }

  /** The settings a task's requests are sent with: the judge's, with the task's own over them. */
  paramsFor(task: Pick<StructuredTask<unknown>, 'settings'>): LlmParams {
    return task.settings ? { ...this.o.params, ...task.settings } : this.o.params;
  }

  /** The cache key of a pointwise rubric's judgement of an item. */
  cacheKey(rubric: Rubric, item: ResponseItem, sample: number): string {
    return this.taskCacheKey(rubricTask(rubric, item).key, sample);
  }

  async judge({ rubric, item, sample }: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult> {
    const result = await this.ask(rubricTask(rubric, item), sample, signal);
    if (!result.ok) return result;
    const { rationale, scores, ...extra } = result.output;
    return {
      ok: true,
      scores,
      extra,
      rationale,
      usage: result.usage,
      cached: result.cached,
      requests: result.requests,
    };
  }

  /**
   * The stamp of pairwise lines: the same judge, with the pairwise prompt's version (the template
   * path's, for a rubric that writes its own prompt).
   */
  pairStamp(rubric?: PairwiseRubric): JudgeStamp {
    const prompt = rubric?.user_template !== undefined ? PAIRWISE_TEMPLATE_VERSION : PAIRWISE_PROMPT_VERSION;
    return { ...this.stamp, prompt };
  }

  /** The goalpref-r body has no schema: only a rubric answered with a bare label can go in it. */
  assertSupportsPairwise(rubric: PairwiseRubric): void {
    if (this.stamp.request_profile === 'goalpref-r' && answerMode(rubric) !== 'label')
      throw new UsageError(
        `${this.name} sends the goalpref-r request profile (the R code's bare-answer bodies), but ${rubric.id}@${rubric.version} answers through a JSON schema: use a rubric with answer: label (goal_alignment_pairwise, emotional_validation, hedging, framing_acceptance, openness, responsibility) or --request-profile plumb`,
      );
  }

  async judgePair({ rubric, pair, order, sample }: PairRequest, signal?: AbortSignal): Promise<PairResult> {
    const result = await this.ask(pairwiseTask(rubric, pair, order), sample, signal);
    if (!result.ok) return result;
    const { verdict, rationale } = result.output;
    return {
      ok: true,
      shown: verdict,
      verdict: unshow(verdict, order),
      rationale,
      usage: result.usage,
      cached: result.cached,
      requests: result.requests,
    };
  }

  /** Asks one structured task (sample `sample`), through the cache when there is one. */
  async ask<T>(task: StructuredTask<T>, sample: number, signal?: AbortSignal): Promise<AskResult<T>> {
    const key = this.taskCacheKey(task.key, sample, this.paramsFor(task));
    const outcome = await cachedCall<AskResult<T>>({
      cache: this.o.cache,
      broker: this.o.broker ?? null,
      key,
      compute: async () => {
        const result = await this.askUncached(task, sample, signal);
        return { value: result, cacheable: cacheable(result) };
      },
      batchRequest: () => this.batchRequest(key, task, sample),
      signal,
    });
    if (outcome.kind === 'queued')
      return unscoredResult('provider_error', outcome.message, ZERO_USAGE, outcome.requests);
    return outcome.kind === 'replayed' ? replayed(outcome.value) : outcome.value;
  }

  /** What a batch needs of this judge: its wire dialect, its settings and its price. */
  get batchParts(): BatchCaller['batchParts'] {
    const { transport, params, price } = this.o;
    return { transport, params, price, batchApi: this.o.batchApi ?? (() => Promise.resolve(null)) };
  }

  /** A task as a batch request: its first conversation, and its replies read as a live call's are. */
  private batchRequest<T>(key: string, task: StructuredTask<T>, sample: number): BatchRequest {
    return {
      key,
      caller: this,
      sample,
      start: () => this.o.transport.start(promptMessages(task.prompt()), task.shape, task.settings),
      promptText: () => {
        const p = task.prompt();
        return `${p.system}\n${p.user}`;
      },
      step: (conversation, attempt, reply, usage, requests) => {
        const next = this.step(task, conversation, attempt, reply, usage, requests);
        return 'reask' in next ? next : { done: next.done, cacheable: cacheable(next.done) };
      },
    };
  }

  /**
   * What a reply to attempt `attempt` means: the answer (or why there is none, its raw reply kept),
   * or the conversation that re-asks with the validation error while re-asks are left. Shared by
   * synchronous calls and batch results. `usage` and `requests` include this reply.
   */
  step<T>(
    task: StructuredTask<T>,
    conversation: unknown,
    attempt: number,
    reply: TransportReply,
    usage: Usage,
    requests: number,
  ): Step<T> {
    const checked = checkReply(reply, this.paramsFor(task).maxTokens, task.validate, {
      reaskTruncated: task.reaskTruncated,
    });
    if (checked.ok) return { done: { ok: true, output: checked.output, usage, cached: false, requests } };
    if (!checked.final && attempt < this.o.reasks)
      return { reask: this.o.transport.reask(conversation, reply, checked.problem) };
    const message = checked.final
      ? checked.problem
      : `invalid reply after ${attempt + 1} attempt(s): ${checked.problem}`;
    return { done: unscoredResult(checked.kind, message, usage, requests, reply.raw) };
  }

  private async askUncached<T>(
    task: StructuredTask<T>,
    sample: number,
    signal?: AbortSignal,
  ): Promise<AskResult<T>> {
    const prompt = task.prompt();
    const limits = { ...this.o, params: this.paramsFor(task) };
    let conversation = this.o.transport.start(promptMessages(prompt), task.shape, task.settings);
    let usage: Usage = { input_tokens: 0, output_tokens: 0, cost_usd: this.o.price ? 0 : null };
    let requests = 0;
    let promptTokens: number | null = null;

    for (let attempt = 0; ; attempt++) {
      // a re-ask resends the conversation so far: reserve for it as that many prompts
      const inputTokens = async () => {
        promptTokens ??= await countTokens(`${prompt.system}\n${prompt.user}`);
        return promptTokens * (attempt + 1);
      };
      const sent = await sendOnce(limits, conversation, sample, signal, inputTokens);
      if (!sent.ok) {
        if (sent.kind !== 'budget_exceeded') requests += 1;
        return unscoredResult(sent.kind, sent.message, usage, requests);
      }
      requests += 1;
      usage = addUsage(usage, { ...sent.reply.usage, cost_usd: sent.cost });
      const next = this.step(task, conversation, attempt, sent.reply, usage, requests);
      if ('done' in next) return next.done;
      conversation = next.reask;
    }
  }
}

/** An unscored answer, secrets scrubbed from its message and raw reply. */
export function unscoredResult(
  kind: UnscoredKind,
  message: string,
  usage: Usage,
  requests: number,
  raw?: string,
): Unscored {
  return {
    ok: false,
    error: { kind, message: redactMessage(message) },
    ...(raw !== undefined ? { raw: redactMessage(raw) } : {}),
    usage,
    cached: false,
    requests,
  };
}

/** A cached answer as a line reports it: no request sent, nothing paid. */
function replayed<T>(stored: AskResult<T>): AskResult<T> {
  return { ...stored, cached: true, requests: 0, usage: { ...stored.usage, cost_usd: 0 } };
}

/**
 * What a reply means for its task: the validated output; or a problem the judge may be re-asked
 * about (an invalid reply); or a final one (a refusal, a reply cut off at the token limit — unless
 * `reaskTruncated`: a bare label that ran on is an invalid reply like any other).
 * Shared by synchronous calls and batch results, so both read replies the same way.
 */
export function checkReply<T>(
  reply: TransportReply,
  maxTokens: number,
  validate: (value: unknown, jsonError?: string) => Checked<T>,
  opts: { reaskTruncated?: boolean } = {},
):
  | { ok: true; output: T }
  | { ok: false; final: boolean; kind: 'refusal' | 'truncated' | 'invalid_output'; problem: string } {
  if (reply.finish === 'refusal')
    return { ok: false, final: true, kind: 'refusal', problem: 'the judge refused to answer' };
  if (reply.finish === 'truncated' && opts.reaskTruncated) {
    const checked = validate(reply.raw);
    return {
      ok: false,
      final: false,
      kind: 'invalid_output',
      problem: checked.ok
        ? `The reply was cut off at the output token limit (${maxTokens}).`
        : `The reply ran past the output token limit (${maxTokens}). ${checked.problem}`,
    };
  }
  if (reply.finish === 'truncated')
    return {
      ok: false,
      final: true,
      kind: 'truncated',
      problem: `the reply was cut off at the output token limit (${maxTokens})`,
    };
  const checked = validate(reply.value, reply.jsonError);
  return checked.ok ? checked : { ok: false, final: false, kind: 'invalid_output', problem: checked.problem };
}
