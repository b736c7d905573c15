import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { JudgeStamp } from '../../core/types.js';
import { parseJsonText } from '../json-text.js';
import type { RequestProfile } from '../request-profile.js';
import type {
  LlmParams,
  OutputShape,
  RequestSettings,
  Transport,
  TransportReply,
  WireMessage,
} from '../transport.js';

interface OpenAIConversation {
  messages: ChatCompletionMessageParam[];
  /** The enforced output schema; null for plain chat (a target, a challenger). */
  shape: Pick<OutputShape, 'name' | 'jsonSchema' | 'promptCacheKey'> | null;
  /** Settings this conversation fixes over the caller's (absent for most). */
  settings?: RequestSettings;
}

export interface OpenAITransportOptions {
  client: OpenAI;
  stamp: JudgeStamp;
  /**
   * OpenAI's own API takes `max_completion_tokens` (required by its reasoning models) and
   * `prompt_cache_key`; servers that only mimic it (vLLM, llama.cpp, LM Studio, Ollama) reliably
   * take the older `max_tokens` and may reject fields they do not know.
   */
  dialect: 'openai' | 'compatible';
  /** What a body holds (request-profile.ts): plumb's request, or the GoalPref-Bench R code's. */
  profile?: RequestProfile;
}

/**
 * OpenAI chat completions, with structured output when a shape is given: `response_format:
 * {type: "json_schema", json_schema: {strict: true, schema}}`, the schema coming from the rubric via
 * zod's `z.toJSONSchema`. Requests of one rubric share a byte-identical prefix (the system turn) and
 * carry `prompt_cache_key` (the rubric's hash), so OpenAI's prompt cache routes them together.
 * Retries (429 honouring retry-after, 408/409, 5xx, connection errors, timeouts) are the SDK's own:
 * exponential backoff from 0.5 s to 8 s with up to 25 % jitter. `body` and `parse` are the request
 * and the reply on their own, so a batch file line is the same request as a synchronous call.
 */
export class OpenAITransport implements Transport {
  readonly stamp: JudgeStamp;
  readonly provider = 'openai' as const;

  constructor(readonly o: OpenAITransportOptions) {
    this.stamp = o.stamp;
  }

  start(
    messages: readonly WireMessage[],
    shape: OutputShape | null,
    settings?: RequestSettings,
  ): OpenAIConversation {
    return {
      // {role, content} in that order: the R code's messages, byte for byte, under goalpref-r
      messages: messages.map((m) => ({ role: m.role, content: m.content }) as ChatCompletionMessageParam),
      shape: shape
        ? { name: shape.name, jsonSchema: shape.jsonSchema, promptCacheKey: shape.promptCacheKey }
        : null,
      ...(settings ? { settings } : {}),
    };
  }

  body(conversation: unknown, caller: LlmParams, sample: number): ChatCompletionCreateParamsNonStreaming {
    const conv = conversation as OpenAIConversation;
    const params = conv.settings ? { ...caller, ...conv.settings } : caller;
    if (this.o.profile === 'goalpref-r') {
      if (conv.shape)
        throw new Error(
          'the goalpref-r request profile is plain chat (the R code asks for a bare answer, never a schema)',
        );
      // exactly the R code's body: these four keys, in this order, nothing else (no seed)
      return {
        model: this.stamp.model,
        messages: conv.messages,
        max_tokens: params.maxTokens,
        temperature: params.temperature,
      };
    }
    const openai = this.o.dialect === 'openai';
    return {
      model: this.stamp.model,
      messages: conv.messages,
      temperature: params.temperature,
      // a distinct seed per sample index, so repeated samples are really separate draws
      seed: params.seed + sample,
      ...(openai ? { max_completion_tokens: params.maxTokens } : { max_tokens: params.maxTokens }),
      ...(conv.shape
        ? {
            response_format: {
              type: 'json_schema' as const,
              json_schema: { name: conv.shape.name, strict: true, schema: conv.shape.jsonSchema },
            },
          }
        : {}),
      ...(openai && conv.shape?.promptCacheKey ? { prompt_cache_key: conv.shape.promptCacheKey } : {}),
    };
  }

  parse(response: unknown, conversation: unknown): TransportReply {
    return readChatCompletion(response, (conversation as OpenAIConversation).shape !== null);
  }

  async send(
    conversation: unknown,
    params: LlmParams,
    sample: number,
    signal?: AbortSignal,
  ): Promise<TransportReply> {
    const res = await this.o.client.chat.completions.create(this.body(conversation, params, sample), {
      signal,
    });
    return this.parse(res, conversation);
  }

  reask(conversation: unknown, reply: TransportReply, problem: string): OpenAIConversation {
    const conv = conversation as OpenAIConversation;
    return {
      ...conv,
      messages: [
        ...conv.messages,
        { role: 'assistant', content: reply.raw },
        {
          role: 'user',
          content: conv.shape
            ? `Your previous reply was invalid. ${problem}\nReply again with only the JSON object the schema requires.`
            : `Your previous reply was invalid. ${problem}`,
        },
      ],
    };
  }

  isAbort(err: unknown): boolean {
    return err instanceof OpenAI.APIUserAbortError;
  }
}

/**
 * Reads a chat completion: its text (parsed as JSON when `structured`), why it ended, and its
 * usage. Stands alone so a batch result read from a file is read exactly as a live reply is.
 */
export function readChatCompletion(response: unknown, structured: boolean): TransportReply {
  const res = response as ChatCompletion;
  const choice = res.choices?.[0];
  const cached = res.usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const usage = {
    input_tokens: res.usage?.prompt_tokens ?? 0,
    output_tokens: res.usage?.completion_tokens ?? 0,
    ...(cached ? { cached_input_tokens: cached } : {}),
  };
  const message = choice?.message;
  if (message?.refusal) return { raw: message.refusal, finish: 'refusal', usage };
  if (choice?.finish_reason === 'content_filter')
    return { raw: message?.content ?? '', finish: 'refusal', usage };
  const raw = message?.content ?? '';
  if (choice?.finish_reason === 'length') return { raw, finish: 'truncated', usage };
  if (!structured) return { raw, value: raw, finish: 'complete', usage };
  const parsed = parseJsonText(raw);
  return { raw, value: parsed.value, jsonError: parsed.error, finish: 'complete', usage };
}
