import semver from 'semver';
import { z } from 'zod';

/**
 * A pairwise rubric: the judge is shown one conversation and two responses to it and says which
 * serves better (or that neither does), instead of scoring one response on a scale. Pairwise
 * rubrics live in the same folders as pointwise ones and are told apart by `kind: pairwise`.
 *
 * Optional settings (absent in the rubrics written before them, so their content hashes are
 * unchanged — none of these has a default that would be written into the hashed content):
 *
 * - `forced_choice: true` — no tie: the verdicts are A and B only, the reply schema has no tie, a
 *   tie in a reply is invalid (re-asked, then unscored), and combining orders, samples or a panel
 *   never turns a disagreement into a tie (pairwise/combine.ts).
 * - `answer: label` with `labels: [A, B]` — the judge answers with a bare label in plain chat (no
 *   JSON schema, no tool), parsed strictly (judges/pairwise-task.ts); needs `forced_choice: true`.
 * - `max_tokens`, `temperature` — request settings the rubric fixes over the judge's own (e.g. the
 *   released GoalPref judge: 10 tokens, temperature 0).
 * - `user_template` — the user turn written out by the rubric instead of plumb's tagged blocks;
 *   the system turn is then `instructions` exactly as written (judges/pairwise-prompt.ts).
 */
const Label = z
  .string()
  .min(1)
  .max(32)
  .regex(/^\S+$/, 'a label is one word, without spaces')
  .refine((l) => !l.endsWith('.'), 'a label cannot end with a period (a reply may add one)');

export const PairwiseRubricFileSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'rubric ids are lowercase letters, digits, - and _'),
    version: z.string().refine((v) => semver.valid(v) !== null, 'version must be semver, e.g. 1.0.0'),
    kind: z.literal('pairwise'),
    description: z.string().min(1),
    /** What each verdict means, shown to the judge by plumb's own prompt; no `tie` under forced choice. */
    verdicts: z
      .object({ A: z.string().min(1), B: z.string().min(1), tie: z.string().min(1).optional() })
      .strict(),
    /** No tie: the judge must pick A or B. Absent means false (ties allowed). */
    forced_choice: z.boolean().optional(),
    /** How the judge answers: `structured` (JSON schema / forced tool, the default) or a bare `label`. */
    answer: z.enum(['structured', 'label']).optional(),
    /** With `answer: label`: the two labels, for the response shown first and the one shown second. */
    labels: z.tuple([Label, Label]).optional(),
    /** The request's output token limit, over the judge's `--max-tokens`. */
    max_tokens: z.number().int().positive().max(1_000_000).optional(),
    /** The request's temperature, over the judge's `--temperature`. */
    temperature: z.number().min(0).max(2).optional(),
    /** What the judge should weigh, in order; shown as a list. */
    considerations: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'consideration names are snake_case'),
            description: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    /** plumb's prompt: the judge's instructions. With `user_template`: the system turn, verbatim. */
    instructions: z.string().min(1),
    /**
     * The user turn, verbatim but for its placeholders: `{response_a}` and `{response_b}` (the
     * responses in the order shown), `{user_message}` (the conversation's last user message) and
     * `{metadata.NAME}` (a string field of the pair's metadata); `{{` and `}}` are literal braces.
     */
    user_template: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const forced = r.forced_choice === true;
    if (forced && r.verdicts.tie !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['verdicts', 'tie'],
        message: 'a forced-choice rubric has no tie verdict: remove verdicts.tie',
      });
    if (!forced && r.verdicts.tie === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['verdicts', 'tie'],
        message: 'verdicts.tie is required unless the rubric says forced_choice: true',
      });
    if (r.answer === 'label') {
      if (!forced)
        ctx.addIssue({
          code: 'custom',
          path: ['answer'],
          message: 'answer: label needs forced_choice: true (a bare label has no tie)',
        });
      if (!r.labels)
        ctx.addIssue({ code: 'custom', path: ['labels'], message: 'answer: label needs labels: [A, B]' });
      else if (r.labels[0] === r.labels[1])
        ctx.addIssue({ code: 'custom', path: ['labels'], message: 'the two labels must differ' });
    } else if (r.labels)
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'labels go with answer: label' });
    if (r.user_template !== undefined) {
      if (r.considerations.length)
        ctx.addIssue({
          code: 'custom',
          path: ['considerations'],
          message: 'a rubric with a user_template writes its own prompt: considerations would not be shown',
        });
      let parts: TemplatePart[] = [];
      try {
        parts = parseTemplate(r.user_template);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['user_template'], message: (err as Error).message });
        return;
      }
      for (const need of ['response_a', 'response_b'])
        if (!parts.some((p) => 'field' in p && p.field === need))
          ctx.addIssue({
            code: 'custom',
            path: ['user_template'],
            message: `the template must show {${need}}`,
          });
    }
  });

export type PairwiseRubricSpec = z.infer<typeof PairwiseRubricFileSchema>;

export interface PairwiseRubric extends PairwiseRubricSpec {
  hash: string;
  path: string;
}

export const VERDICTS = ['A', 'B', 'tie'] as const;
export type Verdict = (typeof VERDICTS)[number];
/** The verdicts of a forced-choice rubric. */
export const FORCED_VERDICTS = ['A', 'B'] as const;

export function isForcedChoice(r: Pick<PairwiseRubricSpec, 'forced_choice'>): boolean {
  return r.forced_choice === true;
}

/** The verdicts a rubric allows: A and B, and a tie unless it is forced choice. */
export function verdictsOf(r: Pick<PairwiseRubricSpec, 'forced_choice'>): readonly Verdict[] {
  return isForcedChoice(r) ? FORCED_VERDICTS : VERDICTS;
}

/** How the judge answers: through the JSON schema (the default) or with a bare label. */
export function answerMode(r: Pick<PairwiseRubricSpec, 'answer'>): 'structured' | 'label' {
  return r.answer ?? 'structured';
}

/** The judge's reply: reasoning first (written before the verdict), then the verdict. */
export const PairwiseOutputSchema = z
  .object({
    rationale: z
      .string()
      .describe('Brief reasoning that compares the two responses, written before the verdict.'),
    verdict: z.enum(VERDICTS).describe('A, B, or tie when neither is better.'),
  })
  .strict();

/** The forced-choice reply: the same, with no tie. */
export const ForcedPairwiseOutputSchema = z
  .object({
    rationale: z
      .string()
      .describe('Brief reasoning that compares the two responses, written before the verdict.'),
    verdict: z.enum(FORCED_VERDICTS).describe('A or B: one response must be chosen; there is no tie.'),
  })
  .strict();

export type PairwiseOutput = z.infer<typeof PairwiseOutputSchema>;

/** The zod schema of a rubric's structured reply. */
export function pairwiseOutputSchema(
  r?: Pick<PairwiseRubricSpec, 'forced_choice'>,
): z.ZodType<PairwiseOutput> {
  return r && isForcedChoice(r) ? ForcedPairwiseOutputSchema : PairwiseOutputSchema;
}

const jsonSchemas = new Map<boolean, Record<string, unknown>>();

/**
 * JSON Schema (draft 7) of a rubric's pairwise reply, from zod's own converter: without a rubric
 * (or for one that allows ties) the verdict is A, B or tie; for a forced-choice rubric A or B.
 * Shared: do not mutate.
 */
export function pairwiseJsonSchema(r?: Pick<PairwiseRubricSpec, 'forced_choice'>): Record<string, unknown> {
  const forced = r ? isForcedChoice(r) : false;
  let schema = jsonSchemas.get(forced);
  if (!schema) {
    schema = z.toJSONSchema(forced ? ForcedPairwiseOutputSchema : PairwiseOutputSchema, {
      target: 'draft-7',
    }) as Record<string, unknown>;
    delete schema.$schema;
    jsonSchemas.set(forced, schema);
  }
  return schema;
}

/** One piece of a user template: literal text, or a placeholder to fill. */
export type TemplatePart = { text: string } | { field: string };

const FIELD = /^(response_a|response_b|user_message|metadata\.[A-Za-z_][A-Za-z0-9_-]*)$/;

/**
 * Splits a user template into text and placeholders. `{{` and `}}` are literal braces; any other
 * brace must belong to a known placeholder, so a typo is an error when the rubric is loaded, not
 * a prompt sent with a hole in it.
 */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '{' && template[i + 1] === '{') {
      text += '{';
      i += 1;
    } else if (c === '}' && template[i + 1] === '}') {
      text += '}';
      i += 1;
    } else if (c === '{') {
      const end = template.indexOf('}', i + 1);
      const name = end < 0 ? null : template.slice(i + 1, end);
      if (name === null || !FIELD.test(name))
        throw new Error(
          `unknown placeholder ${end < 0 ? `at "${template.slice(i, i + 20)}"` : `{${name}}`}: use {response_a}, {response_b}, {user_message} or {metadata.NAME} (and {{ }} for literal braces)`,
        );
      if (text) parts.push({ text });
      text = '';
      parts.push({ field: name });
      i = end;
    } else if (c === '}') {
      throw new Error(
        `a lone } at "${template.slice(Math.max(0, i - 10), i + 1)}": write }} for a literal brace`,
      );
    } else text += c;
  }
  if (text) parts.push({ text });
  return parts;
}
