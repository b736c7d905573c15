import { describe, expect, it } from 'vitest';
import { ppiMean } from '../../src/calibration/ppi.js';
import { clusteredProportion } from '../../src/stats/cluster-share.js';
import { cr2Mean } from '../../src/stats/cr2.js';
import type { Interval } from '../../src/stats/descriptive.js';
import { tQuantile } from '../../src/stats/distributions.js';
import {
  ppiClusteredMeanInterval,
  ppiMeanInterval,
  ppiStratifiedMeanInterval,
  stratifiedMean,
} from '../../src/stats/ppi-design.js';
import { seededRandom } from '../../src/stats/random.js';
import {
  clusteredBinary,
  clusteredContinuous,
  clusterSizes,
  drawPair,
  JUDGE_SETTINGS,
  type JudgeSetting,
  ppiSample,
  settingMean,
  wholePromptMean,
  wholePromptSample,
} from '../../src/stats/simulate.js';

/**
 * CI-sized versions of bench/coverage.mjs (which runs ≥ 2,000 replications per cell and prints the
 * table): 300 replications of the hardest cells, asserting coverage ≥ 90 % (94 % less about three
 * Monte-Carlo standard errors) — loose, but it fails if an interval breaks. Seeded.
 */
const REPS = 300;
function coverage(
  seed: number,
  draw: (rand: () => number) => { truth: number; ci: Interval | null },
): number {
  const rand = seededRandom(seed);
  let hit = 0;
  let used = 0;
  for (let r = 0; r < REPS; r++) {
    const { truth, ci } = draw(rand);
    if (!ci) continue;
    used += 1;
    if (ci[0] <= truth && truth <= ci[1]) hit += 1;
  }
  return hit / used;
}

/** CR1 with t(G − 1), what plumb printed before #21: from cr2Mean's CR1 standard error. */
function cr1(ys: number[], gs: (string | number)[]): [number, number] | null {
  const r = cr2Mean(ys, gs);
  if (r.se_cr1 === undefined || r.value === null) return null;
  const h = tQuantile(0.975, r.clusters - 1) * r.se_cr1;
  return [r.value - h, r.value + h];
}

describe('coverage, CI-sized (bench/coverage.mjs has the full table)', () => {
  it('cluster mean, G = 10 with one dominant cluster, ICC 0.2, skewed: CR2 (exchangeable df) ≥ 90 %, above CR1', () => {
    const draw = (which: 'cr1' | 'cr2') => (rand: () => number) => {
      const { ys, gs } = clusteredContinuous(clusterSizes(10), 0.2, true, rand);
      return {
        truth: 0,
        ci: which === 'cr1' ? cr1(ys, gs) : cr2Mean(ys, gs, 0.95, 'exchangeable').ci,
      };
    };
    const cr2 = coverage(1, draw('cr2'));
    expect(cr2).toBeGreaterThanOrEqual(0.9);
    expect(cr2).toBeGreaterThan(coverage(1, draw('cr1')));
  });

  it('clustered share, G = 5 and 20, p = 0.05, ICC 0.2: clusteredProportion ≥ 90 % and inside [0, 1]', () => {
    for (const G of [5, 20]) {
      const c = coverage(2 + G, (rand) => {
        const { ys, gs } = clusteredBinary(clusterSizes(G), 0.05, 0.2, rand);
        const ci = clusteredProportion(ys, gs).ci!;
        expect(ci[0]).toBeGreaterThanOrEqual(0);
        expect(ci[1]).toBeLessThanOrEqual(1);
        return { truth: 0.05, ci };
      });
      expect(c).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('PPI++ at n = 30: ppiMeanInterval ≥ 90 % where the CLT interval is far below', () => {
    for (const s of [JUDGE_SETTINGS[3]!, JUDGE_SETTINGS[4]!, JUDGE_SETTINGS[8]!]) {
      const mine = coverage(7, (rand) => {
        const { y, f, fu } = ppiSample(s, 30, 1000, rand);
        return { truth: settingMean(s), ci: ppiMeanInterval(y, f, fu).ci };
      });
      expect(mine).toBeGreaterThanOrEqual(0.9);
    }
    const clt = coverage(7, (rand) => {
      const { y, f, fu } = ppiSample(JUDGE_SETTINGS[4]!, 30, 1000, rand);
      return { truth: settingMean(JUDGE_SETTINGS[4]!), ci: ppiMean(y, f, fu)?.ci ?? null };
    });
    expect(clt).toBeLessThan(0.85); // the interval this replaces: 5 % pass rate, n = 30
  });

  it('PPI++ with whole prompts in gold (10 prompts, ~30 items): ≥ 90 %', () => {
    const s = JUDGE_SETTINGS[0]!;
    const truth = wholePromptMean(s, seededRandom(99), 100_000);
    const c = coverage(8, (rand) => {
      const { labelled, unlabelled } = wholePromptSample(s, 10, 100, [2, 3, 4, 3, 2, 5, 3, 2, 4, 2], rand);
      return { truth, ci: ppiClusteredMeanInterval(labelled, unlabelled).ci };
    });
    expect(c).toBeGreaterThanOrEqual(0.9);
  });

  it('Neyman-allocated strata 600/300/80/20, n = 30 (13/10/5/2): stratified gold mean and stratified PPI++ ≥ 90 %', () => {
    const sizes = [600, 300, 80, 20];
    const alloc = [13, 10, 5, 2];
    const strata: JudgeSetting[] = [
      { name: 'a', kind: 'binary', pi: 0.92, sens: 0.97, spec: 0.6 },
      { name: 'b', kind: 'binary', pi: 0.75, sens: 0.9, spec: 0.8 },
      { name: 'c', kind: 'binary', pi: 0.45, sens: 0.8, spec: 0.85 },
      { name: 'd', kind: 'binary', pi: 0.2, sens: 0.7, spec: 0.9 },
    ];
    const draw = (which: 'gold' | 'ppi') => (rand: () => number) => {
      const labelled: { y: number; f: number; stratum: string; weight: number }[] = [];
      const unlabelled: { f: number; stratum: string }[] = [];
      let total = 0;
      strata.forEach((s, k) => {
        for (let i = 0; i < sizes[k]!; i++) {
          const [y, f] = drawPair(s, rand);
          total += y;
          if (i < alloc[k]!) labelled.push({ y, f, stratum: `s${k}`, weight: sizes[k]! / alloc[k]! });
          else unlabelled.push({ f, stratum: `s${k}` });
        }
      });
      return {
        truth: total / 1000,
        ci:
          which === 'gold' ? stratifiedMean(labelled).ci : ppiStratifiedMeanInterval(labelled, unlabelled).ci,
      };
    };
    expect(coverage(9, draw('gold'))).toBeGreaterThanOrEqual(0.9);
    expect(coverage(9, draw('ppi'))).toBeGreaterThanOrEqual(0.9);
  });
});
