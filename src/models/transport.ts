import type { JudgeStamp, Message } from '../core/types.js';
import type { NullAssistantTurn } from './request-profile.js';

/** A message as a transport takes it: plumb's messages, and the R code's null assistant turn. */
export type WireMessage = Message | NullAssistantTurn;

/** Sampling and request settings; all of them are part of the cache key except the retry/timeout ones. */
export interface LlmParams {
  temperature: number;
  seed: number;
  maxTokens: number;
}

/**
 * Settings one request fixes over its caller's (a pairwise rubric's `max_tokens` and
 * `temperature`): kept in the conversation, so a batch line built from it carries them too.
 */
export type RequestSettings = Partial<Pick<LlmParams, 'maxTokens' | 'temperature'>>;

/** Tokens one reply used, as the provider reported them. */
export interface WireUsage {
  /** Every prompt token, those read from or written to the provider's prompt cache included. */
  input_tokens: number;
  output_tokens: number;
  /** Of the input, tokens read from the provider's prompt cache (billed at the cached-input price). */
  cached_input_tokens?: number;
  /** Of the input, tokens written to the prompt cache (Anthropic; billed at the cache-write price). */
  cache_write_tokens?: number;
}

/** What a provider's transport returns for one request. */
export interface TransportReply {
  /** The reply's text, or the tool input serialised, for keeping and for re-asks. */
  raw: string;
  /** The structured value (parsed JSON or tool input), or the text of a plain-chat reply. */
  value?: unknown;
  jsonError?: string;
  finish: 'complete' | 'truncated' | 'refusal';
  usage: WireUsage;
  /** Anthropic: the tool call's id, which a re-ask answers with an error tool_result. */
  toolUseId?: string;
}

/** The structured output a call must produce: the schema the provider enforces, named. */
export interface OutputShape {
  /** Names the JSON schema (OpenAI) and the tool (Anthropic); letters, digits, - and _. */
  name: string;
  /** What the recorded value is, for the tool description. */
  description: string;
  jsonSchema: Record<string, unknown>;
  /**
   * Requests with the same key share a long, byte-identical prefix (a rubric's system turn): the
   * providers' prompt caches are asked to keep it (OpenAI `prompt_cache_key`, Anthropic
   * `cache_control` on the system block).
   */
  promptCacheKey?: string;
}

/**
 * A provider's wire dialect: the request for a conversation (with an enforced schema, or plain
 * chat when the shape is null), the reply read back, and how to continue the conversation with a
 * validation error when the reply was invalid. `body` and `parse` stand alone so that a batch
 * file's line is exactly the synchronous request, and its result is read exactly the same way.
 * Transport errors (after the SDK's own retries) are thrown by `send` and classified by the caller.
 */
export interface Transport {
  readonly stamp: JudgeStamp;
  readonly provider: 'openai' | 'anthropic';
  /**
   * Opaque conversation state, one per item and sample; plain JSON, so it can be written to disk.
   * `settings` override the caller's params in every request of the conversation (`body`).
   */
  start(messages: readonly WireMessage[], shape: OutputShape | null, settings?: RequestSettings): unknown;
  /** The request's parameters (what the SDK's create() takes, and a batch line's body). */
  body(conversation: unknown, params: LlmParams, sample: number): object;
  /** Reads a reply (a chat completion, a message) for the conversation it answers. */
  parse(response: unknown, conversation: unknown): TransportReply;
  send(
    conversation: unknown,
    params: LlmParams,
    sample: number,
    signal?: AbortSignal,
  ): Promise<TransportReply>;
  /**
   * The conversation continued with the invalid reply and the problem. With an output shape the
   * judge is also told to answer through it (the JSON object, the tool); in plain chat the problem
   * is the whole instruction (it says what a valid reply is, e.g. a bare label).
   */
  reask(conversation: unknown, reply: TransportReply, problem: string): unknown;
  /** Classifies a thrown error: an abort is `interrupted`, everything else `provider_error`. */
  isAbort(err: unknown): boolean;
}
