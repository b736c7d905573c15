import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
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
  let line = 0;
  const parse = (text: string): JsonlLine | null => {
    line += 1;
    const trimmed = text.trim();
    if (trimmed === '') return null;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw new InputError(label, line, `malformed JSON (${(err as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new InputError(label, line, 'expected a JSON object on each line');
    if (tooDeep(value))
      throw new InputError(
        label,
        line,
        `nested more than ${MAX_DEPTH} levels deep (plumb's files never are)`,
      );
    return { line, value: value as Record<string, unknown> };
  };
  // each line's bytes are decoded strictly: a Latin-1 file must not turn into U+FFFD in the output
  // unseen (a newline byte never occurs inside a UTF-8 sequence, so lines can be split as bytes)
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (bytes: Buffer): string => {
    try {
      return decoder.decode(bytes);
    } catch {
      throw new InputError(label, line + 1, NOT_UTF8);
    }
  };
  const stream = createReadStream(file);
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream) {
      const bytes = carry.length ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      let start = 0;
      for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, start)) {
        const parsed = parse(decode(bytes.subarray(start, nl)));
        if (parsed) yield parsed;
        start = nl + 1;
      }
      carry = bytes.subarray(start);
    }
    const last = carry.length ? parse(decode(carry)) : null;
    if (last) yield last;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InputError(label, line || undefined, `cannot read file (${code})`);
  } finally {
    stream.destroy();
  }
}

const NOT_UTF8 =
  'not UTF-8 text (a byte sequence that is not UTF-8, e.g. a Latin-1 file): convert it first, e.g. iconv -f latin1 -t utf-8';

/** Deeper than any file plumb reads or writes: a hostile line nested thousands deep is refused on reading. */
const MAX_DEPTH = 64;

function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return true;
    if (v && typeof v === 'object')
      for (const child of Object.values(v as Record<string, unknown>))
        if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Reads a whole (small) JSONL file: gold labels, personas, questions. */
export async function readJsonlAll(file: string): Promise<JsonlLine[]> {
  const out: JsonlLine[] = [];
  for await (const l of readJsonl(file)) out.push(l);
  return out;
}
