import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * Appends one JSON line and makes it durable (fsync) before returning: what the rating page and
 * the viewer's reviews do before the page hears "saved", so a crash or Ctrl-C loses nothing the
 * person was told was kept. Appending replaces nothing, so a reviews file may also be the gold a
 * viewer shows (`plumb view RUN --gold RUN.reviews.jsonl`); the commands check at start that the
 * file they append to is none of the runs they read.
 */
export function appendLineDurably(file: string, record: Record<string, unknown>): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
    fsyncSync(fd);
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
