import {
  type PairwiseOutput,
  PairwiseOutputSchema,
  type PairwiseRubric,
  pairwiseJsonSchema,
} from '../rubrics/pairwise.js';
import { PAIRWISE_PROMPT_VERSION, pairwiseContent, renderPairwisePrompt } from './pairwise-prompt.js';
import type { Order, PairItem } from './pairwise-types.js';
import { validateWith } from './reply.js';
import type { StructuredTask } from './task.js';

/** The structured task of one pair in one order, for an LLM judge. */
export function pairwiseTask(
  rubric: PairwiseRubric,
  pair: PairItem,
  order: Order,
): StructuredTask<PairwiseOutput> {
  return {
    shape: {
      name: `${rubric.id}_${rubric.version}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64),
      description: `Record the rationale and the verdict for pairwise rubric ${rubric.id}@${rubric.version}.`,
      jsonSchema: pairwiseJsonSchema(),
    },
    validate: (value, jsonError) => validateWith(PairwiseOutputSchema, value, jsonError),
    prompt: () => renderPairwisePrompt(rubric, pair, order),
    key: {
      pairwise_rubric: rubric.hash,
      prompt_version: PAIRWISE_PROMPT_VERSION,
      item: pair.id,
      content: pairwiseContent(pair, order),
    },
  };
}
