import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { altTest, type MultiRatedItem } from '../../src/calibration/alt-test.js';
import { applyMapping, evaluateMapping, fitIsotonic, fitLinear } from '../../src/calibration/mapping.js';
import { groupLevel, withCi } from '../../src/calibration/metrics.js';
import { ppiMean } from '../../src/calibration/ppi.js';
import {
  agreementRate,
  confusionMatrix,
  krippendorffAlpha,
  meanAbsoluteError,
  meanBias,
  quadraticWeightedKappa,
} from '../../src/stats/agreement.js';
import { bootstrapCi } from '../../src/stats/bootstrap.js';
import { averageRanks, kendallTauB, pearson, spearman } from '../../src/stats/correlation.js';
import { benjaminiYekutieli } from '../../src/stats/multiple-testing.js';
import { normalFrom, seededRandom } from '../../src/stats/random.js';

/**
 * Reference values computed independently with Debian bookworm's Python:
 *   /usr/bin/python3 test/reference/calibration_reference.py > test/reference/calibration.json
 * scipy 1.10.1, scikit-learn 1.2.1, statsmodels 0.13.5. Scalar expectations are copied inline
 * below; the JSON supplies the larger generated inputs (and holds every output for inspection).
 */
const REF = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'reference', 'calibration.json'), 'utf8'),
);

const J = [1, 2, 2, 3, 4, 4, 5, 3, 2, 5, 1, 4];
const H = [1, 1, 2, 3, 5, 4, 4, 3, 3, 5, 2, 4];

describe('correlations against scipy 1.10.1', () => {
  it('pearson, spearman (average ranks) and kendall tau-b with ties', () => {
    expect(pearson(J, H)).toBeCloseTo(0.8857191259963512, 12); // scipy.stats.pearsonr
    expect(spearman(J, H)).toBeCloseTo(0.8999999999999999, 12); // scipy.stats.spearmanr
    expect(kendallTauB(J, H)).toBeCloseTo(0.8070175438596491, 12); // scipy.stats.kendalltau(variant="b")
  });
  it('kendall tau-b, O(n log n), on 2000 pairs with heavy ties', () => {
    expect(kendallTauB(REF.kendall_big.x, REF.kendall_big.y)).toBeCloseTo(0.7441095179990606, 12);
  });
  it('average ranks for ties (worked example)', () => {
    expect(averageRanks([10, 20, 20, 30, 20])).toEqual([1, 3, 3, 5, 3]);
  });
  it('is null, not NaN, when undefined: n = 1, n = 2 constant, a constant vector', () => {
    expect(pearson([1], [2])).toBeNull();
    expect(spearman([1, 1], [1, 2])).toBeNull();
    expect(kendallTauB([3, 3, 3], [1, 2, 3])).toBeNull();
    expect(pearson([1, 2], [3, 5])).toBe(1); // n = 2 is defined: two points are always collinear
    expect(kendallTauB([1, 2], [2, 1])).toBe(-1);
  });
});

describe('agreement statistics', () => {
  it('quadratic-weighted kappa equals sklearn cohen_kappa_score(weights="quadratic", labels=1..5)', () => {
    expect(quadraticWeightedKappa(J, H, 1, 5)).toBeCloseTo(0.8837209302325582, 12);
  });
  it('MAE and bias (numpy)', () => {
    expect(meanAbsoluteError(J, H)).toBeCloseTo(0.4166666666666667, 12);
    expect(meanBias(J, H)).toBeCloseTo(-0.08333333333333333, 12);
  });
  it('exact and within-one agreement, confusion matrix (counted by hand)', () => {
    // pairs equal at 7 of 12 positions, every pair within one point
    expect(agreementRate(J, H, 1, 5, 0)).toBeCloseTo(7 / 12, 12);
    expect(agreementRate(J, H, 1, 5, 1)).toBe(1);
    const cm = confusionMatrix(J, H, 1, 5);
    expect(cm.counts.flat().reduce((a, b) => a + b, 0)).toBe(12);
    expect(cm.counts[0]).toEqual([1, 1, 0, 0, 0]); // human 1: judge said 1 once and 2 once
  });
  it("Krippendorff's alpha equals the published worked example (Krippendorff 2011, 4 coders, 12 units, missing data)", () => {
    // "Computing Krippendorff's Alpha-Reliability" (2011), the reliability data matrix of its section C:
    // interval α = 0.849, ordinal α = 0.815.
    const A = [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null];
    const B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3];
    const C = [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null];
    const D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null];
    const units = A.map((_, i) => [A[i], B[i], C[i], D[i]].filter((v): v is number => v !== null));
    expect(krippendorffAlpha(units, 'interval')).toBeCloseTo(0.849, 3);
    expect(krippendorffAlpha(units, 'ordinal')).toBeCloseTo(0.815, 3);
  });
  it('alpha and kappa are null on constant data', () => {
    expect(
      krippendorffAlpha(
        [
          [3, 3],
          [3, 3],
        ],
        'interval',
      ),
    ).toBeNull();
    expect(quadraticWeightedKappa([2, 2], [2, 2], 1, 5)).toBeNull();
  });
});

describe('mapping', () => {
  it('isotonic regression equals sklearn IsotonicRegression(out_of_bounds="clip")', () => {
    const m = fitIsotonic(REF.isotonic.x, REF.isotonic.y);
    const pred = REF.isotonic.at.map((v: number) => applyMapping(m, v));
    // sklearn 1.2.1: [1.0, 1.0, 1.6666666666666667, 2.3333333333333335, 2.3333333333333335, 2.3333333333333335, 4.0, 4.0, 6.0, 6.0]
    const expected = [
      1.0, 1.0, 1.6666666666666667, 2.3333333333333335, 2.3333333333333335, 2.3333333333333335, 4.0, 4.0, 6.0,
      6.0,
    ];
    pred.forEach((p: number, i: number) => {
      expect(p).toBeCloseTo(expected[i]!, 12);
    });
  });
  it('least squares equals numpy.polyfit(deg=1)', () => {
    const m = fitLinear(REF.isotonic.x, REF.isotonic.y);
    expect(m).toMatchObject({ method: 'linear' });
    if (m.method !== 'linear') throw new Error();
    expect(m.slope).toBeCloseTo(0.8181818181818183, 12);
    expect(m.intercept).toBeCloseTo(0.3863636363636357, 12);
  });
  it('reports cross-validated error beside in-sample error, and the gap shows overfitting', () => {
    const rand = seededRandom(5);
    const x = Array.from({ length: 60 }, () => Math.floor(rand() * 40));
    const y = x.map(() => rand() * 4); // pure noise: nothing to learn
    const e = evaluateMapping('isotonic', x, y, 5, 1);
    expect(e.cross_validated!.rmse).toBeGreaterThan(e.in_sample.rmse);
  });
});

describe('Benjamini–Yekutieli', () => {
  it('equals statsmodels multipletests(method="fdr_by")', () => {
    const expected = [
      0.02174285714285714, 0.08697142857142856, 0.18264, 0.18264, 0.18264, 0.21742857142857142,
      0.22985306122448976, 0.5571607142857142,
    ];
    benjaminiYekutieli(REF.by.p).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 12);
    });
  });
});

describe('alternative-annotator test', () => {
  it('matches an independent numpy/scipy/statsmodels implementation of the procedure', () => {
    const { judge, ratings, epsilon } = REF.alt_test;
    const items: MultiRatedItem[] = judge.map((j: number, i: number) => ({
      id: String(i),
      judge: j,
      ratings: new Map(
        Object.entries(ratings as Record<string, number[]>)
          .filter(([, v]) => v[i]! >= 0)
          .map(([r, v]) => [r, v[i]!] as [string, number]),
      ),
    }));
    const r = altTest(items, { epsilon, q: 0.05, minItems: 10, labels: 'numeric' });
    const p = [0.0014734580308280517, 0.005755461653241179, 0.012464810720661194];
    const padj = [0.008104019169554284, 0.015827519546413243, 0.022852152987878852];
    const win = [0.85, 0.825, 0.8888888888888888];
    r.annotators.forEach((a, i) => {
      // jStat's t distribution is accurate to about 1e-10
      expect(a.p).toBeCloseTo(p[i]!, 9);
      expect(a.p_adjusted).toBeCloseTo(padj[i]!, 9);
      expect(a.judge_win_rate).toBeCloseTo(win[i]!, 12);
    });
    expect(r.winning_rate).toBe(1);
    expect(r.advantage_probability).toBeCloseTo(0.8546296296296295, 12);
    expect(r.passed).toBe(true);
  });
  it('leaves out annotators with too few items and says so', () => {
    const items: MultiRatedItem[] = [
      {
        id: '1',
        judge: 3,
        ratings: new Map([
          ['a', 3],
          ['b', 4],
        ]),
      },
    ];
    const r = altTest(items, { epsilon: 0.2, q: 0.05, minItems: 30, labels: 'numeric' });
    expect(r.excluded).toEqual([
      { annotator: 'a', n: 1 },
      { annotator: 'b', n: 1 },
    ]);
    expect(r.passed).toBeNull();
  });
});

describe('prediction-powered inference (PPI++)', () => {
  it('equals the ppi_py formulas computed in numpy', () => {
    const r = ppiMean(REF.ppi.Y, REF.ppi.f, REF.ppi.fu, 0.05)!;
    // ddof = 1 in Var(f ∪ f̃) since the reference script was corrected (it had ddof 0 before)
    expect(r.lambda).toBeCloseTo(REF.ppi.lambda, 12);
    expect(r.estimate).toBeCloseTo(REF.ppi.estimate, 12);
    expect(r.ci[0]).toBeCloseTo(REF.ppi.ci[0], 12);
    expect(r.ci[1]).toBeCloseTo(REF.ppi.ci[1], 12);
    expect(r.classical.ci[0]).toBeCloseTo(2.7221705414087123, 9);
    expect(r.classical.ci[1]).toBeCloseTo(3.3275554319611946, 9);
    expect(r.effective_sample_size_gain).toBeGreaterThan(1);
  });
  it('is null with fewer than 2 labelled items', () => {
    expect(ppiMean([1], [1], [1, 2])).toBeNull();
  });
});

describe('coverage of the 95% intervals in 1,000 seeded simulations with a known truth', () => {
  it('the bootstrap CI of the judge bias covers the true bias in at least 93%', () => {
    const rand = seededRandom(2026);
    const trueBias = 0.3;
    let covered = 0;
    const sims = 1000;
    for (let s = 0; s < sims; s++) {
      const n = 80;
      const human = Array.from({ length: n }, () => 3 + normalFrom(rand));
      const judge = human.map((h) => h + trueBias + 0.8 * normalFrom(rand));
      const r = withCi(meanBias, judge, human, { resamples: 400, seed: s });
      if (r.ci && r.ci[0] <= trueBias && trueBias <= r.ci[1]) covered += 1;
    }
    expect(covered / sims).toBeGreaterThanOrEqual(0.93);
  });
  it('the PPI interval covers the true mean in at least 93%', () => {
    const rand = seededRandom(99);
    const trueMean = 3;
    let covered = 0;
    const sims = 1000;
    for (let s = 0; s < sims; s++) {
      const draw = () => {
        const y = trueMean + normalFrom(rand);
        return { y, f: 0.7 * y + 1.4 + 0.6 * normalFrom(rand) }; // a biased, noisy judge
      };
      const lab = Array.from({ length: 60 }, draw);
      const un = Array.from({ length: 600 }, draw);
      const r = ppiMean(
        lab.map((d) => d.y),
        lab.map((d) => d.f),
        un.map((d) => d.f),
      )!;
      if (r.ci[0] <= trueMean && trueMean <= r.ci[1]) covered += 1;
    }
    expect(covered / sims).toBeGreaterThanOrEqual(0.93);
  });
});

describe('bootstrap and levels', () => {
  it('is reproducible from the seed and differs across seeds', () => {
    const stat = (idx: number[]) => idx.reduce((s, i) => s + J[i]!, 0) / idx.length;
    const a = bootstrapCi(J.length, stat, { resamples: 200, seed: 1 });
    expect(bootstrapCi(J.length, stat, { resamples: 200, seed: 1 })).toEqual(a);
    expect(bootstrapCi(J.length, stat, { resamples: 200, seed: 2 })).not.toEqual(a);
  });
  it('group level averages within-group correlations and skips constant groups', () => {
    const r = groupLevel(
      [
        { judge: [1, 2, 3], human: [1, 2, 3] }, // r = 1
        { judge: [1, 2, 3], human: [3, 2, 1] }, // r = −1
        { judge: [2, 2, 2], human: [1, 2, 3] }, // constant judge: skipped
        { judge: [1, 2, 3, 4], human: [1, 3, 2, 4] }, // r = 0.8
      ],
      { resamples: 100, seed: 1 },
    ) as Record<string, { value: number }>;
    expect(r.pearson!.value).toBeCloseTo((1 - 1 + 0.8) / 3, 12);
    expect((r.pearson as unknown as { groups_used: number }).groups_used).toBe(3);
    expect(r.groups_total).toBe(4);
  });
});
