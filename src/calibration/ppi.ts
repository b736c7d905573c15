import { quantile } from '../stats/bootstrap.js';
import type { Interval } from '../stats/descriptive.js';
import { zCritical } from '../stats/distributions.js';
import { seededRandom } from '../stats/random.js';

export type PpiInterval = 'clt' | 'bootstrap';

export interface PpiResult {
  /** Prediction-powered estimate of the mean human-scale value. */
  estimate: number;
  ci: Interval;
  /** The CLT standard error of the estimate (what contrasts between cells combine). */
  se: number;
  /** How the interval was made: the CLT (ppi_mean_ci) or the prediction-powered bootstrap. */
  interval: PpiInterval;
  lambda: number;
  /** Gold-only estimate: the mean of the human labels with its CLT interval. */
  classical: { estimate: number; se: number; ci: Interval };
  /** The judge's mean over every item, uncorrected, with its CLT interval (biased if the judge is). */
  naive: { estimate: number; se: number; ci: Interval };
  n_labelled: number;
  n_unlabelled: number;
  /** (classical SE / PPI SE)²: how many times the gold set the PPI interval is worth (CLT). */
  effective_sample_size_gain: number;
}

const mean = (x: readonly number[]) => x.reduce((s, v) => s + v, 0) / x.length;
/** Variance with denominator n − ddof (numpy's np.var(x, ddof=…)). */
const variance = (x: readonly number[], ddof: 0 | 1) => {
  const m = mean(x);
  return x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - ddof);
};

/**
 * PPI++'s power-tuning parameter exactly as ppi_py's `_calc_lam_glm` for a mean (commit bd90caa):
 * λ̂ = Cov(Y, f) / ((1 + n/N) · Var(f ∪ f̃)), the covariance with denominator n and the variance
 * with n + N − 1 (np.cov's ddof = 1), clipped to [0, 1].
 */
export function ppiLambda(
  y: readonly number[],
  f: readonly number[],
  fUnlabelled: readonly number[],
): number {
  const n = y.length;
  const N = fUnlabelled.length;
  const my = mean(y);
  const mf = mean(f);
  let cov = 0;
  for (let i = 0; i < n; i++) cov += (y[i]! - my) * (f[i]! - mf);
  cov /= n;
  const varAll = variance([...f, ...fUnlabelled], 1);
  const raw = varAll === 0 ? 0 : cov / ((1 + n / N) * varAll);
  return Math.max(0, Math.min(1, raw));
}

/** The rectified estimate θ̂ = λ·mean(f̃) + mean(Y − λf). */
function rectified(
  y: readonly number[],
  f: readonly number[],
  fu: readonly number[],
  lambda: number,
): number {
  let rect = 0;
  for (let i = 0; i < y.length; i++) rect += y[i]! - lambda * f[i]!;
  return lambda * mean(fu) + rect / y.length;
}

export interface PpiOptions {
  alpha?: number;
  interval?: PpiInterval;
  /** Bootstrap resamples and seed (interval = bootstrap). */
  resamples?: number;
  seed?: number;
}

/**
 * Prediction-powered inference for a mean with PPI++ power tuning (Angelopoulos et al. 2023;
 * Angelopoulos, Duchi & Zrnic 2023), with Y the human labels and f the judge on the n labelled
 * items, f̃ the judge on the N others:
 *   θ̂ = λ̂ · mean(f̃) + mean(Y − λ̂ f)
 *   CLT interval (ppi_py's ppi_mean_ci): θ̂ ± z_{1−α/2} · √(λ̂² Var(f̃)/N + Var(Y − λ̂ f)/n), Var with ddof 0;
 *   bootstrap interval (ppi_py's ppboot with λ fixed at λ̂, Zrnic 2024): the percentile interval
 *   of θ̂ over resamples that draw the labelled pairs and the unlabelled items separately.
 *
 * plumb prints the design-based interval of stats/ppi-design.ts (cross-fitted λ, Student t; and
 * cluster-robust or stratified as the gold was drawn); this function is kept as ppi_py's own
 * figure, for parity with ppi_py: both its intervals under-cover at small n (the CLT one 69–94 % at
 * n = 30 in bench/coverage.mjs, the bootstrap no better), so neither is printed as the result.
 */
export function ppiMean(
  y: readonly number[],
  f: readonly number[],
  fUnlabelled: readonly number[],
  alphaOrOptions: number | PpiOptions = 0.05,
): PpiResult | null {
  const opts = typeof alphaOrOptions === 'number' ? { alpha: alphaOrOptions } : alphaOrOptions;
  const alpha = opts.alpha ?? 0.05;
  const n = y.length;
  const N = fUnlabelled.length;
  if (n < 2 || N < 1) return null;
  const z = zCritical(alpha);
  const lambda = ppiLambda(y, f, fUnlabelled);
  const rect = y.map((v, i) => v - lambda * f[i]!);
  const estimate = rectified(y, f, fUnlabelled, lambda);
  const se = Math.sqrt((lambda ** 2 * variance(fUnlabelled, 0)) / N + variance(rect, 0) / n);
  const my = mean(y);
  const seClassical = Math.sqrt(variance(y, 0) / n);
  const all = [...f, ...fUnlabelled];
  const seNaive = Math.sqrt(variance(all, 0) / all.length);
  const mAll = mean(all);
  const interval = opts.interval ?? 'clt';
  const ci: Interval =
    interval === 'bootstrap'
      ? ppiBootstrapCi(y, f, fUnlabelled, lambda, alpha, opts.resamples ?? 2000, opts.seed ?? 1)
      : [estimate - z * se, estimate + z * se];
  return {
    estimate,
    ci,
    se,
    interval,
    lambda,
    classical: { estimate: my, se: seClassical, ci: [my - z * seClassical, my + z * seClassical] },
    naive: { estimate: mAll, se: seNaive, ci: [mAll - z * seNaive, mAll + z * seNaive] },
    n_labelled: n,
    n_unlabelled: N,
    effective_sample_size_gain: se === 0 ? Number.POSITIVE_INFINITY : (seClassical / se) ** 2,
  };
}

function ppiBootstrapCi(
  y: readonly number[],
  f: readonly number[],
  fu: readonly number[],
  lambda: number,
  alpha: number,
  resamples: number,
  seed: number,
): Interval {
  const rand = seededRandom(seed);
  const n = y.length;
  const N = fu.length;
  const values = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let rect = 0;
    for (let i = 0; i < n; i++) {
      const k = Math.floor(rand() * n);
      rect += y[k]! - lambda * f[k]!;
    }
    let sumU = 0;
    for (let i = 0; i < N; i++) sumU += fu[Math.floor(rand() * N)]!;
    values[b] = (lambda * sumU) / N + rect / n;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return [quantile(sorted, alpha / 2), quantile(sorted, 1 - alpha / 2)];
}
