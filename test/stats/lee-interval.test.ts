import { describe, expect, it } from 'vitest';
import { roganGladen } from '../../src/calibration/prevalence.js';
import { deltaMethodPrevalence, leeInterval, leeIntervalFromVerdicts } from '../../src/stats/lee-interval.js';
import ref from '../reference/lee.json' with { type: 'json' };

// Reference: Lee et al.'s own package RUN on each case (github.com/UW-Madison-Lee-Lab/LLM-judge-reporting,
// commit 082884d075188bed2f2645234fa2cc3050a517c5, llm_judge_reporting/calibration.py):
//   LEE_REPO=/path/to/checkout python3 test/reference/lee_reference.py > test/reference/lee.json
// with Python 3.11.7, numpy 2.4.6, scipy 1.17.1.
describe("Lee et al.'s interval = their package", () => {
  for (const c of ref.cases.filter((c) => !c.name.includes('plumb refuses'))) {
    it(c.name, () => {
      const r = leeInterval(c, c.alpha);
      if (c.estimate === null) expect(r.estimate).toBeNull();
      else expect(Math.abs(r.estimate! - c.estimate)).toBeLessThan(1e-14);
      expect(Math.abs(r.ci![0] - c.lower)).toBeLessThan(1e-14);
      expect(Math.abs(r.ci![1] - c.upper)).toBeLessThan(1e-14);
      expect(r.ci![0]).toBeGreaterThanOrEqual(0);
      expect(r.ci![1]).toBeLessThanOrEqual(1);
    });
  }

  it('refuses where the package returns an inverted interval (smoothed q0 + q1 ≤ 1)', () => {
    const c = ref.cases.find((c) => c.name.includes('plumb refuses'))!;
    expect(c.lower).toBeGreaterThan(c.upper); // what the package returns
    const r = leeInterval(c);
    expect(r.ci).toBeNull();
    expect(r.reason).toMatch(/no information/);
  });

  it('flags the [0, 0] / [1, 1] intervals the package returns when the centre is far outside', () => {
    const c = ref.cases.find((c) => c.name === 'estimate clipped at 0')!;
    expect(leeInterval(c).degenerate).toBe(true);
    expect(leeInterval(ref.cases[0]!).degenerate).toBeUndefined();
  });

  it('refuses without gold on both sides or without test items', () => {
    expect(leeInterval({ p: 0.5, q0: 0.9, q1: 0.9, n: 10, m0: 0, m1: 5 }).ci).toBeNull();
    expect(leeInterval({ p: 0.5, q0: 0.9, q1: 0.9, n: 0, m0: 5, m1: 5 }).ci).toBeNull();
  });

  it('from verdicts: every item in gold', () => {
    // 40 gold fails (36 judged fail), 60 gold passes (51 judged pass); the test set is the gold set
    const gold = [
      ...Array.from({ length: 36 }, () => ({ judge: 0, human: 0 })),
      ...Array.from({ length: 4 }, () => ({ judge: 1, human: 0 })),
      ...Array.from({ length: 51 }, () => ({ judge: 1, human: 1 })),
      ...Array.from({ length: 9 }, () => ({ judge: 0, human: 1 })),
    ];
    const r = leeIntervalFromVerdicts(
      gold.map((g) => g.judge),
      gold,
    );
    const c = ref.cases.find((c) => c.name === 'every item in gold')!;
    expect(Math.abs(r.ci![0] - c.lower)).toBeLessThan(1e-14);
    expect(Math.abs(r.ci![1] - c.upper)).toBeLessThan(1e-14);
  });
});

describe('the plain delta-method interval keeps its own name', () => {
  it("is prevalence.ts's delta_method figure; its `corrected` interval is Lee et al.'s (their package)", () => {
    const judgeTest = [...Array(70).fill(1), ...Array(30).fill(0)];
    const gold = [
      ...Array.from({ length: 18 }, () => ({ judge: 0, human: 0 })),
      ...Array.from({ length: 2 }, () => ({ judge: 1, human: 0 })),
      ...Array.from({ length: 25 }, () => ({ judge: 1, human: 1 })),
      ...Array.from({ length: 5 }, () => ({ judge: 0, human: 1 })),
    ];
    const r = roganGladen(judgeTest, gold);
    const d = deltaMethodPrevalence({ p: 0.7, q0: 0.9, q1: 25 / 30, n: 100, m0: 20, m1: 30 })!;
    expect(r.delta_method).toEqual(d);
    // Lee et al.'s package: confidence_interval(0.7, 0.9, 25/30, 100, 20, 30) = (0.6316529624397358, 1.0),
    // point_estimator = 0.8181818181818182
    expect(r.corrected!.estimate).toBeCloseTo(0.8181818181818182, 14);
    expect(Math.abs(r.corrected!.ci[0] - 0.6316529624397358)).toBeLessThan(1e-14);
    expect(r.corrected!.ci[1]).toBe(1);
  });

  it('collapses to a point at p̂ = 0 with a perfect calibration set (why Lee et al. smooth)', () => {
    const input = { p: 0, q0: 1, q1: 1, n: 200, m0: 30, m1: 30 };
    expect(deltaMethodPrevalence(input)!.ci).toEqual([0, 0]);
    const lee = leeInterval(input);
    expect(lee.ci![1]).toBeGreaterThan(0.005);
  });
});
