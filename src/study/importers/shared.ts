import { sha256 } from '../../core/canonical.js';
import { InputError } from '../../core/errors.js';
import { type CsvTable, readText, showColumn } from '../../io/csv.js';
import { readJsonlAll } from '../../io/jsonl.js';
import { type ProbeQuestion, parseJsonArray } from '../inputs.js';

/** What an importer returns: the questions, and what a user should know about the conversion. */
export interface ImportResult {
  questions: ProbeQuestion[];
  /** What the import did that a user should know (collapsed variants, skipped answers, …). */
  notes: string[];
}

export const clean = (s: unknown) => (typeof s === 'string' && s.trim() ? s.trim() : undefined);
export const shortHash = (s: string) => sha256(s).slice(0, 10);

/** Lines of a text file, blank lines at the end dropped (SYCON's .txt files end without a newline). */
export async function readLines(file: string): Promise<string[]> {
  const lines = (await readText(file)).split(/\r?\n/);
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  return lines;
}

/** A JSON array file, or JSONL. */
export async function parseJsonArrayOrJsonl(file: string, text: string) {
  return text.trimStart().startsWith('[') ? parseJsonArray(file, text) : readJsonlAll(file);
}

/** "(A) Monaco\n(B) Nauru" (or a list) → {letter → option text}. */
export function parseOptions(answers: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(answers)) {
    answers.forEach((a, i) => {
      if (typeof a === 'string') out.set(String.fromCharCode(65 + i), a.trim());
    });
    return out;
  }
  if (typeof answers !== 'string') return out;
  // one option per line as released; several on one line are split where each "(X)" begins
  for (const line of answers.split('\n'))
    for (const chunk of line.split(/\s+(?=\([A-Z]\))/)) {
      const m = /^\s*\(([A-Z])\)\s*(.*?)\s*$/.exec(chunk);
      if (m?.[2]) out.set(m[1]!, m[2]);
    }
  return out;
}

/** Fails on the header line when a column the importer needs is not there. */
export function requireColumns(table: CsvTable, columns: readonly string[], layout: string): void {
  const missing = columns.filter((c) => !table.header.includes(c));
  if (missing.length)
    throw new InputError(
      table.file,
      table.headerLine,
      `missing column${missing.length > 1 ? 's' : ''} ${missing.map(showColumn).join(', ')} (the header has: ${table.header.map(showColumn).join(', ')}); expected ${layout}`,
    );
}

/**
 * pandas' index column, written by `to_csv` with an empty name (`Unnamed: 0` once read back by
 * pandas and saved again): the original row ids, which survive sampling and reordering.
 */
export function indexColumn(table: CsvTable): string | undefined {
  const first = table.header[0];
  return first !== undefined && (first === '' || /^Unnamed: 0$/.test(first)) ? first : undefined;
}

/** Ids must be unique: a second row with the same id names both lines. */
export function uniqueIds(file: string) {
  const seen = new Map<string, number>();
  return (id: string, line: number, what: string) => {
    const first = seen.get(id);
    if (first !== undefined) throw new InputError(file, line, `duplicate ${what} (first at line ${first})`);
    seen.set(id, line);
  };
}
