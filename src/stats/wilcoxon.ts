import jStat from 'jstat';
import { averageRanks } from '../calibration/correlation.js';

export interface WilcoxonResult {
  /** min(W+, W−), as scipy reports for the two-sided test. */
  statistic: number;
  p: number;
  /** Pairs used after dropping zero differences. */
  n: number;
  method: 'exact' | 'normal';
}

/**
 * Wilcoxon signed-rank test, two-sided, as scipy.stats.wilcoxon (1.10) with its defaults:
 * zero differences dropped (zero_method="wilcox"), average ranks for tied |d|; the exact null
 * distribution when n ≤ 50 and there are no ties, else the normal approximation with the tie
 * correction of the variance and no continuity correction.
 */
export function wilcoxonSignedRank(diffs: readonly number[]): WilcoxonResult | null {
  const d = diffs.filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return null;
  const ranks = averageRanks(d.map(Math.abs));
  let wPlus = 0;
  let wMinus = 0;
  d.forEach((x, i) => {
    if (x > 0) wPlus += ranks[i]!;
    else wMinus += ranks[i]!;
  });
  const statistic = Math.min(wPlus, wMinus);
  const ties = new Set(ranks).size !== n;
  if (n <= 50 && !ties) {
    // counts[s] = number of sign assignments with W+ = s, over ranks 1..n
    const max = (n * (n + 1)) / 2;
    let counts = new Float64Array(max + 1);
    counts[0] = 1;
    for (let r = 1; r <= n; r++) {
      const next = new Float64Array(max + 1);
      for (let s = 0; s <= max; s++) {
        if (!counts[s]) continue;
        next[s]! += counts[s]!;
        next[s + r]! += counts[s]!;
      }
      counts = next;
    }
    const total = 2 ** n;
    let cdf = 0;
    for (let s = 0; s <= statistic; s++) cdf += counts[s]!;
    return { statistic, p: Math.min(1, (2 * cdf) / total), n, method: 'exact' };
  }
  const mean = (n * (n + 1)) / 4;
  let variance = (n * (n + 1) * (2 * n + 1)) / 24;
  // tie correction: subtract Σ(t³ − t)/48 over groups of tied |d|
  const groups = new Map<number, number>();
  for (const r of ranks) groups.set(r, (groups.get(r) ?? 0) + 1);
  for (const t of groups.values()) variance -= (t ** 3 - t) / 48;
  const z = (statistic - mean) / Math.sqrt(variance);
  return { statistic, p: Math.min(1, 2 * jStat.normal.cdf(-Math.abs(z), 0, 1)), n, method: 'normal' };
}
