import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Folder of the R reference scripts, their CSV datasets and recorded results. */
export const REF_DIR = join(import.meta.dirname, '..', '..', 'reference', 'mixed');

/**
 * Read one of the reference CSVs as R's `read.csv(f, na.strings = c('', 'NA'))` types it: a column of
 * numbers becomes numbers, a column of TRUE/FALSE booleans, anything else strings; '' and NA are null.
 * (The files have no quoting or embedded commas.)
 */
export function readCsv(file: string): Record<string, unknown>[] {
  const lines = readFileSync(join(REF_DIR, file), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const cells = lines.slice(1).map((l) => l.split(','));
  const kinds = header.map((_, j) => {
    const vals = cells.map((c) => c[j]!).filter((v) => v !== '' && v !== 'NA');
    if (vals.every((v) => v === 'TRUE' || v === 'FALSE')) return 'logical';
    if (vals.every((v) => Number.isFinite(Number(v)))) return 'numeric';
    return 'character';
  });
  return cells.map((c) =>
    Object.fromEntries(
      header.map((h, j) => {
        const v = c[j] ?? '';
        if (v === '' || v === 'NA') return [h, null];
        return [h, kinds[j] === 'numeric' ? Number(v) : kinds[j] === 'logical' ? v === 'TRUE' : v];
      }),
    ),
  );
}
