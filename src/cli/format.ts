import type { Estimate } from '../stats/descriptive.js';

/** Formats `0.523 [0.481, 0.566]`, or `—` with the reason for an undefined estimate. */
export function fmtEstimate(e: Estimate | null | undefined, digits = 3): string {
  if (!e || e.value === null) return '—';
  const v = e.value.toFixed(digits);
  return e.ci ? `${v} [${e.ci[0].toFixed(digits)}, ${e.ci[1].toFixed(digits)}]` : v;
}

/** A plain text table with left-aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
