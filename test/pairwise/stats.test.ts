import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bradleyTerry, bradleyTerryWithIntervals, type Comparison } from '../../src/stats/bradley-terry.js';
import { share } from '../../src/stats/cluster-share.js';
import { wilson } from '../../src/stats/proportion.js';
import integration from '../reference/integration.json' with { type: 'json' };

// Reference values: /usr/bin/python3 test/reference/pairwise_reference.py > test/reference/pairwise.json
// (Debian bookworm: scipy 1.10.1, statsmodels 0.13.5, numpy 1.24.2) — see the script for the method of each.
const ref = JSON.parse(readFileSync(new URL('../reference/pairwise.json', import.meta.url), 'utf8'));

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

describe('pairwise shares: Korn–Graubard Clopper–Pearson at the CR2 effective n (R, integration_reference.R)', () => {
  const pw = integration.pairwise;
  it('clustered by prompt', () => {
    const s = share(pw.y, pw.g);
    expect(s.value).toBeCloseTo(pw.clustered.value, 14);
    expect(s.clusters).toBe(5);
    expect(Math.abs(s.effective_n! - pw.clustered.effective_n)).toBeLessThan(1e-9);
    expect(Math.abs(s.ci![0] - pw.clustered.lower)).toBeLessThan(1e-9);
    expect(Math.abs(s.ci![1] - pw.clustered.upper)).toBeLessThan(1e-9);
  });
  it('independent pairs: Clopper–Pearson at n − 1, and no cluster count', () => {
    const s = share(
      pw.y,
      pw.y.map((_, i) => `p${i}`),
    );
    expect(s.clusters).toBeUndefined();
    expect(s.effective_n).toBeCloseTo(pw.independent.effective_n, 10);
    expect(Math.abs(s.ci![0] - pw.independent.lower)).toBeLessThan(1e-9);
    expect(Math.abs(s.ci![1] - pw.independent.upper)).toBeLessThan(1e-9);
  });
  it('clustered at p = 0 does not collapse to a point, and never leaves [0, 1]', () => {
    const s = share([0, 0, 0, 0, 0, 0], ['a', 'a', 'b', 'b', 'c', 'c']);
    expect(s.ci![0]).toBe(0);
    expect(s.ci![1]).toBeGreaterThan(0.2);
    expect(s.ci![1]).toBeLessThanOrEqual(1);
  });
});
