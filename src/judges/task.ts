import type { Message, Usage } from '../core/types.js';
import type { OutputShape } from '../models/transport.js';
import type { RenderedPrompt } from './prompt.js';
import type { Checked } from './reply.js';
import type { Unscored } from './types.js';

/**
 * A structured question to a judge model: the output shape, how to validate a reply against it
 * (the problem text is what the model is shown when it is re-asked), and the prompt.
 */
export interface StructuredTask<T> {
  shape: OutputShape;
  validate(value: unknown, jsonError?: string): Checked<T>;
  prompt: () => RenderedPrompt;
  /** Everything besides the judge and its settings that shapes the answer: the cache key's own part. */
  key: Record<string, unknown>;
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
