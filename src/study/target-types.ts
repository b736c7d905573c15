import type { Message } from '../core/types.js';
import type { ChatModel, ChatReply } from '../models/chat.js';
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

export type TargetReply = ChatReply;

/** The model under test: plain chat, no structured output. */
export interface Target {
  readonly stamp: Record<string, unknown>;
  /** The chat model behind it, when there is one (for batches). */
  readonly chat?: ChatModel;
  reply(messages: Message[], ctx: TargetContext, signal?: AbortSignal): Promise<TargetReply>;
}
