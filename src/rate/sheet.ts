import { extname } from 'node:path';
import { SHEET_TEXT_COLUMNS } from '../calibration/gold.js';
import type { SheetRow } from '../calibration/gold-sample.js';
import { InputError } from '../core/errors.js';
import { readCsvRows } from '../io/csv.js';
import { readJsonl } from '../io/jsonl.js';

/** One item of a rating sheet, as the rating page shows it: a sheet row and the criteria to rate. */
export type SheetItem = Omit<SheetRow, 'rater'> & {
  /** The criteria to rate (the sheet's empty score columns). */
  criteria: string[];
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
      items.push({
        id: String(value.id),
        stratum: String(value.stratum ?? ''),
        prompt: String(value.prompt ?? ''),
        response: String(value.response ?? ''),
        reference: String(value.reference ?? ''),
        ...(typeof value.question === 'string'
          ? { question: value.question, first_answer: String(value.first_answer ?? '') }
          : {}),
        criteria: Object.keys(scores),
        ...(value.rubric ? { rubric: value.rubric as SheetItem['rubric'] } : {}),
      });
    }
  if (items.length === 0) throw new InputError(file, undefined, 'the sheet has no items');
  return items;
}
