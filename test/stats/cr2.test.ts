import { describe, expect, it } from 'vitest';
import { Cr2Moments, cr2Mean, cr2MeanDifference, cr2MeanFromSummaries, cr2Ols } from '../../src/stats/cr2.js';
import ref from '../reference/cr2.json' with { type: 'json' };

// Reference: `Rscript test/reference/cr2_reference.R > test/reference/cr2.json`, run once with
// R 4.2.2 (Debian 4.2.2.20221110-2) and clubSandwich 0.5.8 (Debian r-cran-clubsandwich 0.5.8-1):
// coef_test(lm(y ~ 1), vcov = "CR2", cluster = g, test = "Satterthwaite") and conf_int(..., level = 0.95).
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('cr2Mean = clubSandwich 0.5.8 CR2 + Satterthwaite', () => {
  for (const d of ref.means) {
    it(d.name, () => {
      const r = cr2Mean(d.y, d.g);
      expect(rel(r.value!, d.beta)).toBeLessThan(1e-12);
      expect(rel(r.se!, d.se)).toBeLessThan(1e-10);
      expect(rel(r.df!, d.df)).toBeLessThan(1e-10);
      expect(rel(r.p!, d.p)).toBeLessThan(1e-9);
      expect(Math.abs(r.ci![0] - d.lower)).toBeLessThan(1e-9);
      expect(Math.abs(r.ci![1] - d.upper)).toBeLessThan(1e-9);
      expect(rel(r.se_cr1!, d.se_cr1)).toBeLessThan(1e-10);
      // the general OLS path gives the same numbers
      const o = cr2Ols(
        d.y.map(() => [1]),
        d.y,
        d.g,
        [1],
      );
      expect(rel(o.se!, d.se)).toBeLessThan(1e-10);
      expect(rel(o.df!, d.df)).toBeLessThan(1e-9);
    });
  }

  it('streams: Cr2Moments equals the array form, values without a cluster being their own', () => {
    const d = ref.means.find((m) => m.name === 'G8 singletons mixed')!;
    const counts = new Map<string, number>();
    for (const g of d.g) counts.set(g, (counts.get(g) ?? 0) + 1);
    const s = new Cr2Moments();
    d.y.forEach((y, i) => {
      s.push(y, counts.get(d.g[i]!)! > 1 ? d.g[i] : null);
    });
    const r = s.estimate();
    expect(s.clusters).toBe(8);
    expect(rel(r.se!, d.se)).toBeLessThan(1e-10);
    expect(rel(r.df!, d.df)).toBeLessThan(1e-10);
    expect(Math.abs(r.ci![0] - d.lower)).toBeLessThan(1e-9);
  });

  it('equal cluster sizes: CR2 = CR1 and df = G − 1', () => {
    const d = ref.means.find((m) => m.name === 'G5 equal')!;
    const r = cr2Mean(d.y, d.g);
    expect(rel(r.se!, r.se_cr1!)).toBeLessThan(1e-12);
    expect(r.df!).toBeCloseTo(4, 12);
  });

  it('corner cases: no values, one cluster, all values equal', () => {
    expect(cr2Mean([], []).reason).toBe('no values');
    const one = cr2Mean([1, 2, 3], ['a', 'a', 'a']);
    expect(one.ci).toBeNull();
    expect(one.value).toBe(2);
    expect(one.reason).toMatch(/one cluster/);
    const flat = cr2Mean([0.1, 0.1, 0.1, 0.1], ['a', 'a', 'b', 'c']);
    expect(flat.value).toBeCloseTo(0.1, 15);
    expect(flat.ci![1] - flat.ci![0]).toBeLessThan(1e-15);
    expect(cr2MeanFromSummaries([{ n: 0, sum: 0 }]).reason).toBe('no values');
  });
});

describe('cr2Ols: a difference of two means with clusters = clubSandwich 0.5.8', () => {
  for (const d of ref.contrasts) {
    it(d.name, () => {
      const r = cr2MeanDifference(d.y, d.x, d.g, 0);
      expect(rel(r.value!, d.beta)).toBeLessThan(1e-12);
      expect(rel(r.se!, d.se)).toBeLessThan(1e-10);
      expect(rel(r.df!, d.df)).toBeLessThan(1e-9);
      expect(rel(r.p!, d.p)).toBeLessThan(1e-8);
      expect(Math.abs(r.ci![0] - d.lower)).toBeLessThan(1e-9);
      expect(Math.abs(r.ci![1] - d.upper)).toBeLessThan(1e-9);
      expect(rel(r.se_cr1!, d.se_cr1)).toBeLessThan(1e-10);
    });
  }
});
