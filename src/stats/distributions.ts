import gammainc from '@stdlib/math-base-special-gammainc';
import normalCdfStd from '@stdlib/stats-base-dists-normal-cdf';
import normalPdfStd from '@stdlib/stats-base-dists-normal-pdf';
import tCdfStd from '@stdlib/stats-base-dists-t-cdf';
import tQuantileStd from '@stdlib/stats-base-dists-t-quantile';
import { incompleteBeta } from './beta.js';

/**
 * The probability distributions behind every p-value and interval plumb prints, in one place.
 *
 * jStat's incomplete beta stops at a relative tolerance of ~3e-7, so its Student-t and F tails
 * are off by up to 5.5e-8 absolute (and by whole percents relative, far in the tail): not good
 * enough for numbers people publish. The stdlib packages used here compute the regularised
 * incomplete beta and gamma functions to double precision (~1e-15 relative, checked against
 * mpmath at 40 digits and scipy 1.10.1 in test/distributions.test.ts).
 *
 * Upper tails are computed as upper tails (the complemented incomplete functions, or the
 * symmetric lower tail), never as `1 − cdf`, which loses every digit below 1e-16.
 *
 * The F tail does not use stdlib's betainc: its series path for b < 40, a > 15 is off by up to
 * 5e-12 relative at df1 = 18–32 (see beta.ts); the continued fraction in beta.ts holds 2e-14.
 */

/** Student-t cdf, P(T ≤ t) with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  return tCdfStd(t, df);
}

/** Student-t survival function, P(T > t), precise in the far tail (by symmetry). */
export function tSf(t: number, df: number): number {
  return tCdfStd(-t, df);
}

/** Student-t quantile: the t with P(T ≤ t) = p. */
export function tQuantile(p: number, df: number): number {
  return tQuantileStd(p, df);
}

/**
 * F survival function P(F > x) with (d1, d2) degrees of freedom (fractional df allowed, as the
 * Greenhouse–Geisser-corrected ones): I_z(d2/2, d1/2) with z = d2/(d2 + d1·x) and 1 − z =
 * d1·x/(d2 + d1·x) both formed directly, through beta.ts's continued fraction (≤ 1e-13 relative
 * against mpmath, test/stats/distributions-precision.test.ts).
 */
export function fSf(x: number, d1: number, d2: number): number {
  if (!(x > 0)) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  const den = d2 + d1 * x;
  return incompleteBeta(d2 / den, (d1 * x) / den, d2 / 2, d1 / 2).lower;
}

/** χ² survival function P(X > x) with k degrees of freedom: the upper regularised gamma Q(k/2, x/2). */
export function chiSquareSf(x: number, k: number): number {
  if (!(x > 0)) return 1;
  return gammainc(x / 2, k / 2, true, true);
}

/** Standard normal cdf Φ(z). */
export function normalCdf(z: number): number {
  return normalCdfStd(z, 0, 1);
}

/** Standard normal survival 1 − Φ(z), computed as Φ(−z). */
export function normalSf(z: number): number {
  return normalCdfStd(-z, 0, 1);
}

/**
 * Wichura's AS241 (PPND16, Applied Statistics 37:477–484, 1988): Φ⁻¹(p) for p ≤ ½ by three
 * rational approximations, accurate to about 1e-16 relative. Coefficients as published (the same
 * as CPython's statistics.NormalDist.inv_cdf), written as the doubles they round to.
 */
function as241(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2509.0809287301227 * r + 33430.57558358813) * r + 67265.7709270087) * r + 45921.95393154987) *
          r +
          13731.69376550946) *
          r +
          1971.5909503065513) *
          r +
          133.14166789178438) *
          r +
          3.3871328727963665)) /
      (((((((5226.495278852854 * r + 28729.085735721943) * r + 39307.89580009271) * r + 21213.794301586597) *
        r +
        5394.196021424751) *
        r +
        687.1870074920579) *
        r +
        42.31333070160091) *
        r +
        1)
    );
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x =
      (((((((0.0007745450142783414 * r + 0.022723844989269184) * r + 0.2417807251774506) * r +
        1.2704582524523684) *
        r +
        3.6478483247632045) *
        r +
        5.769497221460691) *
        r +
        4.630337846156546) *
        r +
        1.4234371107496835) /
      (((((((1.0507500716444169e-9 * r + 0.0005475938084995345) * r + 0.015198666563616457) * r +
        0.14810397642748008) *
        r +
        0.6897673349851) *
        r +
        1.6763848301838038) *
        r +
        2.053191626637759) *
        r +
        1);
  } else {
    r -= 5;
    x =
      (((((((2.0103343992922881e-7 * r + 0.000027115555687434876) * r + 0.0012426609473880784) * r +
        0.026532189526576124) *
        r +
        0.29656057182850487) *
        r +
        1.7848265399172913) *
        r +
        5.463784911164114) *
        r +
        6.657904643501103) /
      (((((((2.0442631033899397e-15 * r + 1.421511758316446e-7) * r + 0.000018463183175100548) * r +
        0.0007868691311456133) *
        r +
        0.014875361290850615) *
        r +
        0.1369298809227358) *
        r +
        0.599832206555888) *
        r +
        1);
  }
  return q < 0 ? -x : x;
}

/**
 * Standard normal quantile Φ⁻¹(p): Wichura's AS241 (about 1e-16 relative on its own), then at most
 * a couple of Newton steps on the precise cdf, which leave it where it is unless rounding in the
 * rational forms moved it. The upper half uses the symmetry Φ⁻¹(p) = −Φ⁻¹(1 − p), where 1 − p is
 * exact for p ≥ ½.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  if (p > 0.5) return -normalQuantile(1 - p);
  let z = as241(p);
  for (let i = 0; i < 2; i++) {
    const pdf = normalPdfStd(z, 0, 1);
    if (!(pdf > 0)) break;
    const step = (normalCdfStd(z, 0, 1) - p) / pdf;
    if (!(Math.abs(step) > 1e-16 * Math.max(1, Math.abs(z)))) break;
    z -= step;
  }
  return z;
}

/** The two-sided critical value z_{1−α/2}. */
export function zCritical(alpha: number): number {
  return normalQuantile(1 - alpha / 2);
}
