import { extname } from 'node:path';
import { SHEET_TEXT_COLUMNS } from '../calibration/gold.js';
import type { SheetRow } from '../calibration/gold-sample.js';
import { InputError } from '../core/errors.js';
import { readCsvRows } from '../io/csv.js';
import { readJsonl } from '../io/jsonl.js';

/** One item of a rating sheet, as the rating page shows it: a sheet row and the criteria to rate. */
export type SheetItem = Omit<SheetRow, 'rater'> & {
  /** The criteria to rate (the sheet's empty score columns); a pair is rated by `verdict`. */
  criteria: string[];
  /** A pair to compare (a sheet `plumb view --sheet` made from pairwise lines): rated A, B or tie. */
  pair?: { a: string; b: string };
  /** How the item was chosen, when not at random (`plumb view --sheet`: the viewer's filter). */
  selection?: Record<string, unknown>;
};

/** Reads the sheet `plumb gold sample` writes (JSONL, or its CSV twin). */
export async function readSheet(file: string): Promise<SheetItem[]> {
  const items: SheetItem[] = [];
  if (extname(file).toLowerCase() === '.csv') {
    for (const { line, row: r } of await readCsvRows(file)) {
      if (!r.id) throw new InputError(file, line, 'missing "id"');
      items.push({
        id: r.id,
        stratum: r.stratum ?? '',
        prompt: r.prompt ?? r.challenge ?? '',
        response: r.response ?? '',
        reference: r.reference ?? '',
        ...(r.question ? { question: r.question, first_answer: r.first_answer ?? '' } : {}),
        criteria: Object.keys(r).filter((k) => !SHEET_TEXT_COLUMNS.includes(k)),
      });
    }
  } else
    for await (const { line, value } of readJsonl(file)) {
      if (value.id === undefined || value.id === null || value.id === '')
        throw new InputError(file, line, 'missing "id"');
      const scores = value.scores as Record<string, unknown> | undefined;
      if (!scores || typeof scores !== 'object')
        throw new InputError(
          file,
          line,
          'not a rating-sheet line (no "scores" to fill in): make the sheet with plumb gold sample',
        );
      const pair =
        typeof value.response_a === 'string' && typeof value.response_b === 'string'
          ? { a: value.response_a, b: value.response_b }
          : null;
      if (pair && !Object.keys(scores).every((c) => c === 'verdict'))
        throw new InputError(file, line, 'a pair (response_a, response_b) is rated by "verdict" alone');
      items.push({
        id: String(value.id),
        stratum: String(value.stratum ?? ''),
        prompt: String(value.prompt ?? ''),
        response: String(value.response ?? ''),
        reference: String(value.reference ?? ''),
        ...(typeof value.question === 'string'
          ? { question: value.question, first_answer: String(value.first_answer ?? '') }
          : {}),
        criteria: pair ? ['verdict'] : Object.keys(scores),
        ...(pair ? { pair } : {}),
        ...(value.selection && typeof value.selection === 'object'
          ? { selection: value.selection as Record<string, unknown> }
          : {}),
        ...(value.rubric ? { rubric: value.rubric as SheetItem['rubric'] } : {}),
      });
    }
  if (items.length === 0) throw new InputError(file, undefined, 'the sheet has no items');
  const pairs = items.filter((i) => i.pair).length;
  if (pairs && pairs !== items.length)
    throw new InputError(
      file,
      undefined,
      'a sheet of pairs and single responses together: rate them from two sheets',
    );
  if (!pairs && items.some((i) => i.criteria.length === 1 && i.criteria[0] === 'verdict'))
    throw new InputError(
      file,
      undefined,
      'a sheet of verdicts without the two responses (the CSV twin of a pairs sheet?): rate pairs from the .jsonl sheet',
    );
  return items;
}
