import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';

const MASK64 = (1n << 64n) - 1n;

/** One step of SplitMix64 (Vigna): the state after it and its 64-bit output. */
function splitmix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/**
 * A seeded PRNG: xoroshiro128+ (pure-rand; period 2¹²⁸ − 1), so the same seed gives the same
 * bootstrap resamples, splits and simulations on every machine. Not for cryptography. It replaced
 * mulberry32 (period 2³², too short for a 2,000-resample bootstrap of 10⁶ items), so a seed's
 * draws differ from those of plumb builds before that change.
 *
 * The 128-bit state is filled from the 32-bit seed by SplitMix64, as xoroshiro's authors advise,
 * not by pure-rand's `xoroshiro128plus(seed)`: that one starts from the state (−1, ~seed, seed, 0),
 * whose first output is ~seed itself — seeds 0–2026 would all begin with a uniform ≈ 1 and nearby
 * seeds with nearly equal draws.
 *
 * Each uniform is pure-rand's `uniformFloat64`: 26 bits of one 32-bit output and 27 of the next,
 * a multiple of 2⁻⁵³ in [0, 1). pure-rand's outputs are the low 32 bits of xoroshiro128+'s 64-bit
 * sum, whose lowest few bits have low linear complexity (Blackman & Vigna 2018); in the double they
 * are worth 2⁻²³ and less, far below anything a resample or a simulation can see.
 */
export function seededRandom(seed: number): () => number {
  const [s, a] = splitmix64(BigInt(seed >>> 0));
  const [, b] = splitmix64(s);
  // pure-rand's state is [s0 high, s0 low, s1 high, s1 low] as signed 32-bit words.
  const rng = xoroshiro128plusFromState([
    Number(BigInt.asIntN(32, a >> 32n)),
    Number(BigInt.asIntN(32, a)),
    Number(BigInt.asIntN(32, b >> 32n)),
    Number(BigInt.asIntN(32, b)),
  ]);
  return () => uniformFloat64(rng);
}

/** A standard normal draw (Box–Muller) from a uniform source. */
export function normalFrom(rand: () => number): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
