import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InputError } from '../core/errors.js';
import { noteInput } from './guard.js';

export interface ReadableInput {
  /** A regular file that can be read as often as needed. */
  path: string;
  /** What errors call it: the path the user gave, or `stdin`. */
  label: string;
  /** Removes the spooled copy, if one was made. */
  dispose(): Promise<void>;
}

/**
 * Inputs are read twice — once to check every line before any judge is paid, once to score — so
 * a pipe (`--input <(…)`, a FIFO, `--input -` for stdin) would arrive empty the second time.
 * Such an input is copied to a temporary file first; a regular file is used as it is.
 */
export async function readableInput(path: string): Promise<ReadableInput> {
  const none = { path, label: path, dispose: async () => {} };
  noteInput(path);
  // this process's own stdin may be a socket, which cannot be opened by name: read it directly
  const stdin = path === '-' || path === '/dev/stdin' || path === '/dev/fd/0';
  if (!stdin) {
    const st = await stat(path).catch(() => null);
    if (!st || st.isFile()) return none; // a missing file is reported by the reader, with its name
    if (st.isDirectory()) throw new InputError(path, undefined, 'is a directory, not a file');
  }
  const dir = await mkdtemp(join(tmpdir(), 'plumb-input-'));
  const copy = join(dir, 'input.jsonl');
  const label = path === '-' ? 'stdin' : path;
  try {
    await pipeline(stdin ? process.stdin : createReadStream(path), createWriteStream(copy));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new InputError(label, undefined, `cannot read (${(err as Error).message})`);
  }
  return { path: copy, label, dispose: () => rm(dir, { recursive: true, force: true }) };
}
