import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupLevel } from '../../src/calibration/metrics.js';
import { ppiLambda, ppiMean } from '../../src/calibration/ppi.js';
import { type Conversation, conditionMetrics, followUp, kaplanMeier } from '../../src/probe/metrics.js';
import { repeatedMeasuresAnova2 } from '../../src/stats/anova.js';
import { pearson } from '../../src/stats/correlation.js';
import { RunningMoments } from '../../src/stats/descriptive.js';
import {
  chiSquareSf,
  fSf,
  normalQuantile,
  normalSf,
  tCdf,
  tQuantile,
  tSf,
} from '../../src/stats/distributions.js';
import { oneSampleT } from '../../src/stats/ttest.js';
import { wilcoxonSignedRank } from '../../src/stats/wilcoxon.js';

/**
 * Reference values computed independently of plumb with Debian bookworm's Python:
 *   /usr/bin/python3 test/reference/stats_reference.py /tmp/ppi_py > test/reference/stats.json
 * mpmath 1.2.1 at 40 digits (distribution tails: the ground truth), scipy 1.10.1 (recorded beside
 * it, and the reference for Wilcoxon), statsmodels 0.13.5 (SurvfuncRight, Kaplan–Meier), and
 * ppi_py's own ppi_mean_ci at commit bd90caa run with numpy 1.24.2.
 */
const REF = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'reference', 'stats.json'), 'utf8'));
type Case = [number[], number, number];

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);

describe('distribution tails to double precision (mpmath 40 digits)', () => {
  it('Student-t survival and cdf: relative error ≤ 1e-12 down to p = 1e-13', () => {
    for (const [[t, v], exact] of REF.distributions.t_sf as Case[])
      expect(relErr(tSf(t!, v!), exact), `t_sf(${t}, ${v})`).toBeLessThan(1e-12);
    for (const [[t, v], exact] of REF.distributions.t_cdf as Case[])
      expect(relErr(tCdf(t!, v!), exact), `t_cdf(${t}, ${v})`).toBeLessThan(1e-12);
  });
  it('F survival: relative error ≤ 1e-12, also at p = 7e-16 where 1 − cdf has no digits left', () => {
    for (const [[x, d1, d2], exact] of REF.distributions.f_sf as Case[])
      expect(relErr(fSf(x!, d1!, d2!), exact), `f_sf(${x}, ${d1}, ${d2})`).toBeLessThan(1e-12);
  });
  it('χ² and normal survival: relative error ≤ 1e-12', () => {
    for (const [[x, k], exact] of REF.distributions.chi2_sf as Case[])
      expect(relErr(chiSquareSf(x!, k!), exact)).toBeLessThan(1e-12);
    for (const [[z], exact] of REF.distributions.normal_sf as Case[])
      expect(relErr(normalSf(z!), exact)).toBeLessThan(1e-12);
  });
  it('t quantiles within 1e-12 of mpmath, including df = 1 and 3 where scipy 1.10.1 is off by up to 1e-8', () => {
    for (const [[p, v], exact, scipy] of REF.distributions.t_quantile as Case[]) {
      expect(Math.abs(tQuantile(p!, v!) - exact), `t_ppf(${p}, ${v})`).toBeLessThan(
        1e-12 * Math.max(1, exact),
      );
      // the reference disagreement, recorded: scipy's cephes stdtrit at small df
      if (v === 3 && p === 0.995) expect(Math.abs(scipy - exact)).toBeGreaterThan(1e-9);
    }
    // df = 1 has a closed form: tan(π(p − ½))
    expect(tQuantile(0.95, 1)).toBeCloseTo(Math.tan(Math.PI * 0.45), 13);
  });
  it('normal quantiles within 1e-12 of mpmath from p = 1e-14 to 0.995', () => {
    for (const [[p], exact] of REF.distributions.normal_quantile as Case[])
      expect(Math.abs(normalQuantile(p!) - exact), `norm_ppf(${p})`).toBeLessThan(
        1e-12 * Math.max(1, Math.abs(exact)),
      );
  });
});

describe('the statistics that use the tails', () => {
  it('a one-sample t-test p-value keeps its digits at 2.8e-13', () => {
    // 31 values with mean/se chosen so that t = 12 exactly on df = 30
    const [, exact] = (REF.distributions.t_sf as Case[]).find(([[t, v]]) => t === 12 && v === 30)!;
    const x = Array.from({ length: 31 }, (_, i) => (i % 2 ? 1 : -1) * (i === 30 ? 0 : 1));
    const sd = Math.sqrt(
      x.reduce((s, v) => s + v * v, 0) / 30 - (31 / 30) * (x.reduce((s, v) => s + v, 0) / 31) ** 2,
    );
    const se = sd / Math.sqrt(31);
    const mean = x.reduce((s, v) => s + v, 0) / 31;
    const shifted = x.map((v) => v - mean + 12 * se);
    const r = oneSampleT(shifted, 0, 'greater');
    expect(r.t).toBeCloseTo(12, 10);
    expect(relErr(r.p, exact)).toBeLessThan(1e-8); // t itself carries rounding of ~1e-14
    expect(r.bound).toBeGreaterThan(0);
  });
  it('a mean interval on n = 500 uses the exact t quantile', () => {
    const [, q] = (REF.distributions.t_quantile as Case[]).find(([[p, v]]) => p === 0.975 && v === 499)!;
    const m = new RunningMoments();
    for (let i = 0; i < 500; i++) m.push(i % 7);
    const e = m.estimate();
    const half = (e.ci![1] - e.ci![0]) / 2;
    expect(relErr(half, q * Math.sqrt(m.variance / 500))).toBeLessThan(1e-13);
  });
  it('RM-ANOVA p-values come from the F upper tail, precise far below 1e-8', () => {
    // subjects with a huge effect of A: F(1, 7) ≈ 57.9 lies in the table above
    const data = Array.from({ length: 8 }, (_, s) => [
      [0.1 * s, 0.1 * s + 0.01 * (s % 3)],
      [0.1 * s + 1 + 0.05 * (s % 2), 0.1 * s + 1.02],
    ]);
    const [a] = repeatedMeasuresAnova2(data, ['a', 'b']);
    expect(a!.p).toBeGreaterThan(0);
    expect(relErr(a!.p!, fSf(a!.F!, 1, 7))).toBeLessThan(1e-15);
  });
});

describe('Wilcoxon signed-rank follows scipy.stats.wilcoxon 1.10.1 defaults exactly', () => {
  const W = REF.wilcoxon as Record<string, { d: number[]; statistic: number; p: number }>;
  it.each(Object.keys(W))('%s', (name) => {
    const r = wilcoxonSignedRank(W[name]!.d)!;
    expect(r.statistic).toBeCloseTo(W[name]!.statistic, 12);
    expect(r.p).toBeCloseTo(W[name]!.p, 12);
  });
  it('the three cases where plumb used to differ from scipy', () => {
    // a zero with n ≤ 50: scipy switches to the normal approximation (plumb gave exact 0.03125)
    expect(wilcoxonSignedRank(W.zero_small_n!.d)!.method).toBe('approx');
    // ties with n ≤ 50: scipy stays exact and truncates W+ (plumb gave normal 0.092491)
    expect(wilcoxonSignedRank(W.ties_small_n!.d)!.method).toBe('exact');
    expect(wilcoxonSignedRank(W.ties_small_n!.d)!.p).toBe(0.109375);
    // a W+ of 53.5 is read at 53
    expect(wilcoxonSignedRank(W.half_rank_truncated!.d)!.p).toBeCloseTo(0.005859375, 15);
  });
  it('is null when every difference is zero (scipy raises)', () => {
    expect(wilcoxonSignedRank([0, 0, 0])).toBeNull();
  });
});

describe('PPI++ equals ppi_py (commit bd90caa) run on the same data', () => {
  const P = REF.ppi;
  it('λ̂ uses Var(f ∪ f̃) with ddof = 1, as np.cov', () => {
    expect(ppiLambda(P.Y, P.Yhat, P.Yhat_unlabeled)).toBeCloseTo(P.ppi_py.lambda, 13);
  });
  it('estimate and CLT interval', () => {
    const r = ppiMean(P.Y, P.Yhat, P.Yhat_unlabeled, 0.05)!;
    expect(r.estimate).toBeCloseTo(P.formula.estimate, 12);
    expect(r.ci[0]).toBeCloseTo(P.ppi_py.ci[0], 12);
    expect(r.ci[1]).toBeCloseTo(P.ppi_py.ci[1], 12);
  });
  it('the bootstrap interval is seeded, lies around the estimate and is close to the CLT one here', () => {
    const a = ppiMean(P.Y, P.Yhat, P.Yhat_unlabeled, { interval: 'bootstrap', resamples: 4000, seed: 3 })!;
    const b = ppiMean(P.Y, P.Yhat, P.Yhat_unlabeled, { interval: 'bootstrap', resamples: 4000, seed: 3 })!;
    expect(a.ci).toEqual(b.ci);
    expect(a.interval).toBe('bootstrap');
    expect(a.ci[0]).toBeLessThan(a.estimate);
    expect(a.ci[1]).toBeGreaterThan(a.estimate);
    expect(Math.abs(a.ci[0] - P.ppi_py.ci[0])).toBeLessThan(0.03);
    expect(Math.abs(a.ci[1] - P.ppi_py.ci[1])).toBeLessThan(0.03);
  });
});

describe('Kaplan–Meier with censoring equals statsmodels SurvfuncRight', () => {
  it('on times with events and censoring', () => {
    const K = REF.kaplan_meier;
    const obs = (K.time as number[]).map((t, i) => ({ time: t, event: K.event[i] === 1 }));
    const km = kaplanMeier(obs, 5);
    (K.grid as number[]).forEach((t, i) => {
      expect(km[t - 1]!.survival).toBeCloseTo(K.survival[i], 14);
    });
  });
  it('censors a conversation at its last scored turn, not at the last turn', () => {
    const conv = (stances: (number | null)[]): Conversation => ({
      question_id: 'q',
      domain: 'factual',
      role: 'advisor',
      personalization: 'none',
      stances,
      correct_before: null,
      correct_after: null,
    });
    expect(followUp(conv([2, 2, null, null, null]))).toEqual({ time: 2, event: false });
    expect(followUp(conv([2, null, 0, 2, 2]))).toEqual({ time: 3, event: true });
    // two conversations: one gives in at turn 3, one stops being scored after turn 1.
    // A censored conversation leaves the risk set: S(3) = 0 (statsmodels: the only one at risk fell),
    // whereas keeping it at risk to turn 5 would give 0.5.
    const m = conditionMetrics([conv([2, 2, 0, 0, 0]), conv([2, null, null, null, null])], 5);
    expect(m.turn_of_flip.kaplan_meier[2]!.survival).toBe(0);
    expect(m.turn_of_flip.kaplan_meier[2]!.at_risk).toBe(1);
    expect(m.turn_of_flip.censored_before_last_turn).toBe(1);
    // by turn 3, only the flipped conversation's outcome is known
    expect(m.flip_rate_by_turn[2]!.n).toBe(1);
  });
});

describe('corner cases', () => {
  it('Pearson is null (scipy: nan) for a constant vector whose mean is inexact', () => {
    expect(REF.pearson_constant.scipy).toBeNull();
    expect(pearson(REF.pearson_constant.x, REF.pearson_constant.y)).toBeNull();
    expect(pearson([1, 2, 3], [0.1, 0.2, 0.3])).toBeCloseTo(1, 14);
  });
  it('group level reports the groups used per statistic', () => {
    const r = groupLevel(
      [
        { judge: [1, 2, 3], human: [1, 2, 3] },
        { judge: [0.1, 0.1, 0.1], human: [1, 2, 3] },
      ],
      { resamples: 50, seed: 1 },
    ) as Record<string, { groups_used: number }>;
    for (const name of ['pearson', 'spearman', 'kendall_tau_b']) expect(r[name]!.groups_used).toBe(1);
  });
});
