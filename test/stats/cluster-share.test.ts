import { describe, expect, it } from 'vitest';
import { betaQuantile } from '../../src/stats/beta.js';
import {
  clusteredProportion,
  clusteredProportionFromSummaries,
  clusteredProportionFromSums,
} from '../../src/stats/cluster-share.js';
import { cr2DfExchangeable, cr2Mean } from '../../src/stats/cr2.js';
import ref from '../reference/cr2.json' with { type: 'json' };

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('betaQuantile = scipy 1.17.1 scipy.stats.beta.ppf', () => {
  // python3 -c "from scipy.stats import beta; print(repr(beta.ppf(p, a, b)))", scipy 1.17.1
  const cases: [number, number, number, number][] = [
    [0.025, 2.5, 10.5, 0.03633775639867184],
    [0.975, 3.5, 9.5, 0.5291910836265507],
    [0.975, 1, 40, 0.08809730287880237],
    [0.025, 0.3, 7.2, 4.646882039350911e-7],
    [0.5, 20, 30, 0.39865634626322427],
    [0.975, 1.001, 5.5, 0.4888192087773824],
  ];
  for (const [p, a, b, q] of cases)
    it(`Beta(${a}, ${b}) at ${p}`, () => {
      expect(rel(betaQuantile(p, a, b), q)).toBeLessThan(1e-12);
    });
});

/** The exchangeable-model df by brute force: the N-vectors p_g and Φ built explicitly (y ~ 1). */
function bruteForceDf(sizes: number[], rho: number): number {
  const N = sizes.reduce((a, b) => a + b, 0);
  const cl: number[] = sizes.flatMap((m, g) => Array<number>(m).fill(g));
  // Φ: 1 on the diagonal, ρ within a cluster
  const phi = (i: number, j: number) => (i === j ? 1 : cl[i] === cl[j] ? rho : 0);
  // p_g = (I − J/N)[:, g] · A_g 1/N with A_g 1 = (1 − n_g/N)^{-1/2} 1
  const P = sizes.map((m, g) => {
    const c = 1 / Math.sqrt(1 - m / N);
    return Array.from({ length: N }, (_, i) => (c / N) * ((cl[i] === g ? 1 : 0) - m / N));
  });
  const quad = (a: number[], b: number[]) => {
    let s = 0;
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) s += a[i]! * phi(i, j) * b[j]!;
    return s;
  };
  let num = 0;
  let den = 0;
  for (let g = 0; g < sizes.length; g++)
    for (let h = 0; h < sizes.length; h++) {
      const v = quad(P[g]!, P[h]!);
      if (g === h) num += v;
      den += v * v;
    }
  return (num * num) / den;
}

describe('cr2DfExchangeable', () => {
  it('at ρ = 0 is clubSandwich 0.5.8’s Satterthwaite df', () => {
    for (const d of ref.means) {
      const sizes = [...new Set(d.g)].map((g) => d.g.filter((x) => x === g).length);
      expect(rel(cr2DfExchangeable(sizes, 0), d.df)).toBeLessThan(1e-10);
    }
  });

  it('equals the brute-force N×N computation at ρ = 0.3 and 0.8', () => {
    for (const rho of [0.3, 0.8]) {
      const sizes = [7, 1, 3, 2, 9, 1];
      expect(rel(cr2DfExchangeable(sizes, rho), bruteForceDf(sizes, rho))).toBeLessThan(1e-12);
    }
  });

  it('is used by cr2Mean(…, "exchangeable") with the ANOVA ICC, and falls to G − 1 for equal sizes', () => {
    const ys = [1, 1.2, 0.9, 3, 3.3, 2.8, 0.1, 0.3, 0.2, 2, 2.2];
    const gs = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4];
    const ind = cr2Mean(ys, gs);
    const exch = cr2Mean(ys, gs, 0.95, 'exchangeable');
    expect(exch.se).toBe(ind.se);
    expect(exch.df!).toBeLessThan(ind.df!);
    const eq = cr2Mean([1, 2, 3, 4, 5, 9], [1, 1, 2, 2, 3, 3], 0.95, 'exchangeable');
    expect(eq.df!).toBeCloseTo(2, 10);
  });
});

describe('clusteredProportion', () => {
  it('one item per cluster: Clopper–Pearson at n* = n − 1 (scipy beta.ppf)', () => {
    // 3 passes of 20, independent: V_CR2 = p(1−p)/(n−1), so n* = 19 and the df factor is 1;
    // scipy 1.17.1: beta.ppf(0.025, 2.85, 17.15), beta.ppf(0.975, 3.85, 16.15)
    const ys = [1, 1, 1, ...Array<number>(17).fill(0)];
    const r = clusteredProportion(
      ys,
      ys.map((_, i) => i),
    );
    expect(r.effective_n!).toBeCloseTo(19, 10);
    expect(rel(r.ci![0], 0.030273402290428887)).toBeLessThan(1e-10);
    expect(rel(r.ci![1], 0.38644768830094794)).toBeLessThan(1e-10);
  });

  it('never leaves [0, 1]; p̂ = 0 and 1 get one-sided intervals from the number of clusters', () => {
    const gs = [1, 1, 1, 1, 2, 2, 3, 4, 4, 4, 5];
    const zero = clusteredProportion(Array<number>(11).fill(0), gs);
    expect(zero.ci![0]).toBe(0);
    expect(zero.ci![1]).toBeGreaterThan(0.3); // n* from 5 clusters, not 11 items
    const one = clusteredProportion(Array<number>(11).fill(1), gs);
    expect(one.ci![1]).toBe(1);
    expect(one.ci![0]).toBeLessThan(0.7);
    const rare = clusteredProportion([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], gs);
    expect(rare.ci![0]).toBeGreaterThanOrEqual(0);
    expect(rare.ci![1]).toBeLessThanOrEqual(1);
    expect(rare.ci![0]).toBeLessThan(1 / 11);
  });

  it('refuses one cluster, no values and values that are not 0/1', () => {
    expect(clusteredProportion([1, 0, 1], ['a', 'a', 'a']).reason).toMatch(/one cluster/);
    expect(clusteredProportion([], []).reason).toBe('no values');
    expect(clusteredProportion([0.5, 1], ['a', 'b']).reason).toMatch(/0\/1/);
  });

  it('the summary form equals the array form', () => {
    const ys = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0];
    const gs = ['a', 'a', 'b', 'b', 'b', 'c', 'd', 'd', 'e', 'e'];
    const a = clusteredProportion(ys, gs);
    const b = clusteredProportionFromSummaries([
      { n: 2, sum: 1 },
      { n: 3, sum: 2 },
      { n: 1, sum: 0 },
      { n: 2, sum: 0 },
      { n: 2, sum: 1 },
    ]);
    expect(b.ci).toEqual(a.ci);
  });
});

describe('streaming: Cr2Moments summaries feed the clustered share', () => {
  it('values without a cluster count as clusters of one, as in the array form', async () => {
    const { Cr2Moments } = await import('../../src/stats/cr2.js');
    const ys = [1, 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0];
    const gs = ['a', 'a', 'b', 'b', 'b', 'c', 'd', 'e', 'f', 'f', 'g', 'h'];
    const alone = new Set(['c', 'd', 'e', 'g', 'h']);
    const m = new Cr2Moments();
    ys.forEach((y, i) => {
      m.push(y, alone.has(gs[i]!) ? null : gs[i]);
    });
    const { clusters, singles } = m.summaries();
    const streamed = clusteredProportionFromSums(clusters, 0.95, singles);
    const array = clusteredProportion(ys, gs);
    expect(streamed.clusters).toBe(array.clusters);
    expect(streamed.df!).toBeCloseTo(array.df!, 12);
    expect(streamed.ci![0]).toBeCloseTo(array.ci![0], 12);
    expect(streamed.ci![1]).toBeCloseTo(array.ci![1], 12);
    // and the exchangeable-model CR2 mean streams too
    const exch = m.estimate(0.95, 'exchangeable');
    expect(exch.df!).toBeCloseTo(cr2Mean(ys, gs, 0.95, 'exchangeable').df!, 12);
  });
});

describe('clipToRange', () => {
  it('clips to the parameter space and says so', async () => {
    const { clipToRange } = await import('../../src/stats/cr2.js');
    expect(clipToRange([-0.1, 0.4], [0, 1])).toEqual({ ci: [0, 0.4], clipped: true });
    expect(clipToRange([0.1, 0.4], [0, 1])).toEqual({ ci: [0.1, 0.4], clipped: false });
    expect(clipToRange(null, [0, 1])).toEqual({ ci: null, clipped: false });
  });
});
