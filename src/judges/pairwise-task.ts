import {
  answerMode,
  isForcedChoice,
  type PairwiseOutput,
  type PairwiseRubric,
  pairwiseJsonSchema,
  pairwiseOutputSchema,
} from '../rubrics/pairwise.js';
import {
  answerLabels,
  PAIRWISE_PROMPT_VERSION,
  PAIRWISE_TEMPLATE_VERSION,
  pairwiseContent,
  renderPairwisePrompt,
} from './pairwise-prompt.js';
import type { Order, PairItem } from './pairwise-types.js';
import { type Checked, validateWith } from './reply.js';
import type { StructuredTask } from './task.js';

const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** What the judge is told a valid bare-label reply is, when it is re-asked. */
export function labelInstruction(labels: readonly [string, string]): string {
  return labels.every((l) => l.length === 1)
    ? `Answer with the single letter ${labels[0]} or ${labels[1]}, and nothing else.`
    : `Answer with only ${labels[0]} or ${labels[1]}, and nothing else.`;
}

/**
 * Reads a bare-label reply strictly: surrounding whitespace is trimmed, then one trailing period
 * is allowed ("A." — the released prompt's own instruction ends with one); what is left must be
 * exactly one of the labels, case included. Anything else ("a", "'A'", "**A**", "Response A",
 * "A or B", an empty reply) is invalid, with the problem stated for the re-ask.
 */
export function parseLabelReply(raw: unknown, labels: readonly [string, string]): Checked<0 | 1> {
  const text = typeof raw === 'string' ? raw : '';
  const trimmed = text.trim();
  const bare = trimmed.endsWith('.') ? trimmed.slice(0, -1) : trimmed;
  const at = labels.indexOf(bare);
  if (at === 0 || at === 1) return { ok: true, output: at };
  return {
    ok: false,
    problem: `The reply was ${JSON.stringify(clip(text))}, not a bare ${labels[0]} or ${labels[1]}. ${labelInstruction(labels)}`,
  };
}

/**
 * The task of one pair in one order, for an LLM judge. A rubric that answers through the schema
 * gets the JSON schema of its verdicts (no tie under forced choice) and is validated with its zod
 * schema; a bare-label rubric is plain chat, its reply read by parseLabelReply (the first label
 * is the response shown first), a reply that runs past the token limit re-asked like any other
 * invalid one. The cache key has the answer mode and forced choice, and a template rubric's
 * rendered prompt (its text is the rubric's own, with no nonce in it).
 */
export function pairwiseTask(
  rubric: PairwiseRubric,
  pair: PairItem,
  order: Order,
): StructuredTask<PairwiseOutput> {
  const label = answerMode(rubric) === 'label';
  const labels = answerLabels(rubric);
  const template = rubric.user_template !== undefined;
  const settings = {
    ...(rubric.max_tokens !== undefined ? { maxTokens: rubric.max_tokens } : {}),
    ...(rubric.temperature !== undefined ? { temperature: rubric.temperature } : {}),
  };
  return {
    shape: label
      ? null
      : {
          name: `${rubric.id}_${rubric.version}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64),
          description: `Record the rationale and the verdict for pairwise rubric ${rubric.id}@${rubric.version}.`,
          jsonSchema: pairwiseJsonSchema(rubric),
        },
    validate: label
      ? (value) => {
          const read = parseLabelReply(value, labels);
          if (!read.ok) return read;
          return {
            ok: true,
            output: {
              verdict: read.output === 0 ? 'A' : 'B',
              rationale: `bare label: ${(value as string).trim()}`,
            },
          };
        }
      : (value, jsonError) => validateWith(pairwiseOutputSchema(rubric), value, jsonError),
    prompt: () => renderPairwisePrompt(rubric, pair, order),
    key: {
      pairwise_rubric: rubric.hash,
      prompt_version: template ? PAIRWISE_TEMPLATE_VERSION : PAIRWISE_PROMPT_VERSION,
      item: pair.id,
      content: template ? renderPairwisePrompt(rubric, pair, order) : pairwiseContent(pair, order),
      ...(isForcedChoice(rubric) ? { forced_choice: true } : {}),
      ...(label ? { answer: 'label', labels } : {}),
    },
    ...(Object.keys(settings).length ? { settings } : {}),
    ...(label ? { reaskTruncated: true } : {}),
  };
}
