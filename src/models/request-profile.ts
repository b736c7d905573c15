/**
 * What a chat request's body holds, beyond the conversation. `plumb` is plumb's own request (the
 * sampling settings, a seed per sample, OpenAI's `max_completion_tokens`, structured output where
 * a judge needs it). `goalpref-r` is the request the released GoalPref-Bench R code sends
 * (seanwkelley/GoalPref-Bench @ 2c9aea1a, e.g. code/main/generate_responses.R 66–71): jsonlite's
 * `toJSON(list(model, messages, max_tokens, temperature), auto_unbox = TRUE)` — those four keys in
 * that order, each message `{role, content}`, no seed, no other field. JSON.stringify of an object
 * built in that order gives the same bytes (compact, `/` and non-ASCII unescaped), and the OpenAI
 * SDK serialises the object it is given as it is, so the body on the wire is the R code's byte for
 * byte (test/study/presets/byte-identity.test.ts checks it on a fake server).
 *
 * The profile is OpenAI's wire (chat completions): openai-compatible (OpenRouter, as the paper),
 * ollama and openai. Anthropic's messages API has another body altogether: reach Claude through an
 * OpenAI-compatible router (as the paper did, through OpenRouter) for the R bodies.
 */
export const REQUEST_PROFILES = ['plumb', 'goalpref-r'] as const;
export type RequestProfile = (typeof REQUEST_PROFILES)[number];

/** Whether a profile sends a seed (the R code never does). */
export const sendsSeed = (profile: RequestProfile | undefined) => (profile ?? 'plumb') === 'plumb';

/** An assistant turn without content: what the R code's multi-turn history holds (R `NA` → JSON null). */
export interface NullAssistantTurn {
  role: 'assistant';
  content: null;
}
