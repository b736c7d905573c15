import { averageRanks } from './correlation.js';
import { normalSf } from './distributions.js';

export interface WilcoxonResult {
  /** min(W+, W−), as scipy reports for the two-sided test. */
  statistic: number;
  p: number;
  /** Non-zero differences ranked (zeros are dropped before ranking in the normal approximation). */
  n: number;
  /** `exact` or `approx`, scipy's names for the method that produced p. */
  method: 'exact' | 'approx';
}

/**
 * Two-sided Wilcoxon signed-rank test, following scipy.stats.wilcoxon 1.10.1 with its defaults
 * (`zero_method="wilcox"`, `correction=False`, `method="auto"`) step for step, so a number here
 * can be checked against scipy without surprises:
 *
 * - `auto` picks `exact` when len(d) ≤ 50 — zeros counted — else `approx`;
 * - any zero difference switches `exact` to `approx`; `approx` then drops the zeros;
 * - ranks of |d| are average ranks; `exact` does **not** check for ties: it truncates W+ to an
 *   integer (Python's `int()`) and reads the exact null distribution of W+ at it, p = 2·min(P(W+ ≤
 *   w), P(W+ ≥ w)), or 1 when w is the distribution's centre;
 * - `approx` uses z = (T − n(n+1)/4) / √((n(n+1)(2n+1) − ½Σt(t²−1)) / 24) with T = min(W+, W−),
 *   the tie correction over groups of equal ranks, no continuity correction, p = 2·(1 − Φ(|z|)).
 *
 * Returns null when every difference is zero (scipy raises an error there).
 */
export function wilcoxonSignedRank(diffs: readonly number[]): WilcoxonResult | null {
  if (diffs.length === 0) return null;
  const zeros = diffs.filter((x) => x === 0).length;
  if (zeros === diffs.length) return null;
  let method: 'exact' | 'approx' = diffs.length <= 50 ? 'exact' : 'approx';
  if (zeros > 0) method = 'approx';
  const d = method === 'approx' ? diffs.filter((x) => x !== 0) : [...diffs];
  const n = d.length;
  const ranks = averageRanks(d.map(Math.abs));
  let wPlus = 0;
  let wMinus = 0;
  d.forEach((x, i) => {
    if (x > 0) wPlus += ranks[i]!;
    else if (x < 0) wMinus += ranks[i]!;
  });
  const statistic = Math.min(wPlus, wMinus);

  if (method === 'exact') {
    const counts = signedRankCounts(n);
    const w = Math.trunc(wPlus);
    const total = 2 ** n;
    if (w === Math.floor((counts.length - 1) / 2)) return { statistic, p: 1, n, method };
    let less = 0;
    for (let s = 0; s <= w; s++) less += counts[s]!;
    let greater = 0;
    for (let s = w; s < counts.length; s++) greater += counts[s]!;
    const p = Math.min(1, Math.max(0, (2 * Math.min(less, greater)) / total));
    return { statistic, p, n, method };
  }

  const mean = (n * (n + 1)) / 4;
  let variance24 = n * (n + 1) * (2 * n + 1);
  const groups = new Map<number, number>();
  for (const r of ranks) groups.set(r, (groups.get(r) ?? 0) + 1);
  for (const t of groups.values()) if (t > 1) variance24 -= 0.5 * t * (t * t - 1);
  const z = (statistic - mean) / Math.sqrt(variance24 / 24);
  return { statistic, p: Math.min(1, 2 * normalSf(Math.abs(z))), n, method };
}

/** counts[s] = the number of the 2^n sign assignments of ranks 1..n whose positive ranks sum to s. */
function signedRankCounts(n: number): Float64Array {
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
  return counts;
}
