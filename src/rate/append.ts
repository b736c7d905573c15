import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../core/errors.js';
import { outputError } from '../io/errors.js';

/**
 * Appends one JSON line and makes it durable (fsync) before returning: what the rating page and
 * the viewer's reviews do before the page hears "saved", so a crash or Ctrl-C loses nothing the
 * person was told was kept. Appending replaces nothing, so a reviews file may also be the gold a
 * viewer shows (`plumb view RUN --gold RUN.reviews.jsonl`); the commands check at start that the
 * file they append to is none of the runs they read.
 */
export function appendLineDurably(file: string, record: Record<string, unknown>): void {
  let fd: number;
  try {
    fd = openSync(file, 'a');
  } catch (err) {
    throw outputError(file, err, 'cannot save');
  }
  const size = fstatSync(fd).size;
  try {
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`);
    // a write to a filling disk may take part of the line and refuse the rest: write it all or fail
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    fsyncSync(fd);
  } catch (err) {
    // a torn line would swallow the next one appended after it: cut the file back to what was kept
    try {
      ftruncateSync(fd, size);
    } catch {
      // readAppended skips a torn line in any case
    }
    throw outputError(file, err, 'cannot save (nothing of this one was kept)');
  } finally {
    closeSync(fd);
  }
}

/**
 * The JSON objects of an append-only file, in order. A line that does not parse (torn by a crash
 * mid-write) is skipped: what it held was never confirmed to the page.
 */
export function readAppended(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // torn by a crash: never confirmed
    }
  }
  return out;
}

/**
 * At start, before any page is served: the file ratings or reviews are appended to must be a
 * regular file or not exist yet, in a folder that exists (a folder of that name once hung the
 * page after "internal error").
 */
export function assertAppendable(file: string, what: string): void {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw outputError(file, err, `cannot use as ${what}`);
    const parent = dirname(file);
    if (!existsSync(parent) || !statSync(parent).isDirectory())
      throw new InputError(file, undefined, `cannot be ${what}: its folder ${parent} does not exist`);
    return;
  }
  if (st.isDirectory())
    throw new InputError(
      file,
      undefined,
      `is a folder, not a file: ${what} cannot be written there (move the folder away)`,
    );
  if (!st.isFile())
    throw new InputError(file, undefined, `is not a regular file: ${what} cannot be written there`);
}
