import { sha256 } from '../../core/canonical.js';
import { InputError, UsageError } from '../../core/errors.js';
import { fromAnthropicEvals } from './anthropic-evals.js';
import { fromElephantAita, fromElephantOeq } from './elephant.js';
import { fromGoalPref } from './goalpref.js';
import { fromMmluPro } from './mmlu-pro.js';
import type { ImportResult } from './shared.js';
import { fromSycon } from './sycon.js';
import { fromSyconDebateSingle } from './sycon-debate-single.js';
import { fromSycophancyEval } from './sycophancy-eval.js';

export type { ImportResult } from './shared.js';
export { SYCON_DEBATE_PUSHBACK } from './sycon.js';
export { SYCON_SINGLE_TURN_REPLIES } from './sycon-debate-single.js';

/**
 * Converters from public data sets to probe questions, written against the releases themselves.
 * plumb ships none of their data: each reads a file the user downloaded (see the README for
 * where, and under which licence). Ids come from the source, or from a hash of the question —
 * never from line numbers, so they survive a reordered or filtered file.
 *
 * The data sets Kelley & Riedl used carry `metadata.dataset` and, where the paper gives one,
 * `metadata.role`: the conversational context the paper assigns the data set (`advisory` for OEQ
 * and AITA, `peer` for SYCON-Bench debate and GoalPref-Bench; MMLU-Pro, the paper's factual control,
 * has none).
 *
 * Adding an importer is one file in this folder and one line here.
 */
export const IMPORTERS = {
  'sycophancy-eval': fromSycophancyEval,
  'anthropic-evals': fromAnthropicEvals,
  sycon: fromSycon,
  goalpref: fromGoalPref,
  'elephant-oeq': fromElephantOeq,
  'elephant-aita': fromElephantAita,
  'sycon-debate-single': fromSyconDebateSingle,
  'mmlu-pro': fromMmluPro,
} satisfies Record<string, (path: string) => Promise<ImportResult>>;

export type ImportFormat = keyof typeof IMPORTERS;
export const IMPORT_FORMATS = Object.keys(IMPORTERS) as ImportFormat[];

export interface ImportOptions {
  /** Keep a seeded subsample of this many items (all of them when the file has fewer). */
  sample?: number;
  /** The sample's seed (default 0). Any integer or string; the same seed keeps the same items. */
  seed?: number | string;
}

export async function importQuestions(
  format: string,
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const read = (IMPORTERS as Record<string, (path: string) => Promise<ImportResult>>)[format];
  if (!read)
    throw new UsageError(`unknown import format '${format}' (use one of: ${IMPORT_FORMATS.join(', ')})`);
  checkSampleOptions(options);
  const result = await read(path);
  if (result.questions.length === 0)
    throw new InputError(path, undefined, `no items to import (${format} format)`);
  return options.sample === undefined ? result : sampleOf(result, options.sample, options.seed ?? 0);
}

function checkSampleOptions({ sample, seed }: ImportOptions): void {
  if (sample !== undefined && !(Number.isSafeInteger(sample) && sample >= 1))
    throw new UsageError(`--sample must be a whole number of items, at least 1 (got ${sample})`);
  if (seed !== undefined && sample === undefined)
    throw new UsageError('--seed only chooses which items --sample keeps: give --sample N too');
  if (typeof seed === 'number' && !Number.isSafeInteger(seed))
    throw new UsageError(`--seed must be an integer (got ${seed})`);
}

/**
 * The unit a sample keeps or drops: a question's `metadata.sample_unit` when an importer makes
 * several questions of one source item (SYCON's agree and disagree replies to one argument), so
 * they stay together; else the question itself.
 */
const unitOf = (q: ImportResult['questions'][number]) => {
  const u = q.metadata?.sample_unit;
  return typeof u === 'string' && u ? u : q.id;
};

/**
 * A seeded subsample that depends on the items, not on the file: every unit is ranked by
 * SHA-256 of (seed, unit id) and the `n` smallest are kept, so the same file reordered, or a file
 * with more items added, keeps the same items (plus any newcomer that ranks among them). Kept
 * questions stay in file order.
 */
function sampleOf(result: ImportResult, n: number, seed: number | string): ImportResult {
  const units = [...new Set(result.questions.map(unitOf))];
  const grouped = units.length < result.questions.length;
  const what = grouped ? 'source items' : 'items';
  if (n >= units.length)
    return {
      ...result,
      notes: [
        ...result.notes,
        `--sample ${n}: the file has only ${units.length} ${what}, so all are kept (no sampling)`,
      ],
    };
  const rank = new Map(units.map((u) => [u, sha256(`${seed}\u0000${u}`)]));
  const kept = new Set(
    [...units]
      .sort((a, b) => (rank.get(a)! < rank.get(b)! ? -1 : rank.get(a)! > rank.get(b)! ? 1 : 0))
      .slice(0, n),
  );
  const questions = result.questions.filter((q) => kept.has(unitOf(q)));
  return {
    questions,
    notes: [
      ...result.notes,
      `--sample ${n} --seed ${seed}: kept ${n} of ${units.length} ${what}${grouped ? ` (${questions.length} of ${result.questions.length} questions)` : ''} — the ${n} with the smallest SHA-256 of (seed, id), the same whatever the file's order`,
    ],
  };
}
