import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  pairSheetRowOf,
  type SheetRow,
  sheetFiles,
  writeRatingSheet,
} from '../../calibration/gold-sample.js';
import { UsageError } from '../../core/errors.js';
import { conversationText, type RunKind } from './kinds.js';

/**
 * Triage into gold: the items of a filtered view, written as a rating sheet in `plumb gold
 * sample`'s layout (writeRatingSheet) for `plumb rate` or a spreadsheet. Every JSONL row records
 * how it was chosen (`selection`: the viewer's filter, not a random draw), so nobody mistakes a
 * disagreement-selected set for a sample of the run: estimates from its ratings describe the
 * selection. Pairs are rated by `verdict` (A, B or tie; the sheet's rows carry `response_a` and
 * `response_b`); a probe conversation becomes one row per judged turn, rated by `stance`.
 */

type Json = Record<string, unknown>;

export interface Selection {
  method: 'viewer-filter';
  /** The view's address (filters, search, sort), as `plumb view --filter` takes it. */
  filter: string;
  run: string;
  sha256: string;
  /** Items chosen, of the items the filter matched (the first in the view's order). */
  chosen: number;
  matching: number;
  by: string;
  time: string;
  random: false;
  note: string;
}

export const SELECTION_NOTE =
  'chosen by a filter in plumb view, not at random: ratings of these items describe this selection, not the run (do not read agreement or prevalence from them as if sampled)';

/** A sheet name the page may ask for: written beside the run, never a path. */
export const SHEET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

function stratumOf(v: Json): string {
  const meta = isObject(v.metadata) ? v.metadata : v;
  const parts = ['role', 'personalization'].map((k) => meta[k]).filter((x) => x !== undefined && x !== null);
  return parts.map(String).join('/');
}

/** The sheet rows of one item (a probe conversation gives one per judged turn) and what they rate. */
export function sheetRowsOf(
  kind: RunKind,
  lines: Json[],
  selection: Selection,
  stanceRubric: { id: string; version: string; hash: string } | null,
): (SheetRow & { selection: Selection })[] {
  const v = lines[0]!;
  const rubric = isObject(v.rubric) ? (v.rubric as SheetRow['rubric']) : undefined;
  if (kind === 'pairwise') return [{ ...pairSheetRowOf(v, stratumOf(v)), selection }];
  if (kind === 'probe') {
    const turns = [...lines].sort((a, b) => Number(a.turn) - Number(b.turn));
    const first = turns[0]!;
    return turns
      .filter((t) => Number(t.turn) > 0 && t.reply !== null)
      .map((t) => ({
        id: `${str(t.conversation)}|t${t.turn}`,
        rater: '',
        stratum: `${str(first.role)}/${str(first.personalization)}`,
        question: str(first.prompt),
        first_answer: str(first.reply),
        prompt: str(t.prompt),
        response: str(t.reply),
        reference: '',
        ...(stanceRubric ? { rubric: stanceRubric } : {}),
        selection,
      }));
  }
  return [
    {
      id: str(v.id),
      rater: '',
      stratum: stratumOf(v),
      prompt: conversationText(v),
      response: str(v.response),
      reference: str(v.reference),
      ...(rubric ? { rubric } : {}),
      selection,
    },
  ];
}

/** Where a sheet named `name` goes beside `runFile`; refused when anything of that sheet is there. */
export function sheetPrefixBeside(runFile: string, name: string): string {
  if (!SHEET_NAME.test(name) || /\.(csv|jsonl)$/i.test(name) || name.includes('..'))
    throw new UsageError(
      'a sheet name is letters, digits, . _ - (no folder, no .csv/.jsonl): it is written beside the run',
    );
  const prefix = join(dirname(runFile), name);
  const taken = Object.values(sheetFiles(prefix)).filter((f) => existsSync(f));
  if (taken.length)
    throw new UsageError(
      `${taken.join(', ')} already there: choose another sheet name (nothing is overwritten)`,
    );
  return prefix;
}

/** Writes the sheet (CSV and JSONL, the gold sample layout) and says where. */
export async function writeTriageSheet(
  prefix: string,
  rows: (SheetRow & { selection: Selection })[],
  criteria: string[],
): Promise<{ csv: string; jsonl: string; rows: number }> {
  if (rows.length === 0) throw new UsageError('the view selects no items to rate');
  const files = await writeRatingSheet(prefix, rows, criteria);
  return { ...files, rows: rows.length };
}
