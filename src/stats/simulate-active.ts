import {
  residualSpreadByScore,
  uncertaintyFromOrders,
  uncertaintyFromPanel,
  uncertaintyFromResidualSpread,
  uncertaintyFromSamples,
} from './active.js';
import { normalFrom } from './random.js';

/** N items drawn one after another: each its human value, judge value and uncertainty signal. */
function drawItems(
  N: number,
  item: () => [y: number, f: number, u: number | null],
): { y: number[]; f: number[]; u: (number | null)[] } {
  const y: number[] = [];
  const f: number[] = [];
  const u: (number | null)[] = [];
  for (let i = 0; i < N; i++) {
    const [yi, fi, ui] = item();
    y.push(yi);
    f.push(fi);
    u.push(ui);
  }
  return { y, f, u };
}

import { betaDraw, type JudgeSetting, type Rand, settingMean } from './simulate.js';

/**
 * Seeded populations for the active-sampling simulations (bench/active.mjs and the CI-sized
 * test/stats/active-coverage.test.ts): N judged items, each with its human score y (unknown to the
 * design until rated), the judge's score f on the human scale and an uncertainty signal u computed
 * by the same helpers plumb uses on score lines (sample spread, panel disagreement, order
 * disagreement, calibrated residual spread). `mean` is the population mean of y (the estimand).
 */

export interface ActivePopulation {
  y: number[];
  f: number[];
  u: (number | null)[];
}

export interface ActiveSetting {
  name: string;
  /** The human scale. */
  range: [number, number];
  /** E[y] of the population the items are drawn from. */
  mean: number;
  /** Which signal u is. */
  signal: 'samples' | 'panel' | 'orders' | 'residual';
  /** Planted heteroscedastic judge error (true) or one of simulate.ts's judge-versus-human settings. */
  planted: boolean;
  draw(N: number, rand: Rand): ActivePopulation;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function ordinalDraw(probs: readonly number[], rand: Rand): number {
  const u = rand();
  let c = 0;
  for (let k = 0; k < probs.length; k++) {
    c += probs[k]!;
    if (u < c) return k + 1;
  }
  return probs.length;
}

/** One judge sample given the human score, as simulate.ts's drawPair draws it. */
function judgeSample(s: JudgeSetting, y: number, rand: Rand): number {
  if (s.kind === 'ordinal') return clamp(Math.round(y + s.bias + s.sd * normalFrom(rand)), 1, 5);
  return y ? (rand() < s.sens ? 1 : 0) : rand() < s.spec ? 0 : 1;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * A simulate.ts judge-versus-human setting scored with K samples: f is the mean of the K judge
 * samples (on a 0/1 criterion, the share of pass votes), u their spread. Samples are independent
 * given y, so the spread carries little about an item's error beyond the scale's ends: the
 * honest case for active sampling, where it should save little and must not lose coverage.
 */
export function fromJudgeSetting(s: JudgeSetting, K = 5): ActiveSetting {
  return {
    name: `${s.name}; K=${K} samples`,
    range: s.kind === 'ordinal' ? [1, 5] : [0, 1],
    mean: settingMean(s),
    signal: 'samples',
    planted: false,
    draw(N, rand) {
      return drawItems(N, () => {
        const yi = s.kind === 'ordinal' ? ordinalDraw(s.probs, rand) : rand() < s.pi ? 1 : 0;
        const samples = Array.from({ length: K }, () => judgeSample(s, yi, rand));
        return [yi, mean(samples), uncertaintyFromSamples(samples)];
      });
    },
  };
}

const SKEWED = [0.05, 0.1, 0.2, 0.35, 0.3];

/** Planted heteroscedastic settings: the judge's error depends on the item, and a signal sees it. */
export const PLANTED_SETTINGS: ActiveSetting[] = [
  {
    name: 'planted: 1–5, 25 % hard items (judge error sd 1.5 vs 0.3), K=5 samples',
    range: [1, 5],
    mean: SKEWED.reduce((a, p, k) => a + p * (k + 1), 0),
    signal: 'samples',
    planted: true,
    draw(N, rand) {
      return drawItems(N, () => {
        const yi = ordinalDraw(SKEWED, rand);
        const sd = rand() < 0.25 ? 1.5 : 0.3;
        // part of the judge's error is shared by its samples (it misreads the item), part is not
        const shared = 0.6 * sd * normalFrom(rand) + 0.3;
        const samples = Array.from({ length: 5 }, () =>
          clamp(Math.round(yi + shared + 0.8 * sd * normalFrom(rand)), 1, 5),
        );
        return [yi, mean(samples), uncertaintyFromSamples(samples)];
      });
    },
  },
  {
    name: 'planted: 0–10 continuous, error sd ∝ lognormal difficulty, K=3 samples',
    range: [0, 10],
    mean: 10 * (2 / (2 + 1.2)),
    signal: 'samples',
    planted: true,
    draw(N, rand) {
      return drawItems(N, () => {
        const yi = 10 * betaDraw(2, 1.2, rand);
        const d = Math.min(4, 0.6 * Math.exp(0.9 * normalFrom(rand)));
        const shared = 0.7 * d * normalFrom(rand) - 0.4;
        const samples = Array.from({ length: 3 }, () =>
          clamp(yi + shared + 0.7 * d * normalFrom(rand), 0, 10),
        );
        return [yi, mean(samples), uncertaintyFromSamples(samples)];
      });
    },
  },
  {
    name: 'planted: pass/fail 20 %, 30 % ambiguous items (votes 65 % right vs 98 %), K=5',
    range: [0, 1],
    mean: 0.2,
    signal: 'samples',
    planted: true,
    draw(N, rand) {
      return drawItems(N, () => {
        const yi = rand() < 0.2 ? 1 : 0;
        const acc = rand() < 0.3 ? 0.65 : 0.98;
        const votes = Array.from({ length: 5 }, () => (rand() < acc ? yi : 1 - yi));
        return [yi, mean(votes), uncertaintyFromSamples(votes)];
      });
    },
  },
  {
    name: 'planted: 1–5, panel of 3 judges that disagree on 30 % hard items',
    range: [1, 5],
    mean: SKEWED.reduce((a, p, k) => a + p * (k + 1), 0),
    signal: 'panel',
    planted: true,
    draw(N, rand) {
      const biases = [0.4, 0, -0.2];
      return drawItems(N, () => {
        const yi = ordinalDraw(SKEWED, rand);
        const sd = rand() < 0.3 ? 1.3 : 0.25;
        const shared = 0.5 * sd * normalFrom(rand);
        const panel: Record<string, { overall: number }> = {};
        biases.forEach((b, j) => {
          panel[`judge${j}`] = {
            overall: clamp(Math.round(yi + b + shared + 0.85 * sd * normalFrom(rand)), 1, 5),
          };
        });
        return [yi, mean(Object.values(panel).map((p) => p.overall)), uncertaintyFromPanel(panel)];
      });
    },
  },
  {
    name: 'planted: pairwise win rate 60 %, 35 % close pairs where the two orders disagree',
    range: [0, 1],
    mean: 0.6,
    signal: 'orders',
    planted: true,
    draw(N, rand) {
      return drawItems(N, () => {
        const yi = rand() < 0.6 ? 1 : 0;
        const close = rand() < 0.35;
        // on close pairs the judge mostly picks the response shown first (position bias)
        const verdict = (shownFirst: 'A' | 'B') => {
          if (!close) return rand() < 0.95 ? (yi ? 'B' : 'A') : yi ? 'A' : 'B';
          if (rand() < 0.7) return shownFirst;
          return rand() < 0.6 ? (yi ? 'B' : 'A') : yi ? 'A' : 'B';
        };
        const orders = [verdict('A'), verdict('B')] as ('A' | 'B')[];
        return [yi, mean(orders.map((v) => (v === 'B' ? 1 : 0))), uncertaintyFromOrders(orders)];
      });
    },
  },
  {
    name: 'planted: calibrated 1–10 judge mapped to 1–5, residual spread by score (mid scores uncertain)',
    range: [1, 5],
    mean: SKEWED.reduce((a, p, k) => a + p * (k + 1), 0),
    signal: 'residual',
    planted: true,
    draw(N, rand) {
      // the judge scores 1–10 (about 2y − 1); its calibration map is (s + 1)/2 on the 1–5 scale.
      // Items humans put in the middle of the scale are the ones the judge scores erratically, so
      // the residual spread of the map is wide at mid judge scores and narrow at the ends
      const one = () => {
        const yy = ordinalDraw(SKEWED, rand);
        const raw = clamp(
          Math.round(2 * yy - 1 + (yy >= 2 && yy <= 3 ? 2.2 : 0.5) * normalFrom(rand)),
          1,
          10,
        );
        return { y: yy, raw, mapped: clamp((raw + 1) / 2, 1, 5) };
      };
      // a pilot gold set of 150 items gives the residual spread by score, as a calibration does
      const pilot = Array.from({ length: 150 }, one);
      const table = residualSpreadByScore(pilot.map((p) => ({ score: p.raw, residual: p.y - p.mapped })));
      return drawItems(N, () => {
        const it = one();
        return [it.y, it.mapped, uncertaintyFromResidualSpread(it.raw, table)];
      });
    },
  },
];
