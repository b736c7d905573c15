import { tQuantile } from './distributions.js';

export type Interval = [number, number];

/** A point estimate with its interval; value and ci are null when undefined (with the reason). */
export interface Estimate {
  value: number | null;
  ci: Interval | null;
  n: number;
  reason?: string;
}

/**
 * Running mean and variance (Welford), so summaries stream in constant memory.
 */
export class RunningMoments {
  n = 0;
  private m = 0;
  private s = 0;

  push(x: number): void {
    this.n += 1;
    const d = x - this.m;
    this.m += d / this.n;
    this.s += d * (x - this.m);
  }

  get mean(): number {
    return this.n ? this.m : Number.NaN;
  }

  /** Sample variance (n − 1 denominator). */
  get variance(): number {
    return this.n > 1 ? this.s / (this.n - 1) : Number.NaN;
  }

  /** Mean with a two-sided Student-t interval at the given confidence. */
  estimate(confidence = 0.95): Estimate {
    if (this.n === 0) return { value: null, ci: null, n: 0, reason: 'no values' };
    if (this.n === 1) return { value: this.m, ci: null, n: 1, reason: 'one value: no interval' };
    const half = tQuantile(1 - (1 - confidence) / 2, this.n - 1) * Math.sqrt(this.variance / this.n);
    return { value: this.m, ci: [this.m - half, this.m + half], n: this.n };
  }
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * True when a spread is rounding noise relative to the size of the values: a constant vector
 * whose mean is not exactly representable (0.1, 0.1, 0.1) leaves deviations of ~1e-17, not 0.
 * `sumSquares` is Σ(x − mean)².
 */
export function spreadIsNegligible(xs: readonly number[], sumSquares: number): boolean {
  if (sumSquares === 0 || xs.length === 0) return true;
  let scale = 0;
  for (const x of xs) scale = Math.max(scale, Math.abs(x));
  return Math.sqrt(sumSquares / xs.length) <= 1e-13 * scale;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/**
 * Ordinary least squares y = intercept + slope·x, with the means it was centred on; a constant x
 * gives slope 0 and the mean of y.
 */
export function leastSquaresLine(
  x: readonly number[],
  y: readonly number[],
): { intercept: number; slope: number; mean: { x: number; y: number } } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { intercept: my - slope * mx, slope, mean: { x: mx, y: my } };
}
