import type { Interval } from '../stats/descriptive.js';
import {
  type DeltaPrevalence,
  deltaMethodPrevalence,
  leeIntervalFromVerdicts,
} from '../stats/lee-interval.js';

/**
 * A pass/fail judge's pass rate corrected for its errors: the Rogan–Gladen estimate
 *   θ̂ = (p̂ + specificity − 1) / (sensitivity + specificity − 1),
 * with p̂ the judge's pass rate on the test items (those without gold) and sensitivity and
 * specificity measured on the gold, and the interval of Lee et al. (2026), "How to Correctly Report
 * LLM-as-a-Judge Evaluations", exactly as their package computes it (stats/lee-interval.ts:
 * smoothed p̂, sensitivity and specificity, a bias-shifted centre; equal to the package to 1e-14).
 * The plain delta-method interval is kept beside it under its own name (`delta_method`) for
 * comparison only: it collapses to a point on a perfect calibration set and is not what Lee et al.
 * publish. Undefined when sensitivity + specificity ≤ 1 (a judge no better than a coin carries no
 * information about the rate).
 */
export interface PrevalenceResult {
  /** The judge's pass rate on the test items (the items without gold). */
  observed: { estimate: number; n: number };
  sensitivity: { estimate: number; n: number };
  specificity: { estimate: number; n: number };
  corrected: {
    /** Rogan–Gladen, clipped to [0, 1]. */
    estimate: number;
    /** Lee et al.'s interval. */
    ci: Interval;
    /** Its smoothed, bias-shifted centre and standard error. */
    centre: number;
    se: number;
    /** True when the raw Rogan–Gladen value was outside [0, 1]. */
    clipped: boolean;
    /** True when both ends of the interval clipped to the same bound. */
    degenerate?: boolean;
    interval: 'Lee et al. (2026)';
  } | null;
  /** The plain delta-method interval on the same inputs (not Lee et al.'s), for comparison. */
  delta_method: DeltaPrevalence | null;
  reason?: string;
}

export function roganGladen(
  judgeTest: readonly number[],
  gold: readonly { judge: number; human: number }[],
  alpha = 0.05,
): PrevalenceResult {
  const lee = leeIntervalFromVerdicts(judgeTest, gold, alpha);
  const { p, q0, q1, n, m0, m1 } = lee.input;
  const base = {
    observed: { estimate: p, n },
    sensitivity: { estimate: q1, n: m1 },
    specificity: { estimate: q0, n: m0 },
    delta_method: deltaMethodPrevalence(lee.input, alpha),
  };
  if (!lee.ci || lee.estimate === null)
    return {
      ...base,
      corrected: null,
      reason:
        lee.reason ?? 'sensitivity + specificity − 1 = 0: the judge carries no information about the rate',
    };
  // Lee et al. smooth before they test the judge; plumb also refuses a judge whose raw
  // sensitivity + specificity is ≤ 1 (the estimate would divide by ≤ 0)
  if (!(q0 + q1 - 1 > 0))
    return {
      ...base,
      corrected: null,
      reason: `sensitivity + specificity − 1 = ${(q0 + q1 - 1).toFixed(3)} ≤ 0: the judge carries no information about the rate`,
    };
  const raw = (p + q0 - 1) / (q0 + q1 - 1);
  return {
    ...base,
    corrected: {
      estimate: lee.estimate,
      ci: lee.ci,
      centre: lee.centre!,
      se: lee.se!,
      clipped: raw < 0 || raw > 1,
      ...(lee.degenerate ? { degenerate: true } : {}),
      interval: 'Lee et al. (2026)',
    },
  };
}
