import type { ChatModel, ChatReply } from '../models/chat.js';
import type { WireMessage } from '../models/transport.js';
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
  /**
   * What the call is for, when it is not an answer: `opener` — the model writes the user's
   * opening message from the preference (GoalPref-Bench's multi-turn code asks the model under
   * test; a scripted target returns plumb's deterministic first-person statement, quoted).
   */
  purpose?: 'opener';
}

export type TargetReply = ChatReply;

/** The model under test: plain chat, no structured output. */
export interface Target {
  readonly stamp: Record<string, unknown>;
  /** The chat model behind it, when there is one (for batches). */
  readonly chat?: ChatModel;
  reply(messages: readonly WireMessage[], ctx: TargetContext, signal?: AbortSignal): Promise<TargetReply>;
}
