/**
 * R's default random number generator and `sample()`, reproduced exactly so that plumb can redo
 * the seeded draws of code written in R (Kelley & Riedl's GoalPref-Bench: `set.seed(456)` before
 * the judge's A/B orders, the 100 multi-turn scenarios and the Personalized+ personas).
 *
 * What R ≥ 3.6.0 does by default (`RNGkind()`: "Mersenne-Twister", "Inversion", "Rejection"),
 * following R's src/main/RNG.c and src/main/random.c:
 * - `set.seed(s)`: the seed is scrambled by 50 steps of the LCG `seed = 69069 * seed + 1` (mod 2³²),
 *   then the 625 words of `.Random.seed[-1]` are the next 625 steps; the first (`mti`) is then set
 *   to 624, so the first draw regenerates the whole state (`RNG_Init`, `FixupSeeds`);
 * - `unif_rand()`: MT19937's tempered 32-bit output × 2.3283064365386963e-10, kept inside (0, 1)
 *   (`MT_genrand`, `fixup`);
 * - `R_unif_index(n)` ("Rejection" sampling): draws of `bits = ceil(log2(n))` random bits, each
 *   built from 16-bit chunks `floor(unif_rand() * 65536)` for `k = 0, 16, …, ≤ bits`, masked,
 *   and redrawn until below n;
 * - `sample.int(n, size)` without replacement: the partial Fisher–Yates of `do_sample` (pick
 *   `j = R_unif_index(n)`, take `x[j] + 1`, move the last element into j, shrink n); with
 *   replacement: `R_unif_index(n) + 1` each time. (`sample.int` only hashes for n > 1e7.)
 * - `sample(x, size)` for a vector of length > 1 is `x[sample.int(length(x), size)]`.
 *
 * Checked against R 4.2.2 (test/study/r-random.test.ts, with the R commands it ran).
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const I2_32M1 = 2.328306437080797e-10; // 1 / (2^32 - 1)

/** One R session's random stream, as after `set.seed(seed)`. */
export class RRandom {
  /** `.Random.seed[-1]` of R: dummy[0] = mti, dummy[1..624] = mt. */
  private readonly dummy = new Uint32Array(N + 1);

  constructor(seed: number) {
    this.setSeed(seed);
  }

  /** `set.seed(seed)` with R's default kinds. */
  setSeed(seed: number): void {
    if (!Number.isSafeInteger(seed)) throw new Error(`set.seed needs an integer, got ${seed}`);
    // R takes the seed as a C int and scrambles it as an unsigned 32-bit integer
    let s = seed >>> 0;
    const step = () => {
      s = (Math.imul(69069, s) + 1) >>> 0;
      return s;
    };
    for (let j = 0; j < 50; j++) step();
    for (let j = 0; j < N + 1; j++) this.dummy[j] = step();
    this.dummy[0] = N; // FixupSeeds(initial): mti = N
  }

  /** MT19937's next tempered word (R's MT_genrand, before the scaling to [0, 1)). */
  private nextWord(): number {
    const d = this.dummy;
    let mti = d[0]!;
    if (mti >= N) {
      // mt[k] is d[k + 1]
      const mag = (y: number) => (y & 1 ? MATRIX_A : 0);
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (d[kk + 1]! & UPPER_MASK) | (d[kk + 2]! & LOWER_MASK);
        d[kk + 1] = d[kk + M + 1]! ^ (y >>> 1) ^ mag(y);
      }
      for (; kk < N - 1; kk++) {
        const y = (d[kk + 1]! & UPPER_MASK) | (d[kk + 2]! & LOWER_MASK);
        d[kk + 1] = d[kk + (M - N) + 1]! ^ (y >>> 1) ^ mag(y);
      }
      const y = (d[N]! & UPPER_MASK) | (d[1]! & LOWER_MASK);
      d[N] = d[M]! ^ (y >>> 1) ^ mag(y);
      mti = 0;
    }
    let y = d[mti + 1]!;
    mti += 1;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    d[0] = mti;
    return y >>> 0;
  }

  /** `runif(1)`: a uniform draw in (0, 1). */
  unifRand(): number {
    const value = this.nextWord() * 2.3283064365386963e-10;
    if (value <= 0) return 0.5 * I2_32M1;
    if (1 - value <= 0) return 1 - 0.5 * I2_32M1;
    return value;
  }

  /** `bits` random bits from 16-bit chunks (R's rbits). */
  private rbits(bits: number): number {
    let v = 0n;
    for (let n = 0; n <= bits; n += 16) {
      const v1 = Math.floor(this.unifRand() * 65536);
      v = 65536n * v + BigInt(v1);
    }
    return Number(v & ((1n << BigInt(bits)) - 1n));
  }

  /** `R_unif_index(n)`: a uniform integer in [0, n), by rejection. */
  unifIndex(n: number): number {
    if (n <= 0) return 0;
    const bits = Math.ceil(Math.log2(n));
    let dv: number;
    do dv = this.rbits(bits);
    while (n <= dv);
    return dv;
  }

  /** `sample.int(n, size, replace)`: 1-based integers. */
  sampleInt(n: number, size: number, replace = false): number[] {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`sample.int: invalid n ${n}`);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`sample.int: invalid size ${size}`);
    if (!replace && size > n)
      throw new Error("cannot take a sample larger than the population when 'replace = FALSE'");
    const out: number[] = [];
    if (replace) {
      for (let i = 0; i < size; i++) out.push(this.unifIndex(n) + 1);
      return out;
    }
    const x = Array.from({ length: n }, (_, i) => i);
    let left = n;
    for (let i = 0; i < size; i++) {
      const j = this.unifIndex(left);
      out.push(x[j]! + 1);
      left -= 1;
      x[j] = x[left]!;
    }
    return out;
  }

  /** `sample(x, size)` for a vector of length ≥ 2 (R's `sample(5, …)` on one number is sample.int). */
  sample<T>(x: readonly T[], size: number, replace = false): T[] {
    if (x.length < 2) throw new Error('sample(x) with length(x) < 2 means sample.int in R: call sampleInt');
    return this.sampleInt(x.length, size, replace).map((i) => x[i - 1]!);
  }
}

/** R's names for the judge's two orders (evaluate_alignment.R line 29). */
export type RAbOrder = 'generic_is_A' | 'personalized_is_A';
const AB_ORDERS: readonly RAbOrder[] = ['generic_is_A', 'personalized_is_A'];

/** GoalPref-Bench's judge seed: `random_seed = 456` (evaluate_alignment.R 152). */
export const R_JUDGE_SEED = 456;

/** The next judged row's order: `sample(c("generic_is_A", "personalized_is_A"), 1)`. */
export const rAbOrder = (r: RRandom): RAbOrder => r.sample(AB_ORDERS, 1)[0]!;

/**
 * The A/B orders GoalPref-Bench's judge draws: `set.seed(seed)` once (evaluate_alignment.R
 * 152–154, seed 456), then `sample(c("generic_is_A", "personalized_is_A"), 1)` per judged row, in
 * the order of the responses file (a row skipped for a missing `ai_agent_goal` draws nothing).
 * Element i is the order of the i-th judged row.
 */
export function rAbOrders(rows: number, seed = R_JUDGE_SEED): RAbOrder[] {
  const r = new RRandom(seed);
  return Array.from({ length: rows }, () => rAbOrder(r));
}

/** One conversation of GoalPref-Bench's multi-turn runs, in run order. */
export interface RMultiturnDraw {
  /** 1-based position in the run. */
  position: number;
  /** 1-based row of the scenarios file (= `scenario_id` in the released data). */
  scenario: number;
  /** 1-based element of the personas file the Personalized+ run gives this scenario. */
  persona: number | null;
}

/**
 * The multi-turn draws of GoalPref-Bench: `set.seed(seed)`, then, when `n` is below the number of
 * scenarios, `sample(1:nScenarios, n)` (goal_multiturn_challenge.R 488–493; the same in
 * goal_multiturn_personalized_plus.R 491–497), then — Personalized+ only — one
 * `sample(profiles, 1)` per scenario in run order (…_personalized_plus.R 527–528). The generic
 * run draws no persona: its scenarios are the same, its `persona` column is not used. With
 * `nPersonas` 0 no persona is drawn.
 */
export function rMultiturnDraws(o: {
  nScenarios: number;
  n?: number | null;
  nPersonas: number;
  seed?: number;
}): RMultiturnDraw[] {
  const r = new RRandom(o.seed ?? 456);
  const n = o.n ?? o.nScenarios;
  const scenarios =
    n < o.nScenarios ? r.sampleInt(o.nScenarios, n) : Array.from({ length: o.nScenarios }, (_, i) => i + 1);
  return scenarios.map((scenario, i) => ({
    position: i + 1,
    scenario,
    // sample(profiles, 1) is x[sample.int(length(x), 1)], a draw even for one profile
    persona: o.nPersonas > 0 ? r.sampleInt(o.nPersonas, 1)[0]! : null,
  }));
}
