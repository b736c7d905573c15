import { z } from 'zod';
import type { JudgeOutput } from '../rubrics/output-schema.js';
import { judgeOutputSchema } from '../rubrics/output-schema.js';
import type { Rubric } from '../rubrics/schema.js';

export type Checked<T> = { ok: true; output: T } | { ok: false; problem: string };

/**
 * Validates a structured reply with a zod schema. `value` is the parsed JSON (or tool input);
 * `jsonError` is set when the text did not parse. The problem text is what the judge is shown
 * when it is re-asked.
 */
export function validateWith<T>(schema: z.ZodType<T>, value: unknown, jsonError?: string): Checked<T> {
  if (jsonError !== undefined) return { ok: false, problem: `The reply was not valid JSON (${jsonError}).` };
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    return {
      ok: false,
      problem: `The reply did not match the required schema:\n${z.prettifyError(parsed.error)}`,
    };
  return { ok: true, output: parsed.data };
}

/** Validates a judge's reply with the rubric's zod schema. */
export function validateReply(rubric: Rubric, value: unknown, jsonError?: string): Checked<JudgeOutput> {
  return validateWith(judgeOutputSchema(rubric) as z.ZodType<JudgeOutput>, value, jsonError);
}
