import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { InputError } from '../core/errors.js';
import { noteInput } from './guard.js';

export interface JsonlLine {
  /** 1-based line number in the file, for error messages. */
  line: number;
  value: Record<string, unknown>;
}

/** Fails with a one-line InputError when the file cannot be opened for reading. */
export async function assertReadable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new InputError(file, undefined, `cannot read file (${code === 'ENOENT' ? 'no such file' : code})`);
  }
}

/**
 * Streams a JSONL file one object at a time: memory stays flat however long the file is.
 * Blank lines are skipped; anything that is not a JSON object is an InputError naming the line.
 * `label` is the name errors use (the file the user named, when `file` is a spooled copy of it).
 */
export async function* readJsonl(file: string, label = file): AsyncGenerator<JsonlLine> {
  noteInput(file);
  try {
    await assertReadable(file);
  } catch (err) {
    if (label === file) throw err;
    throw new InputError(label, undefined, (err as InputError).reason);
  }
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      const trimmed = text.trim();
      if (trimmed === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch (err) {
        throw new InputError(label, line, `malformed JSON (${(err as Error).message})`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new InputError(label, line, 'expected a JSON object on each line');
      }
      yield { line, value: value as Record<string, unknown> };
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InputError(label, line || undefined, `cannot read file (${code})`);
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Reads a whole (small) JSONL file: gold labels, personas, questions. */
export async function readJsonlAll(file: string): Promise<JsonlLine[]> {
  const out: JsonlLine[] = [];
  for await (const l of readJsonl(file)) out.push(l);
  return out;
}
