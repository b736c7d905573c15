import { readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from '../core/errors.js';
import { noteInput } from './guard.js';

/** A file's text, or an input error naming it. */
export async function readText(file: string): Promise<string> {
  noteInput(file);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, undefined, `cannot read file (${code === 'ENOENT' ? 'no such file' : code})`);
  }
}

/**
 * CSV rows (the header gives the columns) with the line each starts on — header = line 1, and a
 * cell spanning lines does not shift the numbers after it; malformed CSV names its line.
 */
export async function readCsvRows(file: string): Promise<{ line: number; row: Record<string, string> }[]> {
  const text = await readText(file);
  try {
    const records = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true, info: true }) as {
      record: Record<string, string>;
      info: { lines: number };
    }[];
    return records.map((r) => ({ line: r.info.lines, row: r.record }));
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new InputError(file, e.lines, `malformed CSV (${e.message.split('\n')[0]})`);
  }
}
