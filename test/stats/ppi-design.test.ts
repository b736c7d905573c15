import { describe, expect, it } from 'vitest';
import { ppiLambda } from '../../src/calibration/ppi.js';
import { tQuantile } from '../../src/stats/distributions.js';
import {
  PPI_MIN_LABELLED,
  ppiClusteredMeanInterval,
  ppiLambdaFromMoments,
  ppiMeanInterval,
  ppiPairedContrast,
  ppiStratifiedMeanInterval,
  stratifiedMean,
} from '../../src/stats/ppi-design.js';
import { seededRandom } from '../../src/stats/random.js';
import { JUDGE_SETTINGS, ppiSample } from '../../src/stats/simulate.js';

const moments = (xs: number[]) => {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  return { n, mean, m2: xs.reduce((a, b) => a + (b - mean) ** 2, 0) };
};

describe('λ as ppi_py computes it', () => {
  it("ppiLambdaFromMoments = calibration/ppi.ts's ppiLambda (checked against ppi_py there)", () => {
    const rand = seededRandom(3);
    for (const s of JUDGE_SETTINGS.slice(0, 6)) {
      const { y, f, fu } = ppiSample(s, 40, 500, rand);
      expect(ppiLambdaFromMoments(y, f, moments(fu))).toBeCloseTo(ppiLambda(y, f, fu), 13);
    }
  });
});

describe('ppiMeanInterval', () => {
  const rand = seededRandom(11);
  const ord = ppiSample(JUDGE_SETTINGS[0]!, 30, 1000, rand);
  const bin = ppiSample(JUDGE_SETTINGS[5]!, 30, 1000, rand);

  it('cross-fitted λ, t on n − 1, reproducible for a seed', () => {
    const a = ppiMeanInterval(ord.y, ord.f, ord.fu);
    const b = ppiMeanInterval(ord.y, ord.f, ord.fu);
    expect(a).toEqual(b);
    expect(a.df).toBe(29);
    expect(a.ci![1] - a.estimate!).toBeCloseTo(tQuantile(0.975, 29) * a.se!, 12);
    expect(a.interval).not.toMatch(/pseudo/);
    expect(ppiMeanInterval(ord.y, ord.f, ord.fu, { seed: 2 }).estimate).not.toBe(a.estimate);
  });

  it('0/1 outcomes: pseudo-pairs, interval clipped to [0, 1]', () => {
    const r = ppiMeanInterval(bin.y, bin.f, bin.fu);
    expect(r.interval).toMatch(/pseudo-pairs/);
    expect(r.ci![0]).toBeGreaterThanOrEqual(0);
    expect(r.ci![1]).toBeLessThanOrEqual(1);
  });

  it('a judge that agrees on every gold item still gets an interval of positive width (binary)', () => {
    const y = [...Array<number>(28).fill(0), 1, 1];
    const r = ppiMeanInterval(y, y, [...Array<number>(900).fill(0), ...Array<number>(100).fill(1)]);
    expect(r.ci![1] - r.ci![0]).toBeGreaterThan(0.02);
  });

  it('refuses below the minimum gold set, and without judge-only items', () => {
    const r = ppiMeanInterval([1, 2, 3], [1, 2, 3], [2, 3]);
    expect(r.ci).toBeNull();
    expect(r.reason).toMatch(new RegExp(`at least ${PPI_MIN_LABELLED} gold items`));
    expect(ppiMeanInterval(ord.y, ord.f, []).ci).toBeNull();
  });

  it('all-equal human scores and judge scores: a point (no variance), not NaN', () => {
    const r = ppiMeanInterval(
      Array<number>(12).fill(3),
      Array<number>(12).fill(4),
      Array<number>(50).fill(4),
    );
    expect(r.estimate).toBe(3);
    expect(r.ci).toEqual([3, 3]);
  });
});

describe('stratifiedMean: a hand-worked example', () => {
  // Stratum A: π = 0.1 (weight 10), y = 1, 2, 3: n = 3, N̂ = 30, ȳ = 2, s² = 1, fpc = 1 − 3/30 = 0.9
  // Stratum B: π = 0.5 (weight 2),  y = 4, 6:    n = 2, N̂ = 4,  ȳ = 5, s² = 2, fpc = 1 − 2/4 = 0.5
  // W = 30/34, 4/34; estimate = (30·2 + 4·5)/34 = 80/34
  // V_A = (30/34)² · 0.9 · 1/3 = 270/1156, V_B = (4/34)² · 0.5 · 2/2 = 8/1156, V = 278/1156
  // df = V² / (V_A²/2 + V_B²/1) = 278² / (270²/2 + 8²) = 77284 / 36514
  const items = [
    { y: 1, stratum: 'A', weight: 10 },
    { y: 2, stratum: 'A', weight: 10 },
    { y: 3, stratum: 'A', weight: 10 },
    { y: 4, stratum: 'B', weight: 2 },
    { y: 6, stratum: 'B', weight: 2 },
  ];
  it('point, standard error, df and interval', () => {
    const r = stratifiedMean(items);
    expect(r.estimate).toBeCloseTo(80 / 34, 14);
    expect(r.se).toBeCloseTo(Math.sqrt(278) / 34, 14);
    expect(r.df).toBeCloseTo(77284 / 36514, 12);
    const half = tQuantile(0.975, 77284 / 36514) * (Math.sqrt(278) / 34);
    expect(r.ci![0]).toBeCloseTo(80 / 34 - half, 12);
    expect(r.N).toBe(34);
  });

  it('0/1 outcomes add one pseudo-0 and one pseudo-1 to each stratum’s variance', () => {
    // A: y = 0, 0, 0, weight 5 → N̂ = 15, fpc = 0.8, s² from (0, 0, 0, 0, 1) = 0.2, V_A = (15/19)² · 0.8 · 0.2/3
    // B: y = 1, 0, weight 2 → N̂ = 4, fpc = 0.5, s² from (1, 0, 0, 1) = 1/3, V_B = (4/19)² · 0.5 · (1/3)/2
    const r = stratifiedMean([
      { y: 0, stratum: 'A', weight: 5 },
      { y: 0, stratum: 'A', weight: 5 },
      { y: 0, stratum: 'A', weight: 5 },
      { y: 1, stratum: 'B', weight: 2 },
      { y: 0, stratum: 'B', weight: 2 },
    ]);
    const v = (15 / 19) ** 2 * 0.8 * (0.2 / 3) + (4 / 19) ** 2 * 0.5 * (1 / 3 / 2);
    expect(r.estimate).toBeCloseTo((4 / 19) * 0.5, 14);
    expect(r.se).toBeCloseTo(Math.sqrt(v), 14);
    expect(
      stratifiedMean(
        [
          { y: 0, stratum: 'A', weight: 5 },
          { y: 0, stratum: 'A', weight: 5 },
        ],
        { binary: false },
      ).se,
    ).toBe(0);
  });

  it('a stratum with one gold item is refused (named), unless it is a census', () => {
    const r = stratifiedMean([...items, { y: 5, stratum: 'C', weight: 20 }]);
    expect(r.ci).toBeNull();
    expect(r.reason).toMatch(/stratum C has 1 gold item of 20/);
    const census = stratifiedMean([...items, { y: 5, stratum: 'C', weight: 1 }]);
    expect(census.ci).not.toBeNull();
  });

  it('weights that differ within a stratum are refused', () => {
    expect(
      stratifiedMean([
        { y: 1, stratum: 'A', weight: 2 },
        { y: 2, stratum: 'A', weight: 3 },
      ]).reason,
    ).toMatch(/differ/);
  });
});

describe('ppiStratifiedMeanInterval', () => {
  it('strata with fewer than 4 gold items use λ = 0: the weighted gold means (no FPC), weights from n + N', () => {
    // A: gold y = 1, 3 (f ignored), 8 judge-only → W_A = 10/15; B: gold y = 2, 4, 6, 2 judge-only → W_B = 5/15
    const labelled = [
      { y: 1, f: 2, stratum: 'A' },
      { y: 3, f: 3, stratum: 'A' },
      { y: 2, f: 2, stratum: 'B' },
      { y: 4, f: 5, stratum: 'B' },
      { y: 6, f: 5, stratum: 'B' },
    ];
    const unlabelled = [...Array(8).fill({ f: 2, stratum: 'A' }), ...Array(2).fill({ f: 4, stratum: 'B' })];
    const r = ppiStratifiedMeanInterval(labelled, unlabelled);
    const vA = (10 / 15) ** 2 * (2 / 2); // s² = 2, n = 2
    const vB = (5 / 15) ** 2 * (4 / 3); // s² = 4, n = 3
    expect(r.estimate).toBeCloseTo((10 / 15) * 2 + (5 / 15) * 4, 14);
    expect(r.se).toBeCloseTo(Math.sqrt(vA + vB), 14);
    expect(r.df).toBeCloseTo((vA + vB) ** 2 / (vA ** 2 / 1 + vB ** 2 / 2), 12);
  });

  it('refuses a stratum with one gold item, naming it', () => {
    const r = ppiStratifiedMeanInterval(
      [
        { y: 1, f: 1, stratum: 'A' },
        { y: 0, f: 0, stratum: 'A' },
        { y: 1, f: 1, stratum: 'rare' },
      ],
      [{ f: 1, stratum: 'rare' }],
    );
    expect(r.ci).toBeNull();
    expect(r.reason).toMatch(/stratum rare has 1 gold item/);
  });
});

describe('ppiClusteredMeanInterval', () => {
  it('with one item per cluster its standard error is ppiMeanInterval’s', () => {
    const { y, f, fu } = ppiSample(JUDGE_SETTINGS[1]!, 40, 800, seededRandom(5));
    const a = ppiMeanInterval(y, f, fu);
    const b = ppiClusteredMeanInterval(
      y.map((v, i) => ({ y: v, f: f[i]!, cluster: String(i) })),
      fu.map((v) => ({ f: v })),
    );
    expect(b.estimate).toBeCloseTo(a.estimate!, 13);
    expect(b.se).toBeCloseTo(a.se!, 13);
    expect(b.df!).toBeGreaterThanOrEqual(a.df!);
  });

  it('refuses below 10 gold clusters', () => {
    const labelled = Array.from({ length: 30 }, (_, i) => ({
      y: i % 5,
      f: (i + 1) % 5,
      cluster: `p${i % 6}`,
    }));
    const r = ppiClusteredMeanInterval(labelled, [{ f: 2 }]);
    expect(r.ci).toBeNull();
    expect(r.reason).toMatch(/at least 10 gold clusters and one item without gold \(has 6 and 1\)/);
  });
});

describe('ppiPairedContrast', () => {
  const gold = Array.from({ length: 12 }, (_, i) => ({
    human: (i % 4) - 1,
    judge: (i % 4) - 0.5 + (i % 3) * 0.1,
  }));
  const judgeOnly = Array.from({ length: 50 }, (_, i) => (i % 7) / 3 - 0.5);
  it('per-prompt contrasts through PPI++ with t on prompts − 1', () => {
    const r = ppiPairedContrast(gold, judgeOnly);
    const plain = ppiMeanInterval(
      gold.map((g) => g.human),
      gold.map((g) => g.judge),
      judgeOnly,
      { binary: false },
    );
    expect(r.ci).toEqual(plain.ci);
    expect(r.df).toBe(11);
  });
  it('refuses below 10 gold prompts, with the reason', () => {
    const r = ppiPairedContrast(gold.slice(0, 9), judgeOnly);
    expect(r.ci).toBeNull();
    expect(r.reason).toMatch(/at least 10 gold prompts for a paired contrast \(has 9\)/);
  });
});
