import type { Interval } from './descriptive.js';
import { normalQuantile } from './distributions.js';

/**
 * A judge's pass rate corrected for its errors, with the interval of Lee et al. (2026), "How to
 * Correctly Report LLM-as-a-Judge Evaluations", transcribed from their package
 * (github.com/UW-Madison-Lee-Lab/LLM-judge-reporting, commit 082884d, file
 * llm_judge_reporting/calibration.py, functions `point_estimator` and `confidence_interval`).
 *
 * Inputs, in their notation: p = share of the n test items the judge passes; q0 = specificity
 * (judge fails | human fails) on m0 gold fails; q1 = sensitivity on m1 gold passes.
 *
 * Point estimate (Rogan–Gladen), unsmoothed and clipped to [0, 1]:
 *   θ̂ = clip((p + q0 − 1)/(q0 + q1 − 1)).
 * Interval (their `confidence_interval`), with z = Φ⁻¹(1 − α/2):
 *   smoothed  p̃ = (n p + z²/2)/(n + z²),  q̃0 = (m0 q0 + 1)/(m0 + 2),  q̃1 = (m1 q1 + 1)/(m1 + 2),
 *             ñ = n + z²,  m̃0 = m0 + 2,  m̃1 = m1 + 2,
 *   θ̃ = (p̃ + q̃0 − 1)/(q̃0 + q̃1 − 1)                      (not clipped),
 *   bias shift  dθ = 2z² (−(1 − θ̃) q̃0(1 − q̃0)/m̃0 + θ̃ q̃1(1 − q̃1)/m̃1),
 *   se = √(p̃(1 − p̃)/ñ + (1 − θ̃)² q̃0(1 − q̃0)/m̃0 + θ̃² q̃1(1 − q̃1)/m̃1) / (q̃0 + q̃1 − 1),
 *   CI = [clip(θ̃ + dθ − z·se), clip(θ̃ + dθ + z·se)].
 * Where plumb departs from the package, it refuses rather than returning a number:
 * q̃0 + q̃1 ≤ 1 (the package then returns an inverted interval, lower > upper), and n, m0 or
 * m1 = 0 (the package asserts). When the centre lies far outside [0, 1] both ends clip to the same
 * bound (the package returns [0, 0] or [1, 1]); that is reproduced and flagged `degenerate`.
 */

export interface LeeInput {
  /** Share of the test items the judge passes. */
  p: number;
  /** Specificity: share of gold fails the judge fails. */
  q0: number;
  /** Sensitivity: share of gold passes the judge passes. */
  q1: number;
  /** Test items, gold fails, gold passes. */
  n: number;
  m0: number;
  m1: number;
}

export interface LeeResult {
  /** Rogan–Gladen estimate, clipped to [0, 1]; null when q0 + q1 = 1. */
  estimate: number | null;
  ci: Interval | null;
  /** The smoothed, bias-shifted centre θ̃ + dθ and the standard error of the interval. */
  centre?: number;
  se?: number;
  /** True when both ends clipped to the same bound (an interval of width 0). */
  degenerate?: boolean;
  interval: 'Lee et al. 2026 (smoothed, bias-shifted)';
  reason?: string;
}

const clip = (x: number) => Math.max(0, Math.min(1, x));
const METHOD = 'Lee et al. 2026 (smoothed, bias-shifted)' as const;

/** Lee et al.'s `point_estimator`: the Rogan–Gladen estimate clipped to [0, 1]. */
export function roganGladenEstimate(p: number, q0: number, q1: number): number | null {
  const d = q0 + q1 - 1;
  return d === 0 ? null : clip((p + q0 - 1) / d);
}

/** Lee et al.'s `confidence_interval` with their `point_estimator` beside it. */
export function leeInterval(input: LeeInput, alpha = 0.05): LeeResult {
  const { p, q0, q1, n, m0, m1 } = input;
  const estimate = roganGladenEstimate(p, q0, q1);
  if (!(n > 0 && m0 > 0 && m1 > 0))
    return {
      estimate,
      ci: null,
      interval: METHOD,
      reason: 'needs judged items and gold with both passes and fails',
    };
  const z = normalQuantile(1 - alpha / 2);
  const z2 = z * z;
  const ps = (n * p + z2 / 2) / (n + z2);
  const q0s = (m0 * q0 + 1) / (m0 + 2);
  const q1s = (m1 * q1 + 1) / (m1 + 2);
  const ns = n + z2;
  const m0s = m0 + 2;
  const m1s = m1 + 2;
  const youden = q0s + q1s - 1;
  if (!(youden > 0))
    return {
      estimate,
      ci: null,
      interval: METHOD,
      reason: `smoothed sensitivity + specificity − 1 = ${youden.toFixed(3)} ≤ 0: the judge carries no information about the rate`,
    };
  const th = (ps + q0s - 1) / youden;
  const v0 = (q0s * (1 - q0s)) / m0s;
  const v1 = (q1s * (1 - q1s)) / m1s;
  const dth = 2 * z2 * (-(1 - th) * v0 + th * v1);
  const se = Math.sqrt((ps * (1 - ps)) / ns + (1 - th) ** 2 * v0 + th ** 2 * v1) / youden;
  const lower = clip(th + dth - z * se);
  const upper = clip(th + dth + z * se);
  return {
    estimate,
    ci: [lower, upper],
    centre: th + dth,
    se,
    ...(lower === upper ? { degenerate: true } : {}),
    interval: METHOD,
  };
}

/** Lee et al.'s interval from 0/1 verdicts: the judge on the test items, and the gold pairs. */
export function leeIntervalFromVerdicts(
  judgeTest: readonly number[],
  gold: readonly { judge: number; human: number }[],
  alpha = 0.05,
): LeeResult & { input: LeeInput } {
  const n = judgeTest.length;
  const pos = gold.filter((g) => g.human === 1);
  const neg = gold.filter((g) => g.human === 0);
  const input: LeeInput = {
    p: n ? judgeTest.filter((v) => v === 1).length / n : Number.NaN,
    q0: neg.length ? neg.filter((g) => g.judge === 0).length / neg.length : Number.NaN,
    q1: pos.length ? pos.filter((g) => g.judge === 1).length / pos.length : Number.NaN,
    n,
    m0: neg.length,
    m1: pos.length,
  };
  return { ...leeInterval(input, alpha), input };
}

export interface DeltaPrevalence {
  estimate: number;
  se: number;
  ci: Interval;
  clipped: boolean;
  interval: 'delta method (Rogan–Gladen, plug-in)';
}

/**
 * The plain delta-method interval (no smoothing, no bias shift), kept under its own name: what
 * src/calibration/prevalence.ts's roganGladen computes, θ̂ clipped first, then
 *   Var ≈ [p(1 − p)/n + θ̂² q1(1 − q1)/m1 + (1 − θ̂)² q0(1 − q0)/m0] / (q0 + q1 − 1)²,
 * the interval θ̂ ± z·se clipped to [0, 1]. It collapses to a point when p, q0 and q1 are all 0 or
 * 1 (a perfect calibration set and p̂ = 0), which is why Lee et al. smooth. Null when q0 + q1 ≤ 1.
 */
export function deltaMethodPrevalence(input: LeeInput, alpha = 0.05): DeltaPrevalence | null {
  const { p, q0, q1, n, m0, m1 } = input;
  const youden = q0 + q1 - 1;
  if (!(youden > 0 && n > 0 && m0 > 0 && m1 > 0)) return null;
  const raw = (p + q0 - 1) / youden;
  const theta = clip(raw);
  const v = (p * (1 - p)) / n + (theta ** 2 * q1 * (1 - q1)) / m1 + ((1 - theta) ** 2 * q0 * (1 - q0)) / m0;
  const se = Math.sqrt(v) / youden;
  const z = normalQuantile(1 - alpha / 2);
  return {
    estimate: theta,
    se,
    ci: [clip(theta - z * se), clip(theta + z * se)],
    clipped: raw !== theta,
    interval: 'delta method (Rogan–Gladen, plug-in)',
  };
}
