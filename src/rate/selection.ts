import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { REVIEW_SOURCE } from './view/reviews.js';

/**
 * Whether a gold file holds ratings of items that were chosen, not drawn at random — reviews made
 * in `plumb view` (a reviewer picks what to correct), or a sheet `plumb view --sheet` wrote from a
 * filtered view (and `plumb rate`'s ratings beside it). `plumb calibrate` says so: agreement,
 * prevalence and PPI from such a set describe the selection, not the run. Null for a gold file
 * with no such mark (a `gold sample`, someone's own ratings).
 */
export function chosenNotSampled(goldFile: string): string | null {
  const first = firstObject(goldFile);
  if (first?.source === REVIEW_SOURCE)
    return `${goldFile} holds reviews made in plumb view: items a reviewer chose to look at, not a random sample`;
  const sheet = /\.ratings\.jsonl$/i.test(goldFile)
    ? goldFile.replace(/\.ratings\.jsonl$/i, '.jsonl')
    : /\.csv$/i.test(goldFile)
      ? goldFile.replace(/\.csv$/i, '.jsonl')
      : goldFile;
  const row = sheet === goldFile ? first : existsSync(sheet) ? firstObject(sheet) : null;
  const selection = row?.selection as { method?: unknown; filter?: unknown } | undefined;
  if (selection && typeof selection === 'object')
    return `${goldFile} rates items picked by ${String(selection.method ?? 'a filter')} "${String(selection.filter ?? '')}" (see ${sheet}), not a random sample`;
  return null;
}

/** The first JSON object line of a file (reading at most 1 MiB), or null. */
function firstObject(file: string): Record<string, unknown> | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(1 << 20);
    const got = readSync(fd, buf, 0, buf.length, 0);
    const line = buf.toString('utf8', 0, got).split('\n')[0] ?? '';
    const v = JSON.parse(line) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
