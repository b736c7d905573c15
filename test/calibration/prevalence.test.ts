import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { roganGladen } from '../../src/calibration/prevalence.js';
import { seededRandom } from '../../src/stats/random.js';
import { runCli, tempDir, writeJsonl } from '../helpers/cli.js';

/**
 * Pass/fail judges (issue 10 item 5, issue 21 item 3): the Rogan–Gladen estimate with Lee et al.'s
 * (2026) interval as their package computes it. Reference values: their package RUN
 * (github.com/UW-Madison-Lee-Lab/LLM-judge-reporting, commit 082884d, Python 3.11.7, numpy 2.4.6,
 * scipy 1.17.1): `confidence_interval(p, q0, q1, n, m0, m1)` and `point_estimator(p, q0, q1)`.
 */

/** n ones and the rest zeros. */
const ones = (n: number, of: number) => Array.from({ length: of }, (_, i) => (i < n ? 1 : 0));
function goldOf(tp: number, fn: number, tn: number, fp: number) {
  return [
    ...Array.from({ length: tp }, () => ({ judge: 1, human: 1 })),
    ...Array.from({ length: fn }, () => ({ judge: 0, human: 1 })),
    ...Array.from({ length: tn }, () => ({ judge: 0, human: 0 })),
    ...Array.from({ length: fp }, () => ({ judge: 1, human: 0 })),
  ];
}

describe('Rogan–Gladen corrected pass rate', () => {
  it('a worked example: p̂ 0.6 on 1,000 items, sensitivity 0.9 and specificity 0.8 on 50 + 50 gold', () => {
    const r = roganGladen(ones(600, 1000), goldOf(45, 5, 40, 10));
    expect(r.sensitivity).toEqual({ estimate: 0.9, n: 50 });
    expect(r.specificity).toEqual({ estimate: 0.8, n: 50 });
    // Lee et al.'s package: point_estimator(0.6, 0.8, 0.9) = 0.5714285714285712,
    // confidence_interval(0.6, 0.8, 0.9, 1000, 50, 50) = (0.46331201822153734, 0.6863581239408674)
    expect(r.corrected!.interval).toBe('Lee et al. (2026)');
    expect(r.corrected!.estimate).toBeCloseTo(0.5714285714285712, 14);
    expect(Math.abs(r.corrected!.ci[0] - 0.46331201822153734)).toBeLessThan(1e-14);
    expect(Math.abs(r.corrected!.ci[1] - 0.6863581239408674)).toBeLessThan(1e-14);
    expect(r.corrected!.clipped).toBe(false);
    // the plain delta-method interval, under its own name: θ = 4/7,
    // Var = [0.24/1000 + θ²·0.09/50 + (1−θ)²·0.16/50]/0.49, computed in Python 3.11 with scipy
    // 1.10.1's norm.ppf(0.975): sd 0.053747523988184547, CI [0.46608536015352686, 0.6767717827036155]
    expect(r.delta_method!.se).toBeCloseTo(0.053747523988184547, 14);
    expect(r.delta_method!.ci[0]).toBeCloseTo(0.46608536015352686, 12);
    expect(r.delta_method!.ci[1]).toBeCloseTo(0.6767717827036155, 12);
  });

  it('corner cases: a perfect judge changes nothing; below chance there is no estimate; outside [0, 1] it is clipped', () => {
    const perfect = roganGladen(ones(300, 1000), goldOf(30, 0, 70, 0));
    expect(perfect.corrected!.estimate).toBeCloseTo(0.3, 14);
    // Lee et al.'s package: confidence_interval(0.3, 1, 1, 1000, 70, 30) = (0.26116809023127335, 0.3420303331241757)
    // (the delta method would give the point [0.3, 0.3]: the smoothing is why they are wider)
    expect(Math.abs(perfect.corrected!.ci[0] - 0.26116809023127335)).toBeLessThan(1e-14);
    expect(Math.abs(perfect.corrected!.ci[1] - 0.3420303331241757)).toBeLessThan(1e-14);
    const coin = roganGladen(ones(500, 1000), goldOf(25, 25, 25, 25));
    expect(coin.corrected).toBeNull();
    expect(coin.reason).toMatch(/no information/);
    // the judge passes 5% but its false-pass rate alone is 20%: the raw estimate is negative
    const low = roganGladen(ones(50, 1000), goldOf(45, 5, 40, 10));
    expect(low.corrected).toMatchObject({ estimate: 0, clipped: true });
    // the package: confidence_interval(0.05, 0.8, 0.9, 1000, 50, 50) = (0.0, 0.0), flagged degenerate here
    expect(low.corrected!.ci).toEqual([0, 0]);
    expect(low.corrected!.degenerate).toBe(true);
    expect(roganGladen(ones(5, 10), goldOf(5, 0, 0, 0)).corrected).toBeNull(); // no gold fails
  });

  it('a seeded simulation: the 95% interval covers the true rate in at least 93% of repetitions (CI-sized run; npm run bench runs 2,000)', () => {
    const rand = seededRandom(2026);
    for (const [theta, se, sp, N, n] of [
      [0.7, 0.9, 0.8, 1000, 100],
      [0.3, 0.85, 0.95, 500, 60],
    ] as const) {
      let covered = 0;
      const reps = 400;
      for (let r = 0; r < reps; r++) {
        const draw = () => {
          const h = rand() < theta ? 1 : 0;
          return { human: h, judge: h ? (rand() < se ? 1 : 0) : rand() < sp ? 0 : 1 };
        };
        const test = Array.from({ length: N }, () => draw().judge);
        const gold = Array.from({ length: n }, draw);
        const c = roganGladen(test, gold).corrected;
        if (c && c.ci[0] <= theta && theta <= c.ci[1]) covered += 1;
      }
      expect(covered / reps, `θ=${theta}, se=${se}, sp=${sp}`).toBeGreaterThanOrEqual(0.93);
    }
  });
});

describe('calibrate on a pass/fail criterion', () => {
  it('reports the corrected pass rate beside the agreement figures', async () => {
    const dir = tempDir('plumb-prevalence-');
    const rand = seededRandom(5);
    const rows = Array.from({ length: 300 }, (_, i) => {
      const human = rand() < 0.6 ? 1 : 0;
      const judge = human ? (rand() < 0.9 ? 1 : 0) : rand() < 0.75 ? 0 : 1;
      return { id: `r${i}`, human, judge };
    });
    const scores = writeJsonl(
      join(dir, 'scores.jsonl'),
      rows.map((r) => ({ id: r.id, scores: { pass: r.judge }, overall: r.judge })),
    );
    const gold = writeJsonl(
      join(dir, 'gold.jsonl'),
      rows.slice(0, 80).map((r) => ({ id: r.id, rater: 'ana', scores: { pass: r.human } })),
    );
    const r = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      gold,
      '--scale',
      '0,1',
      '--criterion',
      'pass',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout).prevalence;
    expect(p.criterion).toBe('pass');
    expect(p.observed.n).toBe(220);
    const expected = roganGladen(
      rows.slice(80).map((x) => x.judge),
      rows.slice(0, 80).map((x) => ({ judge: x.judge, human: x.human })),
    );
    expect(p.corrected.estimate).toBeCloseTo(expected.corrected!.estimate, 14);
    const text = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      gold,
      '--scale',
      '0,1',
      '--criterion',
      'pass',
    ]);
    expect(text.stdout).toMatch(/corrected for the judge's errors \(Rogan–Gladen/);
    // on any other scale there is no pass rate to correct
    const wide = await runCli([
      'calibrate',
      '--scores',
      scores,
      '--gold',
      gold,
      '--scale',
      '0,2',
      '--criterion',
      'pass',
      '--json',
    ]);
    expect(wide.code, wide.stderr).toBe(0);
    expect(JSON.parse(wide.stdout).prevalence).toBeNull();
  });
});
