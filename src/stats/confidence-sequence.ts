import { UsageError } from '../core/errors.js';
import type { Interval } from './descriptive.js';
import { seededRandom } from './random.js';

/**
 * Anytime-valid intervals for the sequential mode of active gold sampling (issue #24): the rating
 * page serves one item at a time by the active rule, re-estimates after every rating, and stops
 * when the interval is narrow enough or the budget is spent. An interval that is valid at a fixed
 * n is not valid at a data-dependent stopping time ("stop when the width is reached" stops when
 * the variance happens to look small); a confidence sequence (CS) is: P(θ ∈ Cₜ for all t) ≥ 1 − α,
 * so P(θ ∈ C_τ) ≥ 1 − α at any stopping time τ.
 *
 * Which CS. The hedged-capital betting CS of Waudby-Smith & Ramdas (2024, JRSS-B, "Estimating
 * means of bounded random variables by betting", §4–5; their `confseq.betting.hedged_cs`). It is
 * valid in finite samples for observations in a known range [a, b] whose conditional mean given
 * the past is θ — no asymptotics, no variance assumption — by Ville's inequality applied to a
 * non-negative martingale, and it adapts to the variance (its width tracks the empirical-Bernstein
 * rate). The alternative, the asymptotic CS of Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas (2021,
 * "Time-uniform central limit theory and asymptotic confidence sequences"; `AsymptoticCS` here), is
 * much narrower but only valid as t → ∞, and it fails exactly where a width-based stopping rule
 * bites: the sample variance of inverse-probability-weighted terms is often ~0 early on (the first
 * judged errors happen to be 0), the asymptotic width collapses and the rule stops at once. A
 * burn-in guards against the worst of it and it held its coverage in plumb's simulations (≥ 99.3 %
 * at the stopping time in 15 settings, bench/active.mjs), but nothing guarantees it; it is
 * offered as an opt-in (`method: 'asymptotic'`), not the default.
 * Human scores live on a known scale and the design keeps every item's weight bounded (the
 * floor), so the bounded-mean CS applies.
 *
 * What exactness costs. A betting CS's bets are capped by the distance from the candidate mean to
 * the increments' bounds (the capital must stay ≥ 0 whatever comes next), so until t is large —
 * roughly (range/σ)² · log(1/α) draws, thousands here — its width falls like range·log(1/α)/t
 * rather than σ/√t. The increments' range is the worst label on the item the design weights most:
 * an active rule that halves the variance but doubles the range costs labels. Hence the
 * sequential design's milder default rule (τ = 0.8, `SEQUENTIAL_FLOOR`) and bolder bets
 * (truncation 0.9, `SEQUENTIAL_TRUNCATION`); bench/active.mjs measures what is left of the saving.
 *
 * The design that makes the increments bounded with mean θ (`ActiveSequence`): draw item Iₜ with
 * replacement from fixed probabilities qᵢ (∝ the active rule's uncertainty, mixed with uniform),
 * and take the Hansen–Hurwitz term
 *   Zₜ = f̄ + (y_{Iₜ} − f_{Iₜ}) / (N q_{Iₜ}),   f̄ = (1/N) Σ fᵢ,
 * which has E[Zₜ | past] = (1/N) Σ yᵢ = θ exactly (the mean human score of the N judged items) and
 * lies in [a, b] = [f̄ + minᵢ (lo − fᵢ)/(Nqᵢ), f̄ + maxᵢ (hi − fᵢ)/(Nqᵢ)], known before any label.
 * An item drawn again is not rated again: its label is reused (it costs no human time) and the
 * draw still counts as an observation. Labels = distinct items drawn.
 *
 * Where this departs from the papers: Zrnic & Candès' sequential active inference streams the
 * items once in random order with a coin per item and a martingale CLT interval at the end of the
 * pass (not anytime-valid, no early stop); here the draws are with replacement so the increments
 * are i.i.d. with mean θ at every t and any stopping rule is allowed. From Waudby-Smith & Ramdas:
 * the CS is computed on a grid of candidate means spanning the outcome's scale [lo, hi] (not the
 * increments' wider range [a, b], which their grid spans): θ lies in [lo, hi], and the finer grid
 * costs nothing in validity; endpoints are rounded outwards to the grid, as theirs are. The
 * sequential mode bets with truncation 0.9 where they use ½ (any value in (0, 1] is valid). Both
 * capital processes use the same predictable plug-in bet, as in the paper; confseq's `hedged_cs`
 * (commit c9f8c44) caps the downward bets at m as well, by passing m into `lambda_predmix_eb`'s
 * `truncation` argument, which widens its upper bounds — the reference test calls its
 * `betting_cs` with symmetric bets and matches it to the grid point.
 */

export interface HedgedBettingOptions {
  /** Every observation lies in [lower, upper]. */
  lower: number;
  upper: number;
  /** The candidate means searched (default [lower, upper]); must lie within [lower, upper]. */
  parameterRange?: [number, number];
  /** The level the bets are tuned for (default 0.05); `interval(α')` is valid for any α' ≥ `minAlpha`. */
  alpha?: number;
  /** Grid intervals over the parameter range (default 1000: 1001 candidate means). */
  grid?: number;
  /** Bets are at most `truncation`/(distance to the bound) (default ½, Waudby-Smith & Ramdas'). */
  truncation?: number;
  /** Weight of the upward-betting process (default ½). */
  theta?: number;
  /**
   * The smallest α `interval(α)` will be asked for (default: `alpha`). Candidate means rejected at
   * this level stay rejected at every larger α, so their capital is no longer updated: the work per
   * observation falls from the whole grid to the surviving interval.
   */
  minAlpha?: number;
}

/**
 * The hedged-capital CS for the mean of observations in [lower, upper], one observation at a
 * time. On the rescaled x = (X − lower)/(upper − lower) ∈ [0, 1] and a candidate mean m:
 *   K⁺ₜ(m) = Πₛ (1 + λ⁺ₛ(m)(xₛ − m)),  K⁻ₜ(m) = Πₛ (1 − λ⁻ₛ(m)(xₛ − m)),
 *   λ̃ₛ = √(2 log(1/α) / (s log(1 + s) σ̂²ₛ₋₁))  (the predictable plug-in bet),
 *   λ⁺ₛ(m) = min(λ̃ₛ, c/m),  λ⁻ₛ(m) = min(λ̃ₛ, c/(1 − m)),  c = `truncation`,
 *   μ̂ₜ = (½ + Σₛ≤ₜ xₛ)/(t + 1),  σ̂²ₜ = (¼ + Σₛ≤ₜ (xₛ − μ̂ₛ)²)/(t + 1),  σ̂²₀ = ¼;
 * m is rejected once max(θK⁺ₜ(m), (1 − θ)K⁻ₜ(m)) > 1/α at any t so far (the running
 * intersection). Under the null both K's are non-negative martingales with mean 1, so by Ville's
 * inequality P(ever reject the true mean) ≤ α. K⁺ is non-increasing and K⁻ non-decreasing in m,
 * so the surviving set is an interval, reported as [last rejected grid point below, first
 * rejected above] (their `cs_from_martingale` with `running_intersection`, which the reference
 * test reproduces to the grid point).
 */
export class HedgedBettingCS {
  readonly lower: number;
  readonly upper: number;
  readonly alpha: number;
  private readonly grid: number;
  private readonly c: number;
  private readonly theta: number;
  /** Candidate means (original units) and rescaled. */
  private readonly m: Float64Array;
  private readonly mx: Float64Array;
  private readonly logKp: Float64Array;
  private readonly logKm: Float64Array;
  private readonly maxLogKp: Float64Array;
  private readonly maxLogKm: Float64Array;
  private readonly minAlpha: number;
  /** The surviving window at minAlpha: grid points [from, to] are still updated. */
  private from = 0;
  private to: number;
  private n = 0;
  private sumX = 0;
  private sumSq = 0;
  private sumRaw = 0;

  constructor(options: HedgedBettingOptions) {
    const { lower, upper } = options;
    if (!(upper > lower))
      throw new UsageError(`the bounds must satisfy lower < upper (got ${lower}, ${upper})`);
    this.lower = lower;
    this.upper = upper;
    this.alpha = options.alpha ?? 0.05;
    this.grid = Math.max(2, Math.round(options.grid ?? 1000));
    this.c = options.truncation ?? 0.5;
    this.theta = options.theta ?? 0.5;
    if (!(this.c > 0 && this.c <= 1)) throw new UsageError(`truncation must be in (0, 1] (got ${this.c})`);
    if (!(this.theta > 0 && this.theta < 1))
      throw new UsageError(`theta must be in (0, 1) (got ${this.theta})`);
    const [pLo, pHi] = options.parameterRange ?? [lower, upper];
    if (!(pLo >= lower && pHi <= upper && pHi > pLo))
      throw new UsageError(`the parameter range [${pLo}, ${pHi}] must lie within [${lower}, ${upper}]`);
    const G = this.grid;
    this.m = new Float64Array(G + 1);
    this.mx = new Float64Array(G + 1);
    for (let j = 0; j <= G; j++) {
      this.m[j] = pLo + ((pHi - pLo) * j) / G;
      this.mx[j] = (this.m[j]! - lower) / (upper - lower);
    }
    this.logKp = new Float64Array(G + 1);
    this.logKm = new Float64Array(G + 1);
    this.maxLogKp = new Float64Array(G + 1);
    this.maxLogKm = new Float64Array(G + 1);
    this.minAlpha = options.minAlpha ?? this.alpha;
    if (!(this.minAlpha > 0 && this.minAlpha <= this.alpha))
      throw new UsageError(`minAlpha must be in (0, alpha] (got ${this.minAlpha})`);
    this.to = G;
  }

  /** Observations so far. */
  get t(): number {
    return this.n;
  }

  /** Mean of the observations so far (original units; NaN before the first). */
  get mean(): number {
    return this.n ? this.sumRaw / this.n : Number.NaN;
  }

  push(value: number): void {
    if (
      !(
        value >= this.lower - 1e-9 * Math.abs(this.lower) && value <= this.upper + 1e-9 * Math.abs(this.upper)
      )
    )
      throw new UsageError(`observation ${value} is outside [${this.lower}, ${this.upper}]`);
    const x = Math.min(1, Math.max(0, (value - this.lower) / (this.upper - this.lower)));
    const t = this.n + 1;
    // σ̂²ₜ₋₁ from observations before this one (prior: mean ½, variance ¼, one pseudo-observation)
    const sigma2 = (0.25 + this.sumSq) / t;
    let lam = Math.sqrt((2 * Math.log(1 / this.alpha)) / (t * Math.log(1 + t) * sigma2));
    if (Number.isNaN(lam)) lam = 0;
    for (let j = this.from; j <= this.to; j++) {
      const m = this.mx[j]!;
      const d = x - m;
      const lp = Math.min(lam, this.c / m);
      const lm = Math.min(lam, this.c / (1 - m));
      // inf · 0 = 0 by convention (a bet of any size on a zero increment changes nothing)
      const fp = d === 0 ? 1 : 1 + lp * d;
      const fm = d === 0 ? 1 : 1 - lm * d;
      const kp = this.logKp[j]! + (fp > 0 ? Math.log(fp) : Number.NEGATIVE_INFINITY);
      const km = this.logKm[j]! + (fm > 0 ? Math.log(fm) : Number.NEGATIVE_INFINITY);
      this.logKp[j] = kp;
      this.logKm[j] = km;
      if (kp > this.maxLogKp[j]!) this.maxLogKp[j] = kp;
      if (km > this.maxLogKm[j]!) this.maxLogKm[j] = km;
    }
    this.n = t;
    this.sumX += x;
    this.sumRaw += value;
    const muT = (0.5 + this.sumX) / (t + 1);
    this.sumSq += (x - muT) ** 2;
    // shrink the window: points rejected at minAlpha stay rejected for every α ≥ minAlpha
    const thrP = Math.log(1 / (this.theta * this.minAlpha));
    const thrM = Math.log(1 / ((1 - this.theta) * this.minAlpha));
    while (this.from <= this.to && this.maxLogKp[this.from]! > thrP) this.from++;
    while (this.to >= this.from && this.maxLogKm[this.to]! > thrM) this.to--;
  }

  /**
   * The CS at level 1 − α (any α; the bets were tuned for the constructor's): the candidate
   * means never rejected so far, widened to the neighbouring grid points. Before any observation,
   * the parameter range.
   */
  interval(alpha = this.alpha): Interval {
    const G = this.grid;
    if (!(alpha >= this.minAlpha * (1 - 1e-12)))
      throw new UsageError(
        `this sequence answers for α ≥ ${this.minAlpha} (asked for ${alpha}): set minAlpha`,
      );
    if (this.n === 0) return [this.m[0]!, this.m[G]!];
    const thrP = Math.log(1 / (this.theta * alpha));
    const thrM = Math.log(1 / ((1 - this.theta) * alpha));
    // maxLogKp is non-increasing in m: rejected points form a prefix [0, lo); find lo by bisection
    let a = 0;
    let b = G + 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (this.maxLogKp[mid]! > thrP) a = mid + 1;
      else b = mid;
    }
    const firstP = a; // first grid point K⁺ never rejected (G + 1: none)
    // maxLogKm is non-decreasing: rejected points form a suffix (hi, G]
    a = -1;
    b = G;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if (this.maxLogKm[mid]! > thrM) b = mid - 1;
      else a = mid;
    }
    const lastM = a; // last grid point K⁻ never rejected (−1: none)
    if (firstP > lastM) {
      // every candidate rejected (probability ≤ α): report the point where the two sides cross
      const j = Math.min(G, Math.max(0, Math.round((firstP + lastM) / 2)));
      return [this.m[j]!, this.m[j]!];
    }
    return [this.m[Math.max(0, firstP - 1)]!, this.m[Math.min(G, lastM + 1)]!];
  }
}

/**
 * Robbins' normal-mixture boundary at time t: the half-width of the asymptotic CS in units of σ̂,
 *   √( 2(tρ² + 1)/(t²ρ²) · log(√(tρ² + 1)/α) ).
 */
function mixtureFactor(t: number, rho2: number, alpha: number): number {
  const a = t * rho2 + 1;
  return Math.sqrt(((2 * a) / (t * t * rho2)) * Math.log(Math.sqrt(a) / alpha));
}

/** The ρ² that makes the mixture boundary narrowest at t* (golden-section search on log ρ²). */
export function mixtureRho2(targetT: number, alpha: number): number {
  let a = Math.log(1e-8);
  let b = Math.log(10);
  const g = (Math.sqrt(5) - 1) / 2;
  const f = (x: number) => mixtureFactor(targetT, Math.exp(x), alpha);
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  for (let i = 0; i < 200 && b - a > 1e-10; i++) {
    if (f(c) < f(d)) b = d;
    else a = c;
    c = b - g * (b - a);
    d = a + g * (b - a);
  }
  return Math.exp((a + b) / 2);
}

export interface AsymptoticCsOptions {
  /** The level ρ is tuned for (default 0.05). */
  alpha?: number;
  /** The time the boundary is tuned to be narrowest at (default 200 observations). */
  targetT?: number;
  /** Observations before the sequence reports anything narrower than `range` (default 30). */
  burnIn?: number;
  /** The parameter's range, to clip to (default none). */
  range?: [number, number];
}

/**
 * The asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas (2021,
 * "Time-uniform central limit theory and asymptotic confidence sequences", their Gaussian-mixture
 * AsympCS): μ̂ₜ ± σ̂ₜ √(2(tρ² + 1)/(t²ρ²) · log(√(tρ² + 1)/α)), σ̂ₜ the sample SD, ρ tuned to be
 * narrowest at `targetT`. Valid only asymptotically (uniformly over t ≥ m as m → ∞): hence the
 * burn-in. Offered for comparison and as an opt-in; plumb's sequential mode uses the betting CS,
 * which holds at every t for bounded observations.
 */
export class AsymptoticCS {
  readonly alpha: number;
  private readonly rho2: number;
  private readonly burnIn: number;
  private readonly range: [number, number] | undefined;
  private n = 0;
  private mu = 0;
  private m2 = 0;

  constructor(options: AsymptoticCsOptions = {}) {
    this.alpha = options.alpha ?? 0.05;
    this.rho2 = mixtureRho2(options.targetT ?? 200, this.alpha);
    this.burnIn = Math.max(2, options.burnIn ?? 30);
    this.range = options.range;
  }

  get t(): number {
    return this.n;
  }

  get mean(): number {
    return this.n ? this.mu : Number.NaN;
  }

  push(value: number): void {
    this.n += 1;
    const d = value - this.mu;
    this.mu += d / this.n;
    this.m2 += d * (value - this.mu);
  }

  interval(alpha = this.alpha): Interval {
    const full: Interval = this.range ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
    if (this.n < this.burnIn) return full;
    const half = Math.sqrt(this.m2 / (this.n - 1)) * mixtureFactor(this.n, this.rho2, alpha);
    return [Math.max(full[0], this.mu - half), Math.min(full[1], this.mu + half)];
  }
}

// ---------------------------------------------------------------------------------------------
// The sequential active design
// ---------------------------------------------------------------------------------------------

/**
 * Draw probabilities for the sequential design: qᵢ = (1 − τ) uᵢ/Σu + τ/N (sum 1; no cap is needed
 * when drawing with replacement). Items without a signal (null) get the mean uncertainty; all-zero
 * uncertainty gives the uniform qᵢ = 1/N. τ bounds every weight 1/(Nqᵢ) by 1/τ, and so the range
 * of the increments. Default τ = 0.8 (`SEQUENTIAL_FLOOR`), milder than the batch draw's 0.5: the
 * betting CS's width is governed by that range until t is in the thousands, so a sharp rule that
 * halves the variance but doubles the range costs labels. What bench/active.mjs measured at
 * τ = 0.8, to a target of 2.5 % of the scale, against uniform draws (τ = 1) under the same CS:
 *   - 0/1 outcomes (pass/fail, pairwise wins), where residuals are large against the scale:
 *     2–32 % fewer labels;
 *   - graded scales (1–5, 0–10) where the judge is usually close: 5–22 % more labels, even with
 *     a planted signal — so a session on a graded scale should draw uniformly (τ = 1) unless the
 *     user asks for the active rule;
 *   - with the asymptotic CS (opt-in, τ = 0.5), which only sees the variance: 3–68 % fewer.
 */
export function activeDrawProbabilities(
  uncertainty: readonly (number | null)[],
  options: { floor?: number } = {},
): number[] {
  const N = uncertainty.length;
  const tau = options.floor ?? SEQUENTIAL_FLOOR;
  if (!(tau > 0 && tau <= 1))
    throw new UsageError(`the floor τ must be in (0, 1] for sequential sampling (got ${tau})`);
  const known = uncertainty.filter((u): u is number => u !== null && u !== undefined);
  for (const u of known)
    if (!(u >= 0 && Number.isFinite(u)))
      throw new UsageError(`uncertainties must be finite and ≥ 0 (got ${u})`);
  const fill = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  const u = uncertainty.map((v) => (v === null || v === undefined ? fill : v));
  const total = u.reduce((a, b) => a + b, 0);
  return total > 0 ? u.map((v) => (1 - tau) * (v / total) + tau / N) : u.map(() => 1 / N);
}

/** fmix32 of MurmurHash3: a 32-bit mixer, so draw t's uniform depends only on (seed, t). */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The uniform of draw t (1-based) under `seed`: reproducible and resumable without a generator's state. */
export function drawUniform(seed: number, t: number): number {
  return seededRandom(fmix32((seed >>> 0) ^ fmix32(Math.imul(t, 0x9e3779b1) + 0x7f4a7c15)))();
}

export interface ActiveSequenceDesign {
  /** The judge's score per item on the human scale (calibrated, if a map is in use). */
  f: readonly number[];
  /** Draw probabilities per item, Σq = 1 (`activeDrawProbabilities`). */
  q: readonly number[];
  /** The human scale, e.g. [1, 5] (0/1 outcomes: [0, 1]). */
  range: [number, number];
  /** Seed of the draw sequence: draw t is item `cumulative-q⁻¹(drawUniform(seed, t))`. */
  seed: number;
  /** The level the CS is tuned for (default 0.05). */
  alpha?: number;
  /** 'betting' (default): the hedged-capital CS, exact for bounded increments; 'asymptotic': AsymptoticCS. */
  method?: 'betting' | 'asymptotic';
  /** Betting CS: grid (default 1000) and truncation (default 0.9: see `SEQUENTIAL_TRUNCATION`). */
  grid?: number;
  truncation?: number;
  /** Asymptotic CS: burn-in draws (default 30) and the draw count ρ is tuned for (default 200). */
  burnIn?: number;
  targetT?: number;
}

/**
 * The betting CS's default truncation in the sequential mode. Waudby-Smith & Ramdas use ½; the
 * increments here rarely come near their bounds (the bounds are the worst label on the item the
 * design weights most), so the cap, not the variance, limits the bets until t is in the
 * thousands, and a cap of 0.9 reached the same target width with 24–39 % fewer draws than ½
 * (three of bench/active.mjs's settings, active and uniform draws, 100 replications each).
 * Any value in (0, 1] keeps the CS valid: it only changes how boldly the capital is bet.
 */
export const SEQUENTIAL_TRUNCATION = 0.9;

/** The sequential design's default floor τ (see `activeDrawProbabilities`). */
export const SEQUENTIAL_FLOOR = 0.8;

/**
 * The state of a sequential active labelling session: which item to serve next, the labels so
 * far, the Hansen–Hurwitz estimate and its confidence sequence. The draw sequence is fixed by the
 * design and the seed (draw t never depends on labels), so a session can be rebuilt from the
 * ratings in the order they came (`ActiveSequence.replay`).
 */
export class ActiveSequence {
  readonly N: number;
  readonly fbar: number;
  /** The range of every increment Zₜ. */
  readonly bounds: Interval;
  private readonly design: ActiveSequenceDesign;
  private readonly cum: Float64Array;
  private readonly cs: HedgedBettingCS | AsymptoticCS;
  private readonly labels = new Map<number, number>();
  private draws = 0;
  private sumY = 0;
  /** Running sums over draws for the uniform-equivalent: Σ (Z − f̄)², Σ r²/(Nq), Σ (Z − f̄). */
  private sumD2 = 0;
  private sumR2 = 0;
  private sumD = 0;

  constructor(design: ActiveSequenceDesign) {
    const { f, q, range } = design;
    const N = f.length;
    if (N === 0 || q.length !== N)
      throw new UsageError('the design needs one judge score and one q per item');
    if (!(range[1] > range[0])) throw new UsageError(`the range must be [low, high] with low < high`);
    let total = 0;
    for (const v of q) {
      if (!(v > 0)) throw new UsageError(`every draw probability must be > 0 (got ${v})`);
      total += v;
    }
    if (Math.abs(total - 1) > 1e-9)
      throw new UsageError(`draw probabilities must sum to 1 (they sum to ${total})`);
    this.N = N;
    this.design = design;
    this.fbar = f.reduce((a, b) => a + b, 0) / N;
    let a = Number.POSITIVE_INFINITY;
    let b = Number.NEGATIVE_INFINITY;
    this.cum = new Float64Array(N);
    let c = 0;
    for (let i = 0; i < N; i++) {
      const w = N * q[i]!;
      a = Math.min(a, (range[0] - f[i]!) / w);
      b = Math.max(b, (range[1] - f[i]!) / w);
      c += q[i]!;
      this.cum[i] = c;
    }
    this.bounds = [this.fbar + a, this.fbar + b];
    this.cs =
      design.method === 'asymptotic'
        ? new AsymptoticCS({
            alpha: design.alpha ?? 0.05,
            range,
            ...(design.burnIn !== undefined ? { burnIn: design.burnIn } : {}),
            ...(design.targetT !== undefined ? { targetT: design.targetT } : {}),
          })
        : new HedgedBettingCS({
            lower: this.bounds[0],
            upper: this.bounds[1],
            parameterRange: range,
            alpha: design.alpha ?? 0.05,
            grid: design.grid ?? 1000,
            truncation: design.truncation ?? SEQUENTIAL_TRUNCATION,
          });
  }

  /** The index of the item served at draw t (1-based), by the design alone. */
  drawAt(t: number): number {
    const u = drawUniform(this.design.seed, t) * this.cum[this.N - 1]!;
    let lo = 0;
    let hi = this.N - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The item to serve next. */
  next(): number {
    return this.drawAt(this.draws + 1);
  }

  /** Whether item i already has its label (a draw of it costs no rating). */
  isLabelled(i: number): boolean {
    return this.labels.has(i);
  }

  /**
   * Records draw t + 1: `index` must be `next()`; `y` is required the first time the item is
   * drawn and may be left out (the stored label is reused) when it comes round again.
   */
  push(index: number, y?: number): void {
    const expected = this.next();
    if (index !== expected)
      throw new UsageError(
        `draw ${this.draws + 1} is item ${expected}, not ${index}: serve items in the design's order`,
      );
    const [lo, hi] = this.design.range;
    let label = this.labels.get(index);
    if (label === undefined) {
      if (y === undefined || !(y >= lo && y <= hi))
        throw new UsageError(`item ${index} needs a human score in [${lo}, ${hi}] (got ${y})`);
      label = y;
      this.labels.set(index, y);
      this.sumY += y;
    } else if (y !== undefined && y !== label)
      throw new UsageError(
        `item ${index} was rated ${label} before; a draw that comes round again reuses that label`,
      );
    const f = this.design.f[index]!;
    const nq = this.N * this.design.q[index]!;
    const z = this.fbar + (label - f) / nq;
    this.sumD += z - this.fbar;
    this.sumD2 += (z - this.fbar) ** 2;
    this.sumR2 += (label - f) ** 2 / nq;
    this.cs.push(Math.min(this.bounds[1], Math.max(this.bounds[0], z)));
    this.draws += 1;
  }

  /** Draws so far (t), and distinct items rated (the labels spent). */
  get t(): number {
    return this.draws;
  }
  get labelled(): number {
    return this.labels.size;
  }

  /** The Hansen–Hurwitz estimate (mean of the Zₜ); the census mean once every item is rated. */
  get estimate(): number {
    if (this.labels.size === this.N) return this.sumY / this.N;
    return this.cs.mean;
  }

  /** The anytime-valid interval for the mean human score of the N items (a point once all are rated). */
  interval(alpha?: number): Interval {
    if (this.labels.size === this.N) return [this.sumY / this.N, this.sumY / this.N];
    return this.cs.interval(alpha ?? this.design.alpha ?? 0.05);
  }

  /**
   * The draws a uniform design (qᵢ = 1/N) would need for the same variance of the Hansen–Hurwitz
   * estimate as these t draws: t · V_u/V_q, with the per-draw variances
   *   V_q = (1/N²) Σ rᵢ²/qᵢ − R̄²  and  V_u = (1/N) Σ rᵢ² − R̄²,  rᵢ = yᵢ − fᵢ, R̄ = mean r,
   * each estimated without bias from the draws so far (Σ r²/q by the mean of (Z − f̄)², Σ r² by
   * the mean of r²/(Nq)). A variance figure: the CS's width also depends on the increments'
   * range, which the active rule widens, so the labels a uniform session needs to reach the same
   * CS width can be fewer than this (bench/active.mjs measures that). null before 2 draws or when
   * every residual seen is 0.
   */
  get uniformDrawsForSameVariance(): number | null {
    const t = this.draws;
    if (t < 2) return null;
    const rbar = this.sumD / t;
    const vq = this.sumD2 / t - rbar * rbar;
    const vu = this.sumR2 / t - rbar * rbar;
    return vq > 0 ? (t * Math.max(0, vu)) / vq : null;
  }

  halfWidth(alpha?: number): number {
    const [l, u] = this.interval(alpha);
    return (u - l) / 2;
  }

  /** Rebuilds a session from its ratings in draw order (each the item served and its score). */
  static replay(
    design: ActiveSequenceDesign,
    ratings: readonly { index: number; y?: number }[],
  ): ActiveSequence {
    const s = new ActiveSequence(design);
    for (const r of ratings) s.push(r.index, r.y);
    return s;
  }
}

export interface StopDecision {
  stop: boolean;
  /** 'width': the half-width is at or below the target; 'budget': the next draw needs a new label and the budget is spent; 'census': every item is rated. */
  reason: 'width' | 'budget' | 'census' | null;
  halfWidth: number;
  labelled: number;
  draws: number;
}

/**
 * The stopping rule of the sequential mode, checked after every draw: stop when the CS
 * half-width is at or below `targetHalfWidth`, or when the next draw is an item without a label
 * and `budget` labels are spent (a draw of an item already rated is free, so it is taken), or when
 * every item is rated. Any such rule keeps the CS's coverage: it holds at every t at once.
 */
export function shouldStop(
  state: ActiveSequence,
  targetHalfWidth: number,
  budget: number,
  alpha?: number,
): StopDecision {
  const halfWidth = state.halfWidth(alpha);
  const base = { halfWidth, labelled: state.labelled, draws: state.t };
  if (state.labelled === state.N) return { ...base, stop: true, reason: 'census' };
  if (state.t > 0 && halfWidth <= targetHalfWidth) return { ...base, stop: true, reason: 'width' };
  if (state.labelled >= budget && !state.isLabelled(state.next()))
    return { ...base, stop: true, reason: 'budget' };
  return { ...base, stop: false, reason: null };
}
