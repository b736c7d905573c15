import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bradleyTerry, bradleyTerryWithIntervals, type Comparison } from '../src/stats/bradley-terry.js';
import { clusteredMean } from '../src/stats/cluster.js';
import { wilson } from '../src/stats/proportion.js';

// Reference values: /usr/bin/python3 test/reference/pairwise_reference.py > test/reference/pairwise.json
// (Debian bookworm: scipy 1.10.1, statsmodels 0.13.5, numpy 1.24.2) — see the script for the method of each.
const ref = JSON.parse(readFileSync(new URL('./reference/pairwise.json', import.meta.url), 'utf8'));

describe('Wilson interval = scipy binomtest(...).proportion_ci(method="wilson")', () => {
  it.each(ref.wilson as { k: number; n: number; lo: number; hi: number }[])(
    '$k of $n',
    ({ k, n, lo, hi }) => {
      const w = wilson(k, n);
      expect(w.ci![0]).toBeCloseTo(lo, 13);
      expect(w.ci![1]).toBeCloseTo(hi, 13);
    },
  );
});

describe('cluster-robust mean = statsmodels OLS(y, 1) cov_type=cluster, use_t', () => {
  it('clusters of unequal size', () => {
    const c = ref.clustered;
    const e = clusteredMean(c.y, c.g);
    expect(e.value).toBeCloseTo(c.mean, 14);
    expect(e.se).toBeCloseTo(c.se, 14);
    expect(e.clusters).toBe(8);
    expect(e.ci![0]).toBeCloseTo(c.lo, 12);
    expect(e.ci![1]).toBeCloseTo(c.hi, 12);
    // statsmodels' own interval differs only by scipy's t quantile error (~1e-9 at 7 df)
    expect(e.ci![0]).toBeCloseTo(c.statsmodels_lo, 8);
    expect(Math.abs(e.ci![0] - c.statsmodels_lo)).toBeGreaterThan(1e-12);
  });
  it('one observation per cluster is the ordinary t interval (scipy t.interval)', () => {
    const s = ref.singletons;
    const e = clusteredMean(
      s.y,
      s.y.map((_: number, i: number) => i),
    );
    expect(e.se).toBeCloseTo(s.se, 14);
    expect(e.ci![0]).toBeCloseTo(s.lo, 12);
    expect(e.ci![1]).toBeCloseTo(s.hi, 12);
    expect(e.ci![0]).toBeCloseTo(s.scipy_t_lo, 8);
  });
  it('corner cases: no values, one cluster, a constant vector', () => {
    expect(clusteredMean([], []).value).toBeNull();
    const one = clusteredMean([1, 0, 1], ['g', 'g', 'g']);
    expect(one.value).toBeCloseTo(2 / 3, 15);
    expect(one.ci).toBeNull();
    expect(one.reason).toMatch(/one cluster/);
    // every value the same: zero width, not NaN
    const flat = clusteredMean([1, 1, 1, 1], ['a', 'b', 'c', 'c']);
    expect(flat.ci).toEqual([1, 1]);
  });
});

function expand(games: [number, number, number, number, number][], systems: string[]): Comparison[] {
  const out: Comparison[] = [];
  for (const [i, j, wi, wj, t] of games) {
    for (let k = 0; k < wi; k++) out.push({ a: systems[i]!, b: systems[j]!, score: 1 });
    for (let k = 0; k < wj; k++) out.push({ a: systems[j]!, b: systems[i]!, score: 1 });
    for (let k = 0; k < t; k++) out.push({ a: systems[i]!, b: systems[j]!, score: 0.5 });
  }
  return out;
}

describe('Bradley–Terry = statsmodels binomial GLM on the same games', () => {
  const bt = ref.bradley_terry;
  it('strengths, centred, ties as half a win', () => {
    const fit = bradleyTerry(expand(bt.games, bt.systems), bt.systems);
    for (const [i, s] of fit.strengths!.entries()) expect(s).toBeCloseTo(bt.strengths[i], 10);
  });
  it('the direction of a comparison does not matter (a beats b = b loses to a)', () => {
    const flipped = expand(bt.games, bt.systems).map((c) => ({ a: c.b, b: c.a, score: 1 - c.score }));
    const fit = bradleyTerry(flipped, bt.systems);
    for (const [i, s] of fit.strengths!.entries()) expect(s).toBeCloseTo(bt.strengths[i], 10);
  });
  it('two systems: the strength gap is the log-odds of the win share (closed form)', () => {
    // 30 wins, 10 losses, 4 ties: share 32/44, gap = log(32/12)
    const cs = expand([[0, 1, 30, 10, 4]], ['x', 'y']);
    const fit = bradleyTerry(cs, ['x', 'y']);
    expect(fit.strengths![0]! - fit.strengths![1]!).toBeCloseTo(Math.log(32 / 12), 12);
  });
  it('a system that won everything has no finite strength: null with the reason', () => {
    const fit = bradleyTerry(
      expand(
        [
          [0, 1, 5, 0, 0],
          [1, 2, 3, 3, 0],
        ],
        ['a', 'b', 'c'],
      ),
    );
    expect(fit.strengths).toBeNull();
    expect(fit.reason).toMatch(/unbounded/);
    // a tie is enough to connect it
    expect(
      bradleyTerry(
        expand(
          [
            [0, 1, 5, 0, 1],
            [1, 2, 3, 3, 0],
          ],
          ['a', 'b', 'c'],
        ),
      ).strengths,
    ).not.toBeNull();
  });
  it('bootstrap intervals cover the estimate and are seeded', () => {
    const cs = expand(bt.games, bt.systems);
    const a = bradleyTerryWithIntervals(cs, { resamples: 300, seed: 7 });
    const b = bradleyTerryWithIntervals(cs, { resamples: 300, seed: 7 });
    expect(a).toEqual(b);
    for (const e of a.estimates) {
      expect(e.ci![0]).toBeLessThan(e.strength!);
      expect(e.ci![1]).toBeGreaterThan(e.strength!);
    }
  });
});

describe('pairwise shares', async () => {
  const { clusteredShare: share } = await import('../src/stats/proportion.js');
  it('independent observations: Wilson', () => {
    const s = share([1, 1, 0, 1, 0, 1, 1], ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    const w = wilson(5, 7);
    expect(s.interval).toBe('wilson');
    expect(s.ci).toEqual(w.ci);
  });
  it('clustered: Wilson at the Korn–Graubard effective n (statsmodels cluster variance, mpmath t, statsmodels Wilson)', () => {
    const kg = ref.korn_graubard;
    const s = share(kg.y, kg.g);
    expect(s.value).toBeCloseTo(kg.p, 15);
    expect(s.effective_n!).toBeCloseTo(kg.effective_n, 11);
    expect(s.ci![0]).toBeCloseTo(kg.lo, 12);
    expect(s.ci![1]).toBeCloseTo(kg.hi, 12);
  });
  it('clustered at p = 0 does not collapse to a point (a cluster-robust Wald interval would)', () => {
    const s = share([0, 0, 0, 0, 0, 0], ['a', 'a', 'b', 'b', 'c', 'c']);
    expect(s.ci![0]).toBe(0);
    expect(s.ci![1]).toBeGreaterThan(0.2);
    expect(clusteredMean([0, 0, 0, 0, 0, 0], ['a', 'a', 'b', 'b', 'c', 'c']).ci).toEqual([0, 0]);
  });
});
