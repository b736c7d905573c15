import { describe, expect, it } from 'vitest';
import { fitMixed } from '../../../src/stats/mixed/index.js';
import { MAX_DENSE } from '../../../src/stats/mixed/penalized.js';

/** mulberry32 + Box–Muller: the same simulated data on every run (bench/mixed.mjs uses the same). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** y ~ x1 + x2 + arm + (1 | g) with β = (−0.5, 0.8, −0.4, 0.6) and group SD 0.8. */
function simulate(seed: number, groups: number, perGroup: number) {
  const u = rng(seed);
  const z = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const beta = [-0.5, 0.8, -0.4, 0.6];
  const rows: Record<string, unknown>[] = [];
  for (let g = 0; g < groups; g++) {
    const b = 0.8 * z();
    for (let i = 0; i < perGroup; i++) {
      const x1 = z();
      const x2 = u() * 2 - 1;
      const arm = u() < 0.5 ? 'a' : 'b';
      const eta = beta[0]! + beta[1]! * x1 + beta[2]! * x2 + (arm === 'b' ? beta[3]! : 0) + b;
      rows.push({ g: `g${g}`, x1, x2, arm, y: u() < 1 / (1 + Math.exp(-eta)) ? 1 : 0 });
    }
  }
  return { rows, beta };
}

describe('logistic GLMM Wald intervals (CI-sized; bench/mixed.mjs runs 1,000 reps)', () => {
  it('cover the true fixed effects in 100 simulated data sets of 50 groups × 10', () => {
    const reps = 100;
    const hits = [0, 0, 0, 0];
    for (let r = 0; r < reps; r++) {
      const { rows, beta } = simulate(1000 + r, 50, 10);
      const fit = fitMixed(rows, 'y ~ x1 + x2 + arm + (1 | g)', { family: 'binomial' });
      fit.fixedEffects.forEach((fe, j) => {
        if (fe.ci95[0] <= beta[j]! && beta[j]! <= fe.ci95[1]) hits[j]!++;
      });
    }
    // 95 % nominal; with 100 reps the Monte-Carlo SE is ~2.2 points, so 88 % is a 3-SE floor.
    for (const h of hits) expect(h / reps).toBeGreaterThanOrEqual(0.88);
  });

  it('refuses crossed designs whose dense block would exceed its limit, naming the limit', () => {
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 2 * MAX_DENSE; i++) rows.push({ y: i % 2, a: `a${i}`, b: `b${Math.floor(i / 2)}` });
    expect(() => fitMixed(rows, 'y ~ 1 + (1 | a) + (1 | b)', { family: 'binomial' })).toThrow(
      /model too large/,
    );
  });
});
