import { describe, expect, it } from 'vitest';
import { repeatedMeasuresAnova2 } from '../../src/stats/anova.js';
import {
  oneWayRepeatedMeasures,
  repeatedMeasuresAnova2Sphericity,
  type SphericityTerm,
} from '../../src/stats/sphericity.js';
import ref from '../reference/sphericity.json' with { type: 'json' };

// Reference: `Rscript test/reference/sphericity_reference.R > test/reference/sphericity.json`, run once
// with R 4.2.2 (Debian 4.2.2.20221110-2): anova.mlm(lm(Y ~ 1), M, X, idata, test = "Spherical") and
// stats:::sphericity (H-F with Lecoutre's correction, identical to the original with one group).
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

function same(t: SphericityTerm, r: (typeof ref.two_way)[number]['terms'][number]) {
  expect(t.df).toBe(r.df);
  expect(t.df_error).toBe(r.df_error);
  expect(rel(t.F!, r.F)).toBeLessThan(1e-12);
  expect(rel(t.p!, r.p)).toBeLessThan(1e-10);
  expect(rel(t.gg!, r.gg)).toBeLessThan(1e-12);
  expect(rel(t.hf!, r.hf)).toBeLessThan(1e-12);
  expect(rel(t.p_gg!, r.p_gg)).toBeLessThan(1e-10);
  expect(rel(t.p_hf!, r.p_hf)).toBeLessThan(1e-10);
}

describe('sphericity corrections = R 4.2.2 anova.mlm(test = "Spherical")', () => {
  it('one-way, 8 subjects × 4 levels', () => {
    same(oneWayRepeatedMeasures(ref.one_way.data), ref.one_way as never);
  });

  for (const [i, d] of ref.two_way.entries()) {
    it(`two-way within ${d.a} × ${d.b}, ${d.data.length} subjects (${i ? 'H-F > 1, capped for p' : 'all ε < 1'})`, () => {
      const data = d.data.map((row) =>
        Array.from({ length: d.a }, (_, x) => row.slice(x * d.b, (x + 1) * d.b)),
      );
      const terms = repeatedMeasuresAnova2Sphericity(data, ['A', 'B']);
      terms.forEach((t, k) => {
        same(t, d.terms[k]!);
      });
      // the uncorrected F and p are repeatedMeasuresAnova2's
      const plain = repeatedMeasuresAnova2(data, ['A', 'B']);
      plain.forEach((t, k) => {
        expect(rel(t.F!, terms[k]!.F!)).toBeLessThan(1e-10);
      });
    });
  }

  it('an effect with one df has ε = 1', () => {
    const t = oneWayRepeatedMeasures([
      [1, 2],
      [2, 4],
      [3, 3.5],
    ]);
    expect(t.gg).toBeCloseTo(1, 14);
    expect(t.p_gg).toBeCloseTo(t.p!, 14);
  });

  it('no within-subject variation, or one subject: no test, with the reason', () => {
    const flat = oneWayRepeatedMeasures([
      [1, 2, 3],
      [2, 3, 4],
      [5, 6, 7],
    ]);
    expect(flat.F).toBeNull();
    expect(flat.reason).toMatch(/no within-subject error/);
    expect(oneWayRepeatedMeasures([[1, 2, 3]]).F).toBeNull();
  });
});
