import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  ActiveSequence,
  AsymptoticCS,
  activeDrawProbabilities,
  drawUniform,
  HedgedBettingCS,
  mixtureRho2,
  shouldStop,
} from '../../src/stats/confidence-sequence.js';
import { seededRandom } from '../../src/stats/random.js';
import { betaDraw } from '../../src/stats/simulate.js';
import { PLANTED_SETTINGS } from '../../src/stats/simulate-active.js';
import ref from '../reference/active.json' with { type: 'json' };

// Reference values: test/reference/active.json (see test/reference/active_reference.py): the
// betting CS as computed by Waudby-Smith & Ramdas' own confseq package (betting_cs with
// lambda_predmix_eb, running intersection, 1,000 grid breaks), the asymptotic CS from its formula
// with ρ chosen by scipy's bounded minimiser.

describe('HedgedBettingCS', () => {
  it('matches Waudby-Smith & Ramdas’ confseq to the grid point', () => {
    for (const c of ref.betting) {
      const cs = new HedgedBettingCS({
        lower: 0,
        upper: 1,
        alpha: 0.05,
        grid: 1000,
        truncation: c.truncation,
      });
      let t = 0;
      c.times.forEach((time, k) => {
        while (t < time) cs.push(c.x[t++]!);
        const [lo, hi] = cs.interval();
        expect(lo).toBeCloseTo(c.lower[k]!, 9);
        expect(hi).toBeCloseTo(c.upper[k]!, 9);
      });
    }
  });

  it('never excludes the true mean at any t in ≥ 95 % of sequences (Ville), and its intervals are nested', () => {
    const rand = seededRandom(3);
    let ever = 0;
    const reps = 200;
    for (let r = 0; r < reps; r++) {
      const cs = new HedgedBettingCS({ lower: 0, upper: 1, truncation: 0.9, grid: 400 });
      let prev: [number, number] = [0, 1];
      let missed = false;
      for (let t = 0; t < 300; t++) {
        cs.push(r % 2 ? betaDraw(2, 5, rand) : rand() < 0.3 ? 1 : 0);
        const [lo, hi] = cs.interval();
        expect(lo).toBeGreaterThanOrEqual(prev[0]);
        expect(hi).toBeLessThanOrEqual(prev[1]);
        prev = [lo, hi];
        const mu = r % 2 ? 2 / 7 : 0.3;
        if (mu < lo || mu > hi) missed = true;
      }
      if (missed) ever += 1;
    }
    expect(ever / reps).toBeLessThanOrEqual(0.05);
  });

  it('answers for any α ≥ minAlpha (wider at smaller α) and refuses below it', () => {
    const cs = new HedgedBettingCS({ lower: 0, upper: 1, alpha: 0.05, minAlpha: 0.01 });
    const rand = seededRandom(1);
    for (let t = 0; t < 200; t++) cs.push(rand());
    const [a, b] = cs.interval(0.05);
    const [c, d] = cs.interval(0.01);
    expect(c).toBeLessThanOrEqual(a);
    expect(d).toBeGreaterThanOrEqual(b);
    expect(() => cs.interval(0.001)).toThrow(UsageError);
    expect(() => new HedgedBettingCS({ lower: 1, upper: 1 })).toThrow(UsageError);
    expect(() => cs.push(2)).toThrow(UsageError);
  });

  it('a parameter range inside the bounds only refines the grid', () => {
    const wide = new HedgedBettingCS({ lower: -4, upper: 8, grid: 1200 });
    const fine = new HedgedBettingCS({ lower: -4, upper: 8, parameterRange: [1, 5], grid: 1200 });
    const rand = seededRandom(2);
    for (let t = 0; t < 400; t++) {
      const x = 3 + 2 * (rand() - 0.5);
      wide.push(x);
      fine.push(x);
    }
    const [a, b] = wide.interval();
    const [c, d] = fine.interval();
    expect(c).toBeGreaterThanOrEqual(a - 1e-12);
    expect(d).toBeLessThanOrEqual(b + 1e-12);
    expect(b - a - (d - c)).toBeLessThan(0.021); // within two coarse grid steps (12/1200)
  });
});

describe('AsymptoticCS', () => {
  it('matches the formula and scipy’s optimal ρ', () => {
    for (const c of ref.asymptotic) {
      expect(mixtureRho2(c.t_star, c.alpha)).toBeCloseTo(c.rho2, 6);
      const cs = new AsymptoticCS({ alpha: c.alpha, targetT: c.t_star, burnIn: 30 });
      let t = 0;
      c.t.forEach((time, k) => {
        while (t < time) cs.push(c.x[t++]!);
        const [lo, hi] = cs.interval();
        expect(lo).toBeCloseTo(c.lower[k]!, 6);
        expect(hi).toBeCloseTo(c.upper[k]!, 6);
      });
    }
  });

  it('reports the whole range during the burn-in', () => {
    const cs = new AsymptoticCS({ burnIn: 10, range: [1, 5] });
    for (let t = 0; t < 9; t++) cs.push(3);
    expect(cs.interval()).toEqual([1, 5]);
  });
});

describe('ActiveSequence', () => {
  // A worked example of the increments' bounds: f = [1, 5, 3, 4], q = [0.1, 0.2, 0.3, 0.4] on [1, 5].
  // f̄ = 13/4 = 3.25 and Nq = [0.4, 0.8, 1.2, 1.6].
  //   lowest:  (1 − f)/Nq = [0, −5, −1.667, −1.875] → a = 3.25 − 5 = −1.75  (item 1: judged 5, rated 1)
  //   highest: (5 − f)/Nq = [10, 0, 1.667, 0.625]   → b = 3.25 + 10 = 13.25 (item 0: judged 1, rated 5)
  // E[Zₜ] = Σ qᵢ (f̄ + (yᵢ − fᵢ)/(Nqᵢ)) = f̄ + (1/N) Σ (yᵢ − fᵢ) = ȳ: with y = [2, 4, 3, 5], ȳ = 3.5.
  const design = { f: [1, 5, 3, 4], q: [0.1, 0.2, 0.3, 0.4], range: [1, 5] as [number, number], seed: 11 };
  const y = [2, 4, 3, 5];

  it('has the bounds worked out by hand and increments with mean ȳ', () => {
    const s = new ActiveSequence(design);
    expect(s.fbar).toBe(3.25);
    expect(s.bounds[0]).toBeCloseTo(-1.75, 14);
    expect(s.bounds[1]).toBeCloseTo(13.25, 14);
    const z = y.map((yi, i) => 3.25 + (yi - design.f[i]!) / (4 * design.q[i]!));
    expect(z.reduce((a, zi, i) => a + design.q[i]! * zi, 0)).toBeCloseTo(3.5, 14);
  });

  it('draws from q, reproducibly from (seed, t), and reuses a label when an item comes round again', () => {
    const s = new ActiveSequence(design);
    const counts = [0, 0, 0, 0];
    for (let t = 1; t <= 20000; t++) counts[s.drawAt(t)]! += 1;
    counts.forEach((c, i) => {
      expect(Math.abs(c / 20000 - design.q[i]!)).toBeLessThan(0.01);
    });
    expect(drawUniform(11, 5)).toBe(drawUniform(11, 5));
    expect(drawUniform(11, 5)).not.toBe(drawUniform(11, 6));
    const ratings: { index: number; y?: number }[] = [];
    let repeat = false;
    while (s.labelled < 4) {
      const i = s.next();
      if (s.isLabelled(i)) {
        repeat = true;
        s.push(i); // no rating needed
        ratings.push({ index: i });
      } else {
        s.push(i, y[i]!);
        ratings.push({ index: i, y: y[i]! });
      }
    }
    expect(repeat).toBe(true);
    // every item rated: the census mean, exactly
    expect(s.estimate).toBe(3.5);
    expect(s.interval()).toEqual([3.5, 3.5]);
    expect(shouldStop(s, 0.1, 10).reason).toBe('census');
    // the same ratings in the same order rebuild the same state
    const again = ActiveSequence.replay(design, ratings);
    expect(again.t).toBe(s.t);
    expect(again.interval()).toEqual(s.interval());
  });

  it('refuses items out of the design’s order, a changed label, and scores off the scale', () => {
    const s = new ActiveSequence(design);
    const i = s.next();
    expect(() => s.push((i + 1) % 4, 3)).toThrow(UsageError);
    expect(() => s.push(i)).toThrow(UsageError);
    expect(() => s.push(i, 7)).toThrow(UsageError);
    s.push(i, y[i]!);
    let j = s.next();
    while (j !== i) {
      s.push(j, y[j]!);
      j = s.next();
    }
    expect(() => s.push(i, y[i]! === 5 ? 4 : 5)).toThrow(UsageError);
    expect(() => new ActiveSequence({ ...design, q: [0.5, 0.5, 0, 0] })).toThrow(UsageError);
    expect(() => new ActiveSequence({ ...design, q: [0.1, 0.1, 0.1, 0.1] })).toThrow(UsageError);
  });

  it('uniformDrawsForSameVariance: t itself under uniform draws, more than t where the rule pays', () => {
    const setting = PLANTED_SETTINGS[0]!;
    const pop = setting.draw(1000, seededRandom(6));
    const uni = new ActiveSequence({
      f: pop.f,
      q: activeDrawProbabilities(pop.u.map(() => 0)),
      range: [1, 5],
      seed: 1,
    });
    const act = new ActiveSequence({
      f: pop.f,
      q: activeDrawProbabilities(pop.u, { floor: 0.3 }),
      range: [1, 5],
      seed: 1,
    });
    expect(uni.uniformDrawsForSameVariance).toBeNull();
    for (let t = 0; t < 300; t++) {
      const i = uni.next();
      uni.push(i, pop.y[i]!);
      const j = act.next();
      act.push(j, pop.y[j]!);
    }
    expect(uni.uniformDrawsForSameVariance).toBeCloseTo(300, 9);
    expect(act.uniformDrawsForSameVariance!).toBeGreaterThan(330);
  });

  it('activeDrawProbabilities: the mixture with the floor, uniform without a signal', () => {
    const q = activeDrawProbabilities([0, 1, 3, null], { floor: 0.5 });
    // mean uncertainty 4/3 fills the null; Σu = 16/3; q = ½ u/Σu + ½/4
    expect(q[0]).toBeCloseTo(0.125, 15);
    expect(q[1]).toBeCloseTo(0.5 * (3 / 16) + 0.125, 15);
    expect(q[2]).toBeCloseTo(0.5 * (9 / 16) + 0.125, 15);
    expect(q[3]).toBeCloseTo(0.5 * (4 / 16) + 0.125, 15);
    expect(activeDrawProbabilities([0, 0, 0, 0])).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(() => activeDrawProbabilities([1, 2], { floor: 0 })).toThrow(UsageError);
  });

  it('shouldStop: the width, or the budget when the next draw needs a new label (a repeat is free)', () => {
    const rand = seededRandom(4);
    const N = 400;
    const f = Array.from({ length: N }, () => 1 + Math.floor(rand() * 5));
    const yy = f.map((v) => Math.min(5, Math.max(1, v + (rand() < 0.2 ? 1 : 0))));
    const s = new ActiveSequence({ f, q: activeDrawProbabilities(f.map(() => 1)), range: [1, 5], seed: 2 });
    let d = shouldStop(s, 0.01, 30);
    while (!d.stop) {
      const i = s.next();
      s.push(i, yy[i]!);
      d = shouldStop(s, 0.01, 30);
    }
    expect(d.reason).toBe('budget');
    expect(d.labelled).toBe(30);
    expect(s.isLabelled(s.next())).toBe(false);
    const loose = new ActiveSequence({
      f,
      q: activeDrawProbabilities(f.map(() => 1)),
      range: [1, 5],
      seed: 2,
    });
    let e = shouldStop(loose, 1.5, 400);
    while (!e.stop) {
      const i = loose.next();
      loose.push(i, yy[i]!);
      e = shouldStop(loose, 1.5, 400);
    }
    expect(e.reason).toBe('width');
    expect(e.halfWidth).toBeLessThanOrEqual(1.5);
  });
});

describe('sequential coverage with the stopping rule, CI-sized (bench/active.mjs has the full table)', () => {
  it('planted heteroscedastic error, stop at ±0.1 or 600 labels: the CS holds the items’ mean in ≥ 90 %', () => {
    const setting = PLANTED_SETTINGS[0]!;
    const rand = seededRandom(21);
    const reps = 120;
    let hit = 0;
    for (let r = 0; r < reps; r++) {
      const pop = setting.draw(1000, rand);
      const theta = pop.y.reduce((a, b) => a + b, 0) / pop.y.length;
      const s = new ActiveSequence({
        f: pop.f,
        q: activeDrawProbabilities(pop.u),
        range: setting.range,
        seed: r + 1,
        grid: 400,
      });
      while (!shouldStop(s, 0.1, 600).stop) {
        const i = s.next();
        s.push(i, pop.y[i]!);
      }
      const [lo, hi] = s.interval();
      if (lo <= theta && theta <= hi) hit += 1;
    }
    expect(hit / reps).toBeGreaterThanOrEqual(0.9);
  });
});
