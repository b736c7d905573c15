import type { Interval } from '../stats/descriptive.js';
import { zCritical } from '../stats/distributions.js';

/**
 * A pass/fail judge's pass rate corrected for its errors (Rogan & Gladen 1978), with the plug-in
 * interval of Lee et al. (2026, "How to Correctly Report LLM-as-a-Judge Evaluations") that
 * accounts for both the test set (the judge's pass rate p̂ on N items without gold) and the
 * calibration set (its sensitivity on n₁ gold positives, its specificity on n₀ gold negatives):
 *   θ̂ = (p̂ + sp − 1) / (se + sp − 1),
 *   Var(θ̂) ≈ [p̂(1 − p̂)/N + θ̂² se(1 − se)/n₁ + (1 − θ̂)² sp(1 − sp)/n₀] / (se + sp − 1)²  (delta method),
 * θ̂ and the interval clipped to [0, 1]. Undefined when se + sp ≤ 1 (a judge no better than a coin
 * carries no information about the rate).
 */
export interface PrevalenceResult {
  /** The judge's pass rate on the items without gold (all items when every one has gold). */
  observed: { estimate: number; n: number };
  sensitivity: { estimate: number; n: number };
  specificity: { estimate: number; n: number };
  corrected: { estimate: number; se: number; ci: Interval; clipped: boolean } | null;
  reason?: string;
}

export function roganGladen(
  judgeTest: readonly number[],
  gold: readonly { judge: number; human: number }[],
  alpha = 0.05,
): PrevalenceResult {
  const N = judgeTest.length;
  const p = N ? judgeTest.filter((v) => v === 1).length / N : Number.NaN;
  const positives = gold.filter((g) => g.human === 1);
  const negatives = gold.filter((g) => g.human === 0);
  const se = positives.length ? positives.filter((g) => g.judge === 1).length / positives.length : Number.NaN;
  const sp = negatives.length ? negatives.filter((g) => g.judge === 0).length / negatives.length : Number.NaN;
  const base = {
    observed: { estimate: p, n: N },
    sensitivity: { estimate: se, n: positives.length },
    specificity: { estimate: sp, n: negatives.length },
  };
  if (!N || !positives.length || !negatives.length)
    return {
      ...base,
      corrected: null,
      reason: 'needs judged items and gold with both passes and fails',
    };
  const youden = se + sp - 1;
  if (youden <= 0)
    return {
      ...base,
      corrected: null,
      reason: `sensitivity + specificity − 1 = ${youden.toFixed(3)} ≤ 0: the judge carries no information about the rate`,
    };
  const raw = (p + sp - 1) / youden;
  const theta = Math.min(1, Math.max(0, raw));
  const variance =
    (p * (1 - p)) / N +
    (theta ** 2 * se * (1 - se)) / positives.length +
    ((1 - theta) ** 2 * sp * (1 - sp)) / negatives.length;
  const sd = Math.sqrt(variance) / youden;
  const z = zCritical(alpha);
  return {
    ...base,
    corrected: {
      estimate: theta,
      se: sd,
      ci: [Math.max(0, theta - z * sd), Math.min(1, theta + z * sd)],
      clipped: raw !== theta,
    },
  };
}
