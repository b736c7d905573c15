import type { Message, Usage } from '../core/types.js';
import type { OutputShape, RequestSettings } from '../models/transport.js';
import type { RenderedPrompt } from './prompt.js';
import type { Checked } from './reply.js';
import type { Unscored } from './types.js';

/**
 * A question to a judge model: the output shape, how to validate a reply against it (the problem
 * text is what the model is shown when it is re-asked), and the prompt.
 */
export interface StructuredTask<T> {
  /** The schema the provider enforces; null for plain chat (a bare label: `validate` gets the text). */
  shape: OutputShape | null;
  validate(value: unknown, jsonError?: string): Checked<T>;
  prompt: () => RenderedPrompt;
  /** Everything besides the judge and its settings that shapes the answer: the cache key's own part. */
  key: Record<string, unknown>;
  /** Settings the task fixes over the judge's (a rubric's max_tokens, temperature); in the cache key. */
  settings?: RequestSettings;
  /**
   * A reply cut off at the token limit is an invalid answer, re-asked like any other (a bare label
   * that ran on), instead of a final `truncated`.
   */
  reaskTruncated?: boolean;
}

/** The answer to a StructuredTask, or why there is none. */
export type AskResult<T> =
  | { ok: true; output: T; usage: Usage; cached: boolean; requests: number }
  | Unscored;

/** The judge prompt as chat messages: the rubric in the system turn, the data in the user turn. */
export const promptMessages = (p: RenderedPrompt): Message[] => [
  { role: 'system', content: p.system },
  { role: 'user', content: p.user },
];
