import Anthropic from '@anthropic-ai/sdk';
import type {
  Message as AnthropicMessage,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import type { JudgeStamp } from '../../core/types.js';
import type {
  LlmParams,
  OutputShape,
  RequestSettings,
  Transport,
  TransportReply,
  WireMessage,
} from '../transport.js';

const TOOL_NAME = 'record_scores';

interface AnthropicConversation {
  system: string;
  messages: MessageParam[];
  /** The forced tool that carries the output schema; null for plain chat. */
  tool: Tool | null;
  /** Mark the system block for Anthropic's prompt cache (a prefix shared by a run's requests). */
  cacheSystem: boolean;
  /** Settings this conversation fixes over the caller's (absent for most). */
  settings?: RequestSettings;
}

/**
 * Anthropic messages, with structured output through a forced tool call when a shape is given: the
 * rubric's JSON schema is the tool's `input_schema` and `tool_choice: {type: "tool"}` makes the
 * model call it. We use the forced tool rather than `output_config` JSON schema because every
 * Claude model supports tools, while `output_config` is limited to the newest ones; the re-ask uses
 * the tool protocol's own `tool_result` with `is_error`. A judge's system block (the rubric, the
 * same bytes for every item) is marked `cache_control: {type: "ephemeral"}`, so Anthropic's prompt
 * cache serves it after the first request. The current API (SDK 1.x) takes neither a seed nor a
 * temperature: repeat runs are reproducible through the cache, not through sampling settings.
 * Retries (429 with retry-after, 408/409, 5xx/529 overloaded, connection errors, timeouts) are the
 * SDK's own, with backoff and jitter.
 */
export class AnthropicTransport implements Transport {
  readonly stamp: JudgeStamp;
  readonly provider = 'anthropic' as const;

  constructor(
    readonly client: Anthropic,
    stamp: JudgeStamp,
  ) {
    this.stamp = stamp;
  }

  start(
    messages: readonly WireMessage[],
    shape: OutputShape | null,
    settings?: RequestSettings,
  ): AnthropicConversation {
    if (messages.some((m) => m.content === null))
      throw new Error(
        "Anthropic's messages API takes no assistant turn without content (the GoalPref-Bench R code's null turn): run the released-code history through an OpenAI-compatible server",
      );
    return {
      system: messages
        .filter((m) => m.role === 'system')
        .map((m) => m.content as string)
        .join('\n\n'),
      messages: messages
        .filter((m) => m.role !== 'system')
        .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content as string })),
      tool: shape
        ? {
            name: TOOL_NAME,
            description: shape.description,
            input_schema: shape.jsonSchema as Tool['input_schema'],
          }
        : null,
      cacheSystem: Boolean(shape?.promptCacheKey),
      ...(settings ? { settings } : {}),
    };
  }

  body(conversation: unknown, caller: LlmParams, _sample: number): MessageCreateParamsNonStreaming {
    const conv = conversation as AnthropicConversation;
    // a conversation's own settings win (its temperature, like every plumb request's, is not sent: see above)
    const params = conv.settings ? { ...caller, ...conv.settings } : caller;
    const system: TextBlockParam[] | undefined = conv.system
      ? [
          {
            type: 'text',
            text: conv.system,
            ...(conv.cacheSystem ? { cache_control: { type: 'ephemeral' } } : {}),
          },
        ]
      : undefined;
    return {
      model: this.stamp.model,
      max_tokens: params.maxTokens,
      ...(system ? { system } : {}),
      messages: conv.messages,
      ...(conv.tool ? { tools: [conv.tool], tool_choice: { type: 'tool', name: TOOL_NAME } } : {}),
    };
  }

  parse(response: unknown, conversation: unknown): TransportReply {
    const res = response as AnthropicMessage;
    const structured = (conversation as AnthropicConversation).tool !== null;
    const read = res.usage?.cache_read_input_tokens ?? 0;
    const write = res.usage?.cache_creation_input_tokens ?? 0;
    // Anthropic's input_tokens leaves out what was read from or written to the cache: plumb's counts all of it
    const usage = {
      input_tokens: (res.usage?.input_tokens ?? 0) + read + write,
      output_tokens: res.usage?.output_tokens ?? 0,
      ...(read ? { cached_input_tokens: read } : {}),
      ...(write ? { cache_write_tokens: write } : {}),
    };
    const text = (res.content ?? [])
      .filter((b) => b.type === 'text')
      .map((b) => (b as { text: string }).text)
      .join('');
    const tool = (res.content ?? []).find((b) => b.type === 'tool_use') as
      | { id: string; input: unknown }
      | undefined;
    const raw = structured && tool ? JSON.stringify(tool.input) : text;
    if (res.stop_reason === 'refusal') return { raw, finish: 'refusal', usage };
    if (res.stop_reason === 'max_tokens') return { raw, finish: 'truncated', usage };
    if (!structured) return { raw, value: text, finish: 'complete', usage };
    if (!tool) return { raw, jsonError: `no ${TOOL_NAME} tool call in the reply`, finish: 'complete', usage };
    return { raw, value: tool.input, finish: 'complete', usage, toolUseId: tool.id };
  }

  async send(
    conversation: unknown,
    params: LlmParams,
    sample: number,
    signal?: AbortSignal,
  ): Promise<TransportReply> {
    const res = await this.client.messages.create(this.body(conversation, params, sample), { signal });
    return this.parse(res, conversation);
  }

  reask(conversation: unknown, reply: TransportReply, problem: string): AnthropicConversation {
    const conv = conversation as AnthropicConversation;
    // plain chat (no tool): the problem says what a valid reply is; there is no tool to call again
    const retry = conv.tool
      ? `${problem}\nCall ${TOOL_NAME} again with input that matches its schema.`
      : `Your previous reply was invalid. ${problem}`;
    const turn: MessageParam[] = reply.toolUseId
      ? [
          {
            role: 'assistant',
            content: [
              {
                type: 'tool_use',
                id: reply.toolUseId,
                name: TOOL_NAME,
                input: reply.value as Record<string, unknown>,
              },
            ],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: reply.toolUseId, is_error: true, content: retry }],
          },
        ]
      : [
          { role: 'assistant', content: reply.raw || '(no reply)' },
          { role: 'user', content: retry },
        ];
    return { ...conv, messages: [...conv.messages, ...turn] };
  }

  isAbort(err: unknown): boolean {
    return err instanceof Anthropic.APIUserAbortError;
  }
}
