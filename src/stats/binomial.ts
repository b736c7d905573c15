/**
 * Binomial(n, ½) tails in log space, for the exact McNemar test at any number of discordant pairs.
 *
 * The point probability uses Loader's saddle-point form (C. Loader 2000, "Fast and accurate
 * computation of binomial probabilities", the algorithm of R's dbinom):
 *   log P(X = k) = stirlerr(n) − stirlerr(k) − stirlerr(n − k) − bd0(k, n/2) − bd0(n − k, n/2)
 *                  + ½ log(n / (2π k (n − k))),
 * where stirlerr is the error of Stirling's formula for log n! and bd0(x, m) = x log(x/m) + m − x
 * is summed as a series near x = m, so nothing large cancels. The lower tail then is
 *   P(X ≤ k) = P(X = k) · Σ_j r_j,  r_0 = 1, r_{j+1} = r_j (k − j)/(n − k + j + 1),
 * summed until the terms stop counting (they fall geometrically below the mean).
 */

/** stirlerr(n) = log n! − log(√(2πn) (n/e)^n) for n = 1…15 (mpmath, 40 digits). */
const STIRLERR_SMALL = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093, 0.016644691189821193,
  0.013876128823070748, 0.01189670994589177, 0.010411265261972096, 0.009255462182712733, 0.00833056343336287,
  0.007573675487951841, 0.00694284010720953, 0.006408994188004207, 0.0059513701127588475,
  0.005554733551962801,
];

function stirlerr(n: number): number {
  if (n <= 15) return STIRLERR_SMALL[n]!;
  const nn = n * n;
  const s0 = 1 / 12;
  const s1 = 1 / 360;
  const s2 = 1 / 1260;
  const s3 = 1 / 1680;
  const s4 = 1 / 1188;
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/** bd0(x, m) = x log(x/m) + m − x, by its series when x is near m. */
function bd0(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    const v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    const v2 = v * v;
    for (let j = 1; j < 1000; j++) {
      ej *= v2;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/** log P(X = k), X ~ Binomial(n, ½), for integers 0 ≤ k ≤ n. */
export function logBinomialPmfHalf(n: number, k: number): number {
  if (k === 0 || k === n) return -n * Math.LN2;
  const m = n / 2;
  const lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, m) - bd0(n - k, m);
  return lc + 0.5 * Math.log(n / (2 * Math.PI * k * (n - k)));
}

/** log P(X ≤ k), X ~ Binomial(n, ½), for integers 0 ≤ k < n/2 (the tail below the mean). */
export function logBinomialCdfHalf(n: number, k: number): number {
  let sum = 1;
  let r = 1;
  for (let j = 0; j < k; j++) {
    r *= (k - j) / (n - k + j + 1);
    sum += r;
    if (r < 1e-17 * sum) break;
  }
  return logBinomialPmfHalf(n, k) + Math.log(sum);
}
