import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from '../core/errors.js';
import { noteInput } from './guard.js';

/**
 * A file's text, or an input error naming it. Decoded strictly: bytes that are not UTF-8 (a
 * Latin-1 export) are an error naming their line, never silently turned into U+FFFD.
 */
export async function readText(file: string): Promise<string> {
  noteInput(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, undefined, `cannot read file (${code === 'ENOENT' ? 'no such file' : code})`);
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    let line = 1;
    for (let start = 0; start <= bytes.length; line += 1) {
      const nl = bytes.indexOf(10, start);
      const end = nl < 0 ? bytes.length : nl;
      try {
        decoder.decode(bytes.subarray(start, end));
      } catch {
        break;
      }
      if (nl < 0) break;
      start = nl + 1;
    }
    throw new InputError(
      file,
      line,
      'not UTF-8 text (a byte sequence that is not UTF-8, e.g. a Latin-1 file): convert it first, e.g. iconv -f latin1 -t utf-8',
    );
  }
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
 * (csv-parse's own `info.lines` is the line a record *ends* on, and one more for each CRLF inside
 * a quoted cell — wrong by the height of every multi-line prompt before it.)
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
export const showColumn = (name: string) => JSON.stringify(name);

/**
 * A CSV file as the released data sets write it (pandas `to_csv`, R `write.csv`): a BOM, CRLF
 * line endings and quoted cells spanning lines are all read. Every record is numbered by the line
 * it starts on. An empty file, a header with no rows, a duplicated column name and a row whose
 * number of cells differs from the header's are input errors naming the file (and the line).
 * `layout` names what the file should be, for the messages.
 */
export async function readCsvTable(file: string, layout: string, read?: string): Promise<CsvTable> {
  const text = (read ?? (await readText(file))).replace(/^\uFEFF/, '');
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
  if (cells.length === 1 && read === undefined)
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

/** CSV rows keyed by the header, each with the line it starts on; an empty file or a bare header gives none. */
export async function readCsvRows(file: string): Promise<CsvRecord[]> {
  const text = await readText(file);
  if (!text.replace(/^\uFEFF/, '').trim()) return [];
  const table = await readCsvTable(file, 'a CSV file with a header line', text);
  return table.records;
}
