import { spreadIsNegligible } from './descriptive.js';

/**
 * Correlations between judge and human values. Each returns null when undefined (fewer than two
 * pairs, or a constant vector): a number that does not exist is never reported as NaN or 0.
 */

export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // a constant vector with an inexact mean (0.1, 0.1, 0.1) has a spread of ~1e-17, not 0
  if (spreadIsNegligible(x, sxx) || spreadIsNegligible(y, syy)) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Ranks 1..n with ties given the average of the ranks they span. */
export function averageRanks(x: readonly number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(x.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = avg;
    i = j + 1;
  }
  return ranks;
}

export function spearman(x: readonly number[], y: readonly number[]): number | null {
  return pearson(averageRanks(x), averageRanks(y));
}

/**
 * Kendall's tau-b in O(n log n) (Knight 1966): sort by x (then y), count ties, then count the
 * discordant pairs as the swaps a merge sort on y makes.
 */
export function kendallTauB(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]!);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) ys[i] = y[idx[i]!]!;
  const n0 = (n * (n - 1)) / 2;
  // ties in x (n1) and joint ties in x and y (n3)
  let n1 = 0;
  let n3 = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]!] === x[idx[i]!]) j++;
    const t = j - i + 1;
    n1 += (t * (t - 1)) / 2;
    let a = i;
    while (a <= j) {
      let b = a;
      while (b + 1 <= j && ys[b + 1] === ys[a]) b++;
      const u = b - a + 1;
      n3 += (u * (u - 1)) / 2;
      a = b + 1;
    }
    i = j + 1;
  }
  const swaps = mergeSortCountSwaps(ys);
  // ties in y, on the now sorted ys
  let n2 = 0;
  i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && ys[j + 1] === ys[i]) j++;
    const t = j - i + 1;
    n2 += (t * (t - 1)) / 2;
    i = j + 1;
  }
  const denom = Math.sqrt((n0 - n1) * (n0 - n2));
  if (denom === 0) return null;
  return (n0 - n1 - n2 + n3 - 2 * swaps) / denom;
}

/** Sorts in place (bottom-up merge sort) and returns the number of inversions. */
function mergeSortCountSwaps(a: Float64Array<ArrayBuffer>): number {
  const n = a.length;
  let src: Float64Array<ArrayBuffer> = a;
  let dst = new Float64Array(n);
  let swaps = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (src[j]! < src[i]!) {
          swaps += mid - i;
          dst[k++] = src[j++]!;
        } else dst[k++] = src[i++]!;
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
    }
    [src, dst] = [dst, src];
  }
  if (src !== a) a.set(src);
  return swaps;
}
