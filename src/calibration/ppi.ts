import jStat from 'jstat';
import type { Interval } from '../stats/descriptive.js';

export interface PpiResult {
  /** Prediction-powered estimate of the mean human-scale value. */
  estimate: number;
  ci: Interval;
  lambda: number;
  /** Gold-only estimate: the mean of the human labels with its CLT interval. */
  classical: { estimate: number; ci: Interval };
  /** The judge's mean over every item, uncorrected, with its CLT interval (biased if the judge is). */
  naive: { estimate: number; ci: Interval };
  n_labelled: number;
  n_unlabelled: number;
  /** (classical SE / PPI SE)²: how many times the gold set the PPI interval is worth. */
  effective_sample_size_gain: number;
}

const mean = (x: readonly number[]) => x.reduce((s, v) => s + v, 0) / x.length;
/** Population variance (numpy's default ddof=0), as ppi_py uses. */
const pvar = (x: readonly number[]) => {
  const m = mean(x);
  return x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length;
};

/**
 * Prediction-powered inference for a mean with PPI++ power tuning (Angelopoulos et al. 2023;
 * Angelopoulos, Duchi & Zrnic 2023), computed as ppi_py's `ppi_mean_ci` does:
 *   λ̂ = Cov(Y, f) / ((1 + n/N) · Var(f ∪ f̃)), clipped to [0, 1]
 *   θ̂ = λ̂ · mean(f̃) + mean(Y − λ̂ f)
 *   CI = θ̂ ± z_{1−α/2} · √(λ̂² Var(f̃)/N + Var(Y − λ̂ f)/n)
 * with Y the human labels and f the judge on the n labelled items, f̃ the judge on the N others.
 */
export function ppiMean(
  y: readonly number[],
  f: readonly number[],
  fUnlabelled: readonly number[],
  alpha = 0.05,
): PpiResult | null {
  const n = y.length;
  const N = fUnlabelled.length;
  if (n < 2 || N < 1) return null;
  const z = jStat.normal.inv(1 - alpha / 2, 0, 1);
  const my = mean(y);
  const mf = mean(f);
  let cov = 0;
  for (let i = 0; i < n; i++) cov += (y[i]! - my) * (f[i]! - mf);
  cov /= n;
  const all = [...f, ...fUnlabelled];
  const varAll = pvar(all);
  const raw = varAll === 0 ? 0 : cov / ((1 + n / N) * varAll);
  const lambda = Math.max(0, Math.min(1, raw));
  const rect = y.map((v, i) => v - lambda * f[i]!);
  const estimate = lambda * mean(fUnlabelled) + mean(rect);
  const se = Math.sqrt((lambda ** 2 * pvar(fUnlabelled)) / N + pvar(rect) / n);
  const seClassical = Math.sqrt(pvar(y) / n);
  const seNaive = Math.sqrt(pvar(all) / all.length);
  const mAll = mean(all);
  return {
    estimate,
    ci: [estimate - z * se, estimate + z * se],
    lambda,
    classical: { estimate: my, ci: [my - z * seClassical, my + z * seClassical] },
    naive: { estimate: mAll, ci: [mAll - z * seNaive, mAll + z * seNaive] },
    n_labelled: n,
    n_unlabelled: N,
    effective_sample_size_gain: se === 0 ? Number.POSITIVE_INFINITY : (seClassical / se) ** 2,
  };
}
