import type { Usage } from '../core/types.js';
import type { Estimate } from '../stats/descriptive.js';

/** Formats `0.523 [0.481, 0.566]`, or `—` with the reason for an undefined estimate. */
export function fmtEstimate(e: Estimate | null | undefined, digits = 3): string {
  if (!e || e.value === null) return '—';
  const v = e.value.toFixed(digits);
  return e.ci ? `${v} [${e.ci[0].toFixed(digits)}, ${e.ci[1].toFixed(digits)}]` : v;
}

/** `90.0% [67.5, 98.9]`: a share with its interval in percent, or `—`. */
export function fmtShare(
  e: { value: number | null; ci: [number, number] | null } | null | undefined,
): string {
  if (!e || e.value === null) return '—';
  return `${(100 * e.value).toFixed(1)}%${e.ci ? ` [${(100 * e.ci[0]).toFixed(1)}, ${(100 * e.ci[1]).toFixed(1)}]` : ''}`;
}

/** A p-value to four places (`1.2e-5` below 10⁻⁴), or `—`. */
export function fmtP(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
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

/** `1200+340 tokens (900 cached, 100 written to the prompt cache), $0.0123` for a run's usage. */
export function fmtUsage(u: Usage): string {
  const cache = [
    u.cached_input_tokens ? `${u.cached_input_tokens} cached` : '',
    u.cache_write_tokens ? `${u.cache_write_tokens} written to the prompt cache` : '',
  ].filter(Boolean);
  return `${u.input_tokens}+${u.output_tokens} tokens${cache.length ? ` (${cache.join(', ')})` : ''}, ${formatCost(u.cost_usd)}`;
}

export function formatCost(usd: number | null): string {
  return usd === null ? 'cost unknown' : `$${usd.toFixed(4)}`;
}
