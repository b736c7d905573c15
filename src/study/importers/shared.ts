import { parse as parseCsv } from 'csv-parse/sync';
import { sha256 } from '../../core/canonical.js';
import { InputError } from '../../core/errors.js';
import { readText } from '../../io/csv.js';
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

/** One data row of a CSV file: its cells by column name, and the line the record starts on. */
export interface CsvRecord {
  line: number;
  row: Record<string, string>;
}

/** A CSV file read for an importer: the header as written, the line it is on, the rows. */
export interface CsvTable {
  file: string;
  header: string[];
  headerLine: number;
  records: CsvRecord[];
}

/**
 * The line each CSV record starts on (1-based), for a text csv-parse accepted. Such a text has
 * quotes only around whole fields (a doubled quote inside one toggles twice), so a newline outside
 * quotes ends a record; fully empty lines are skipped, as csv-parse's `skip_empty_lines` does.
 * readCsvRows reports csv-parse's `info.lines` instead: the line a record *ends* on, and one more
 * for each CRLF inside a quoted cell — wrong by the height of every multi-line prompt before it.
 */
function recordStarts(text: string): number[] {
  const starts: number[] = [];
  let line = 1;
  let inQuotes = false;
  let atStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (atStart && !inQuotes) {
      if (c === '\n') {
        line += 1;
        continue;
      }
      if (c === '\r' && text[i + 1] === '\n') continue;
      starts.push(line);
      atStart = false;
    }
    if (c === '"') inQuotes = !inQuotes;
    else if (c === '\n') {
      line += 1;
      if (!inQuotes) atStart = true;
    }
  }
  return starts;
}

/** A header cell as a message shows it: pandas' unnamed index column is `""`. */
const showColumn = (name: string) => JSON.stringify(name);

/**
 * A CSV file as the released data sets write it (pandas `to_csv`, R `write.csv`): a BOM, CRLF
 * line endings and quoted cells spanning lines are all read. Every record is numbered by the line
 * it starts on. An empty file, a header with no rows, a duplicated column name and a row whose
 * number of cells differs from the header's are input errors naming the file (and the line).
 * `layout` names what the file should be, for the messages.
 */
export async function readCsvTable(file: string, layout: string): Promise<CsvTable> {
  const text = (await readText(file)).replace(/^\uFEFF/, '');
  let cells: string[][];
  try {
    cells = parseCsv(text, { skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new InputError(file, e.lines, `malformed CSV (${e.message.split('\n')[0]})`);
  }
  if (cells.length === 0) throw new InputError(file, undefined, `empty file: expected ${layout}`);
  const starts = recordStarts(text);
  // the scan and csv-parse agree on every file csv-parse accepts with "\n" or "\r\n" endings; a
  // file with bare "\r" endings would not: then its records are numbered by their position
  const lineOf = (i: number) => (starts.length === cells.length ? starts[i]! : i + 1);
  const header = cells[0]!.map((h) => h.trim());
  const headerLine = lineOf(0);
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h))
      throw new InputError(file, headerLine, `column ${showColumn(h)} appears twice in the header`);
    seen.add(h);
  }
  if (cells.length === 1)
    throw new InputError(file, undefined, `only a header (line ${headerLine}), no rows: expected ${layout}`);
  const records = cells.slice(1).map((r, k): CsvRecord => {
    const line = lineOf(k + 1);
    if (r.length !== header.length)
      throw new InputError(
        file,
        line,
        `${r.length} cells, but the header has ${header.length} columns (a stray comma or quote?)`,
      );
    return { line, row: Object.fromEntries(header.map((h, j) => [h, r[j]!])) };
  });
  return { file, header, headerLine, records };
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
