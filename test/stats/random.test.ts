import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/stats/random.js';

/**
 * Reference values from an independent implementation in Python (3.11.7, exact integers; the
 * script is at the foot of this file): SplitMix64 seeding, xoroshiro128+ with the 2018 constants
 * (24, 16, 37) and its 2⁶⁴ jump polynomial (0xdf900294d8f554a5, 0x170865df4b3201fc), and
 * pure-rand's uniformFloat64 (low 26 bits of one output · 2⁻²⁶ + low 27 bits of the next · 2⁻⁵³).
 */
const FIRST_DOUBLES: Record<number, number[]> = {
  0: [0.21015791621412716, 0.9526210374251859, 0.7610578165804366, 0.6025014732180781],
  1: [0.641880635054016, 0.06824309202427037, 0.5407492792081153, 0.27787714264653995],
  42: [0.5804427987926414, 0.23833165799408884, 0.016105725146773886, 0.08324562809978353],
  2026: [0.6970920620756502, 0.5087906414197453, 0.8366856503409034, 0.03372093300538814],
  4294967295: [0.7991541044755273, 0.8367356692856754, 0.4205007555938882, 0.8614192166183672],
};

/** A 64-bit word as pure-rand's pair of signed 32-bit words [high, low]. */
const words = (x: bigint) => [Number(BigInt.asIntN(32, x >> 32n)), Number(BigInt.asIntN(32, x))];

describe('seededRandom: xoroshiro128+ seeded by SplitMix64', () => {
  it('gives the reference implementation’s first doubles, bit for bit', () => {
    for (const [seed, expected] of Object.entries(FIRST_DOUBLES)) {
      const rand = seededRandom(Number(seed));
      expect(expected.map(() => rand())).toEqual(expected);
    }
  });

  it('reduces the seed to 32 bits as before (seed >>> 0)', () => {
    const a = seededRandom(-1);
    const b = seededRandom(4294967295);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it('draws doubles in [0, 1) that use 53 bits: every draw is a multiple of 2⁻⁵³, and the low bits vary', () => {
    const rand = seededRandom(7);
    let min = 1;
    let max = 0;
    let offGrid = 0;
    let oddAt53 = 0; // draws whose 2⁻⁵³ bit is set
    let below32 = 0; // draws with some bit below 2⁻³² set (mulberry32's resolution)
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = rand();
      min = Math.min(min, u);
      max = Math.max(max, u);
      const k = u * 2 ** 53; // exact: a double in [0, 1) times a power of two
      if (!Number.isInteger(k)) offGrid += 1;
      if (k % 2 === 1) oddAt53 += 1;
      if (k % 2 ** 21 !== 0) below32 += 1;
    }
    expect(offGrid).toBe(0);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(min).toBeLessThan(1e-3);
    expect(max).toBeGreaterThan(1 - 1e-3);
    // the lowest bit is set in about half the draws (binomial sd ≈ 158 at n = 10⁵)
    expect(Math.abs(oddAt53 - n / 2)).toBeLessThan(1000);
    expect(below32 / n).toBeGreaterThan(0.99);
  });

  it('nearby seeds start unrelated (pure-rand’s own seeding would start seeds 0–2026 at ≈ 1)', () => {
    const firsts = Array.from({ length: 1000 }, (_, s) => seededRandom(s)());
    const mean = firsts.reduce((a, b) => a + b, 0) / firsts.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05); // sd of the mean ≈ 0.009
    expect(Math.max(...firsts)).toBeLessThan(1);
    expect(firsts.filter((u) => u > 0.99).length).toBeLessThan(25); // ≈ 10 expected
  });
});

describe('pure-rand xoroshiro128+ jump streams', () => {
  // the state seededRandom(42) starts from (SplitMix64 of 42), and the reference's state after one
  // jump and its first three 32-bit outputs, from xoroshiro_ref.py
  const s0 = 0xbdd732262feb6e95n;
  const s1 = 0x28efe333b266f103n;
  const start = () => xoroshiro128plusFromState([...words(s0), ...words(s1)]);

  it('jump() lands on the reference’s state, 2⁶⁴ steps ahead', () => {
    const g = start();
    g.jump();
    expect(g.getState()).toEqual([...words(0xbbd57edf18ff6512n), ...words(0x935868339bb6176bn)]);
    expect([g.next(), g.next(), g.next()].map((x) => x >>> 0)).toEqual([3031792765, 4113466519, 2588131515]);
  });

  it('two jumped streams do not overlap on a prefix of 10⁵ draws each', () => {
    const a = start();
    const b = start();
    b.jump();
    // states, not outputs: 32-bit outputs repeat by chance (birthday bound), 128-bit states must not
    const seen = new Set<string>();
    const sa: string[] = [];
    const sb: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      sa.push(a.getState().join(','));
      a.next();
      sb.push(b.getState().join(','));
      b.next();
    }
    for (const s of sa) seen.add(s);
    expect(seen.size).toBe(sa.length);
    expect(sb.some((s) => seen.has(s))).toBe(false);
  });
});

/* xoroshiro_ref.py, run as `python3 xoroshiro_ref.py` (Python 3.11.7):

M = (1 << 64) - 1
def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return x, z ^ (z >> 31)
def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
class X:
    def __init__(self, s0, s1): self.s0, self.s1 = s0, s1
    def next64(self):
        s0, s1 = self.s0, self.s1
        r = (s0 + s1) & M
        s1 ^= s0
        self.s0 = rotl(s0, 24) ^ s1 ^ ((s1 << 16) & M)
        self.s1 = rotl(s1, 37)
        return r
    def jump(self):
        J = [0xdf900294d8f554a5, 0x170865df4b3201fc]
        a = b = 0
        for j in J:
            for bit in range(64):
                if j & (1 << bit): a ^= self.s0; b ^= self.s1
                self.next64()
        self.s0, self.s1 = a, b
def seeded(seed):
    st, s0 = splitmix64(seed & 0xFFFFFFFF)
    st, s1 = splitmix64(st)
    return X(s0, s1)
def double(g):
    a = g.next64() & 0x3FFFFFF
    b = g.next64() & 0x7FFFFFF
    return a * 2.0**-26 + b * 2.0**-53
for seed in [0, 1, 42, 2026, 4294967295]:
    g = seeded(seed); print(seed, 'state', hex(g.s0), hex(g.s1))
    g3 = seeded(seed); print('  dbl', [repr(double(g3)) for _ in range(4)])
    g4 = seeded(seed); g4.jump()
    print('  jumped state', hex(g4.s0), hex(g4.s1), 'u32', [g4.next64() & 0xFFFFFFFF for _ in range(3)])
*/
