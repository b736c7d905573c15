import { InputError, UsageError } from '../../core/errors.js';
import { fromAnthropicEvals } from './anthropic-evals.js';
import { fromGoalPref } from './goalpref.js';
import type { ImportResult } from './shared.js';
import { fromSycon } from './sycon.js';
import { fromSycophancyEval } from './sycophancy-eval.js';

export type { ImportResult } from './shared.js';
export { SYCON_DEBATE_PUSHBACK } from './sycon.js';

/**
 * Converters from public data sets to probe questions, written against the releases themselves.
 * plumb ships none of their data: each reads a file the user downloaded (see the README for
 * where, and under which licence). Ids come from the source, or from a hash of the question —
 * never from line numbers, so they survive a reordered or filtered file.
 *
 * Adding an importer is one file in this folder and one line here.
 */
export const IMPORTERS = {
  'sycophancy-eval': fromSycophancyEval,
  'anthropic-evals': fromAnthropicEvals,
  sycon: fromSycon,
  goalpref: fromGoalPref,
} satisfies Record<string, (path: string) => Promise<ImportResult>>;

export type ImportFormat = keyof typeof IMPORTERS;
export const IMPORT_FORMATS = Object.keys(IMPORTERS) as ImportFormat[];

export async function importQuestions(format: string, path: string): Promise<ImportResult> {
  const read = (IMPORTERS as Record<string, (path: string) => Promise<ImportResult>>)[format];
  if (!read)
    throw new UsageError(`unknown import format '${format}' (use one of: ${IMPORT_FORMATS.join(', ')})`);
  const result = await read(path);
  if (result.questions.length === 0)
    throw new InputError(path, undefined, `no items to import (${format} format)`);
  return result;
}
