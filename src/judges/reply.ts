import { z } from 'zod';
import type { JudgeOutput } from '../rubrics/output-schema.js';
import { judgeOutputSchema } from '../rubrics/output-schema.js';
import type { Rubric } from '../rubrics/schema.js';

export type ParsedReply = { ok: true; output: JudgeOutput } | { ok: false; problem: string };

/**
 * Validates a judge's structured reply with the rubric's zod schema. `value` is the parsed JSON
 * (or tool input); `jsonError` is set when the text did not parse. The problem text is what the
 * judge is shown when it is re-asked.
 */
export function validateReply(rubric: Rubric, value: unknown, jsonError?: string): ParsedReply {
  if (jsonError !== undefined) return { ok: false, problem: `The reply was not valid JSON (${jsonError}).` };
  const parsed = judgeOutputSchema(rubric).safeParse(value);
  if (!parsed.success)
    return {
      ok: false,
      problem: `The reply did not match the required schema:\n${z.prettifyError(parsed.error)}`,
    };
  const output = parsed.data as JudgeOutput;
  // the schema allows null only for reference-bound criteria; null is also only fair without a reference
  return { ok: true, output };
}

/** Parses text as JSON, tolerating a ```json fence some servers wrap around it. */
export function parseJsonText(text: string): { value?: unknown; error?: string } {
  const unfenced = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
  try {
    return { value: JSON.parse(unfenced) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
