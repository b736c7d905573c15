import { logBinomialCdfHalf } from './binomial.js';
import type { Interval } from './descriptive.js';
import { normalQuantile } from './distributions.js';

/** Wilson score interval for a binomial proportion (no continuity correction). */
export function wilson(
  successes: number,
  n: number,
  confidence = 0.95,
): { value: number | null; ci: Interval | null; n: number } {
  if (n === 0) return { value: null, ci: null, n };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  // at 0 or n successes the bound is exactly 0 or 1 (centre − half there is rounding noise)
  const lower = successes <= 0 ? 0 : Math.max(0, centre - half);
  const upper = successes >= n ? 1 : Math.min(1, centre + half);
  return { value: p, ci: [lower, upper], n };
}

/**
 * Exact McNemar test on paired binary outcomes: b = pairs positive only under A, c = only under
 * B; two-sided p = min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b + c, 1/2), as statsmodels'
 * mcnemar(exact=True) and scipy.stats.binomtest(min(b, c), b + c).
 *
 * P(X ≤ k) in log space (binomial.ts: Loader's saddle-point point probability times the ratio
 * series): `log_p` is the natural log of p and stays finite when p underflows. Relative error
 * ≤ 1e-12 at any n up to a million discordant pairs against mpmath
 * (test/stats/distributions-precision.test.ts); the former sum of exp(log C(n, i) − n log 2), with
 * log C built up term by term, lost digits above ~2,000 discordant pairs.
 */
export function mcnemarExact(b: number, c: number): { b: number; c: number; p: number; log_p: number } {
  const n = b + c;
  const k = Math.min(b, c);
  if (n === 0 || 2 * k >= n) return { b, c, p: 1, log_p: 0 };
  const logP = Math.min(0, Math.LN2 + logBinomialCdfHalf(n, k));
  return { b, c, p: Math.exp(logP), log_p: logP };
}
