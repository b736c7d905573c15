import { InputError } from '../../core/errors.js';
import { type CsvTable, readCsvTable } from '../../io/csv.js';
import type { ProbeQuestion } from '../inputs.js';
import { type ImportResult, indexColumn, requireColumns, shortHash, uniqueIds } from './shared.js';

/**
 * ELEPHANT (Cheng et al.) as released in myracheng/elephant `datasets/`: pandas `to_csv` files
 * with the index as a first, unnamed column (the original row ids, not 0…n−1), prompts holding raw
 * newlines inside quoted cells. Kelley & Riedl drew 250 of each at random and rewrote them (personal
 * information removed, the core question extracted; for AITA also a neutral "key problem"); those
 * rewritten texts are not released, so the prompts are imported as they are.
 *
 * Both are the paper's *advisory* context (its role is the data set's context, not a system
 * prompt): OEQ is personal advice, AITA moral judgment.
 */

const OEQ_LAYOUT =
  "ELEPHANT's datasets/OEQ.csv (an unnamed index column, prompt, human, source and the four *_human metric columns)";
const AITA_LAYOUT =
  "ELEPHANT's datasets/AITA.csv (an unnamed index column, prompt, top_comment, is_asshole, ytanta)";

/**
 * The human reply's labels on ELEPHANT's four metrics (1 = emotionally validating, suggestive
 * language, indirect action, and — careful — *accepts* the framing). Two are written as floats
 * in the release because pandas stores their missing values as NaN: those arrive as empty cells.
 */
const OEQ_METRICS = [
  'emotional_validation_human',
  'indirect_language_human',
  'indirect_action_human',
  'accept_framing_human',
] as const;

/** A 0/1 label as pandas writes it (`0`, `1.0`; NaN as an empty cell), or a bad-row error. */
function binaryLabel(file: string, line: number, column: string, raw: string): 0 | 1 | null {
  const v = raw.trim();
  if (v === '' || /^nan$/i.test(v) || v === 'NA') return null;
  if (/^0(\.0*)?$/.test(v)) return 0;
  if (/^1(\.0*)?$/.test(v)) return 1;
  throw new InputError(file, line, `"${column}" must be 0 or 1 (or empty), not ${JSON.stringify(raw)}`);
}

/** The source's row id (pandas' index) as the question's id, or a hash of the prompt without one. */
function rowIds(table: CsvTable, prefix: string) {
  const index = indexColumn(table);
  const unique = uniqueIds(table.file);
  return {
    index,
    idOf(line: number, row: Record<string, string>, prompt: string) {
      if (index === undefined) {
        const id = `${prefix}-${shortHash(prompt)}`;
        unique(id, line, 'prompt');
        return { id, index: null };
      }
      const value = row[index]!.trim();
      if (!value) throw new InputError(table.file, line, 'empty index (the first, unnamed column)');
      unique(value, line, `index ${value}`);
      return { id: `${prefix}-${value}`, index: value };
    },
  };
}

/** The columns an importer does not map, kept under their own names (empty cells as null). */
function otherColumns(table: CsvTable, row: Record<string, string>, mapped: readonly string[]) {
  const out: Record<string, string | null> = {};
  for (const h of table.header)
    if (!mapped.includes(h) && h !== indexColumn(table)) out[h] = row[h]!.trim() ? row[h]! : null;
  return out;
}

const NO_INDEX_NOTE =
  'no index column (the unnamed first column of the release): ids are a hash of the prompt, stable but not the source row ids';

/**
 * OEQ.csv: `,prompt,human,source,emotional_validation_human,indirect_language_human,
 * indirect_action_human,accept_framing_human`. The prompt is the question; the human reply, the
 * source forum and the four labels are kept in metadata; the source is the group.
 */
export async function fromElephantOeq(file: string): Promise<ImportResult> {
  const table = await readCsvTable(file, OEQ_LAYOUT);
  requireColumns(table, ['prompt', 'human'], OEQ_LAYOUT);
  const ids = rowIds(table, 'oeq');
  let unlabelled = 0;
  const questions = table.records.map(({ line, row }): ProbeQuestion => {
    const prompt = row.prompt!.trim();
    if (!prompt) throw new InputError(file, line, 'empty "prompt"');
    const { id, index } = ids.idOf(line, row, prompt);
    const metrics: Record<string, 0 | 1 | null> = {};
    for (const m of OEQ_METRICS)
      if (m in row) {
        metrics[m] = binaryLabel(file, line, m, row[m]!);
        if (metrics[m] === null) unlabelled += 1;
      }
    const source = row.source?.trim();
    return {
      id,
      domain: 'advice',
      question: prompt,
      ...(source ? { group: source } : {}),
      metadata: {
        dataset: 'oeq',
        role: 'advisory',
        index,
        human: row.human!.trim() ? row.human! : null,
        source: source || null,
        ...metrics,
        ...otherColumns(table, row, ['prompt', 'human', 'source', ...OEQ_METRICS]),
      },
    };
  });
  return {
    questions,
    notes: [
      `OEQ: ${questions.length} prompts imported as released (the paper used 250 of 3,027, rewritten to remove personal information and keep the core question; the rewrites are not released)`,
      ...(ids.index === undefined ? [NO_INDEX_NOTE] : []),
      ...(unlabelled
        ? [`${unlabelled} human metric labels are missing (NaN in the release): kept as null`]
        : []),
    ],
  };
}

/**
 * AITA.csv: `,prompt,top_comment,is_asshole,ytanta`. Domain `moral`, not `advice`: the post asks
 * for a verdict on the poster's own conduct ("Am I the asshole?"), and the paper treats AITA as
 * its moral-judgment data set — within the advisory role, which is kept apart in `metadata.role`.
 * The top comment and its verdict are kept in metadata, not as an `answer`: the community's
 * verdict is a label of the post, not a correct answer a model must hold under challenge.
 */
export async function fromElephantAita(file: string): Promise<ImportResult> {
  const table = await readCsvTable(file, AITA_LAYOUT);
  requireColumns(table, ['prompt', 'top_comment'], AITA_LAYOUT);
  const ids = rowIds(table, 'aita');
  let yta = 0;
  const questions = table.records.map(({ line, row }): ProbeQuestion => {
    const prompt = row.prompt!.trim();
    if (!prompt) throw new InputError(file, line, 'empty "prompt"');
    const { id, index } = ids.idOf(line, row, prompt);
    const isAsshole = 'is_asshole' in row ? binaryLabel(file, line, 'is_asshole', row.is_asshole!) : null;
    if (isAsshole === 1) yta += 1;
    const verdict = row.ytanta?.trim();
    return {
      id,
      domain: 'moral',
      question: prompt,
      metadata: {
        dataset: 'aita',
        role: 'advisory',
        index,
        top_comment: row.top_comment!.trim() ? row.top_comment! : null,
        is_asshole: isAsshole,
        ytanta: verdict || null,
        ...otherColumns(table, row, ['prompt', 'top_comment', 'is_asshole', 'ytanta']),
      },
    };
  });
  return {
    questions,
    notes: [
      `AITA: ${questions.length} posts imported as released (the paper's "core question" and "key problem" rewrites are not released)`,
      `${yta} of ${questions.length} posts were judged at fault by their top comment (is_asshole = 1): the paper drew its 250 from 2,000 such posts only`,
      ...(ids.index === undefined ? [NO_INDEX_NOTE] : []),
    ],
  };
}
