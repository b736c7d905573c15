import { describe, expect, it } from 'vitest';
import { incompleteBeta } from '../../src/stats/beta.js';
import { fSf, normalQuantile } from '../../src/stats/distributions.js';
import { mcnemarExact } from '../../src/stats/proportion.js';
import ref from '../reference/tails.json' with { type: 'json' };

// Reference: `python3 test/reference/tails_reference.py > test/reference/tails.json`, run once with
// Python 3.11.7, mpmath 1.3.0 at 60 digits (the reference) and scipy 1.17.1 (stored beside it).
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

describe('F upper tail to 1e-12 relative (mpmath)', () => {
  it('the whole grid with df2 ≤ 2000, fractional df and df1 = 18–32 included: < 1e-12 (achieved 1.2e-13)', () => {
    let worst = 0;
    for (const c of ref.f_sf) if (c.d2 <= 2000) worst = Math.max(worst, rel(fSf(c.x, c.d1, c.d2), c.sf));
    expect(worst).toBeLessThan(1e-12);
  });

  it('df2 = 1e5 (an F that is a χ² in all but name): < 5e-12 (achieved 1.7e-12)', () => {
    let worst = 0;
    for (const c of ref.f_sf) if (c.d2 > 2000) worst = Math.max(worst, rel(fSf(c.x, c.d1, c.d2), c.sf));
    expect(worst).toBeLessThan(5e-12);
  });

  it('the case stdlib missed by 5e-12 (df1 = 20, df2 = 55)', () => {
    const c = ref.f_sf.find((r) => r.d1 === 20 && r.d2 === 55 && r.x === 1.4)!;
    expect(rel(fSf(1.4, 20, 55), c.sf)).toBeLessThan(1e-13);
  });

  it('edges: x ≤ 0 → 1, x = ∞ → 0, lower + upper = 1', () => {
    expect(fSf(0, 3, 4)).toBe(1);
    expect(fSf(Number.POSITIVE_INFINITY, 3, 4)).toBe(0);
    const t = incompleteBeta(0.3, 0.7, 2.5, 7);
    expect(t.lower + t.upper).toBeCloseTo(1, 15);
  });
});

describe('exact McNemar in log space at any n (mpmath)', () => {
  it('p to 1e-12 relative up to a million discordant pairs; log p where p underflows', () => {
    for (const c of ref.binom_two_sided) {
      const k = c.k;
      const r = mcnemarExact(k, c.n - k);
      if (c.p > 0) expect(rel(r.p, c.p)).toBeLessThan(1e-12); // achieved 5.8e-14
      expect(Math.abs(r.log_p - c.log_p)).toBeLessThan(1e-12 * Math.max(1, Math.abs(c.log_p)));
    }
    // b + c = 3000, min = 10: p ≈ e^-2007, below the smallest double
    const tiny = mcnemarExact(10, 2990);
    expect(tiny.p).toBe(0);
    expect(tiny.log_p).toBeLessThan(-2000);
  });

  it('symmetric in b and c; p = 1 when b = c or no discordant pairs', () => {
    expect(mcnemarExact(25, 40).p).toBe(mcnemarExact(40, 25).p);
    expect(mcnemarExact(0, 0).p).toBe(1);
    expect(mcnemarExact(7, 7).p).toBe(1);
  });
});

describe("normalQuantile: Wichura's AS241 seed (no jStat)", () => {
  it('matches mpmath to 1e-15 relative from 1e-300 to 1 − 1e-6', () => {
    for (const c of ref.normal_quantile) {
      const z = normalQuantile(c.p);
      if (c.q === 0) expect(z).toBe(0);
      else expect(rel(z, c.q)).toBeLessThan(1e-15);
    }
  });
});
