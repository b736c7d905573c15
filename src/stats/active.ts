import { UsageError } from '../core/errors.js';
import { type Interval, leastSquaresLine } from './descriptive.js';
import { tQuantile, zCritical } from './distributions.js';
import { seededRandom, shuffled } from './random.js';

/**
 * Active gold sampling (issue #24): which items people should rate, with what probability, and
 * the estimate that honours that design. After Zrnic & Candès, "Active Statistical Inference"
 * (ICML 2024): label item i with probability πᵢ that grows with the judge's uncertainty about it,
 * and estimate the mean human score over N judged items by inverse-probability weighting of the
 * judge's errors,
 *
 *   θ̂ = (1/N) Σᵢ [ gᵢ + (ξᵢ/πᵢ)(yᵢ − gᵢ) ],   ξᵢ ~ Bernoulli(πᵢ) independently (Poisson sampling),
 *
 * where gᵢ is the judge's prediction of the human score (the judge score f, or a linear map
 * c + λf of it: see `activeMean`). E[θ̂] = (1/N) Σ yᵢ for any fixed g and any π > 0, so the
 * estimate is unbiased whatever the judge's quality; the judge and the design only move its
 * variance, which is
 *
 *   Var(θ̂) = (1/N) [ Var(Y) + E{ (1/π − 1)(Y − g)² } ]          (over items drawn from a population)
 *          = (1/N²) Σᵢ (1/πᵢ − 1)(yᵢ − gᵢ)²                    (design only: the N items' own mean),
 *
 * small when the judge is good where π is small. The variance is smallest for πᵢ ∝ √E[(yᵢ − gᵢ)²]
 * (the Neyman-type optimum for Poisson sampling), so an uncertainty signal should be on the scale
 * of a residual standard deviation: the helpers below all return such a spread.
 *
 * Nothing here does I/O. The sequential (one label at a time) design and its anytime-valid
 * interval are in confidence-sequence.ts.
 */

// ---------------------------------------------------------------------------------------------
// 1. Uncertainty signals: a non-negative spread per item, or null when the item has no such signal
// ---------------------------------------------------------------------------------------------

function sampleSd(values: readonly number[]): number {
  const n = values.length;
  let mean = 0;
  for (const v of values) mean += v / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/**
 * The spread of K judge samples of one item (`plumb score --samples K`): the sample standard
 * deviation (n − 1) of the K scores, which is what score lines carry as `spread[criterion].sd`.
 * Accepts the score line's `{ n, sd }` or the K values. null with fewer than 2 samples (no signal).
 */
export function uncertaintyFromSamples(
  samples: { n: number; sd: number } | readonly number[],
): number | null {
  if (Array.isArray(samples)) {
    const xs = (samples as readonly number[]).filter((v) => Number.isFinite(v));
    return xs.length < 2 ? null : sampleSd(xs);
  }
  const s = samples as { n: number; sd: number };
  return s.n < 2 || !Number.isFinite(s.sd) ? null : Math.max(0, s.sd);
}

/**
 * Disagreement inside a judge panel (`plumb score --judges a,b,c`): the sample standard deviation
 * of the members' scores for the item. `panel` is the score line's `panel` field (member →
 * `{ scores, overall }` or `{ error }`); `criterion` picks a criterion, else each member's
 * `overall`. Members that failed or have no score are left out; null with fewer than 2 scores.
 */
export function uncertaintyFromPanel(
  panel: Record<string, { scores?: Record<string, number | null> | null; overall?: number | null } | object>,
  criterion?: string,
): number | null {
  const values: number[] = [];
  for (const member of Object.values(panel)) {
    const m = member as { scores?: Record<string, number | null> | null; overall?: number | null };
    const v = criterion === undefined ? m.overall : m.scores?.[criterion];
    if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
  }
  return values.length < 2 ? null : sampleSd(values);
}

export type PairVerdict = 'A' | 'B' | 'tie';
/** A pair's verdict on the "B is better" scale: A → 0, tie → ½, B → 1. */
export const VERDICT_VALUE: Readonly<Record<PairVerdict, number>> = { A: 0, tie: 0.5, B: 1 };

/** The values of the verdicts (and votes) of a pair's orders on the "B is better" scale. */
export function orderValues(
  orders: readonly (PairVerdict | { votes: Partial<Record<PairVerdict, number>> } | null | undefined)[],
): number[] {
  const values: number[] = [];
  for (const o of orders) {
    if (o === null || o === undefined) continue;
    if (typeof o === 'string') values.push(VERDICT_VALUE[o]);
    else
      for (const v of ['A', 'B', 'tie'] as const)
        for (let k = 0; k < (o.votes[v] ?? 0); k++) values.push(VERDICT_VALUE[v]);
  }
  return values;
}

/**
 * Disagreement between the two presentation orders of a pair (pairwise lines): each verdict on
 * the "B is better" scale (A → 0, tie → ½, B → 1), and the sample standard deviation of the
 * values. With one verdict per order that is |v₁ − v₂|/√2: 0 when the orders agree, 0.354 when one
 * says tie, 0.707 when they contradict each other. When an order carries its samples' or panel's
 * `votes` ({A, B, tie} counts), every vote of both orders enters, so a split vote inside an
 * order counts too. null when fewer than two verdicts are known.
 */
export function uncertaintyFromOrders(
  orders: readonly (PairVerdict | { votes: Partial<Record<PairVerdict, number>> } | null | undefined)[],
): number | null {
  const values = orderValues(orders);
  return values.length < 2 ? null : sampleSd(values);
}

export interface ResidualSpreadLevel {
  /** The judge score (raw, before the calibration map). */
  score: number;
  /** Root-mean-square residual (human − mapped judge) at this score, shrunk to the pooled value. */
  sd: number;
  /** Gold items at this score. */
  n: number;
}

/**
 * For a calibrated judge: the residual spread of the fitted map by judge score, from the gold
 * set it was fitted on. `gold` holds each gold item's raw judge score and its residual (human −
 * mapped judge score). Per distinct score the root-mean-square residual, shrunk towards the
 * pooled one with `prior` pseudo-items (default 5), so a score seen twice does not claim a
 * spread of 0:  sd²ₖ = (Σₖ r² + prior · s²) / (nₖ + prior),  s² = the pooled mean of r².
 * The root-mean-square (not the SD about the level's mean) is what the design needs: a map that
 * is off at one score is uncertain there even if its errors agree.
 */
export function residualSpreadByScore(
  gold: readonly { score: number; residual: number }[],
  options: { prior?: number } = {},
): ResidualSpreadLevel[] {
  const prior = options.prior ?? 5;
  if (gold.length === 0) return [];
  let pooled = 0;
  for (const g of gold) pooled += g.residual ** 2 / gold.length;
  const by = new Map<number, { ss: number; n: number }>();
  for (const g of gold) {
    const b = by.get(g.score) ?? { ss: 0, n: 0 };
    b.ss += g.residual ** 2;
    b.n += 1;
    by.set(g.score, b);
  }
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([score, b]) => ({ score, n: b.n, sd: Math.sqrt((b.ss + prior * pooled) / (b.n + prior)) }));
}

/**
 * The calibrated residual spread at a judge score: the level's `sd` from `residualSpreadByScore`
 * (or any table of score → sd), linearly interpolated between known scores and held constant
 * beyond the ends. null when the table is empty.
 */
export function uncertaintyFromResidualSpread(
  score: number,
  table: readonly { score: number; sd: number }[],
): number | null {
  if (table.length === 0 || !Number.isFinite(score)) return null;
  const t = [...table].sort((a, b) => a.score - b.score);
  if (score <= t[0]!.score) return t[0]!.sd;
  if (score >= t[t.length - 1]!.score) return t[t.length - 1]!.sd;
  let k = 0;
  while (t[k + 1]!.score < score) k++;
  const a = t[k]!;
  const b = t[k + 1]!;
  return a.sd + ((score - a.score) / (b.score - a.score)) * (b.sd - a.sd);
}

/**
 * Several signals for the same items, combined per item as the root of the sum of squares of
 * those it has (independent sources of doubt add as variances); null where it has none.
 */
export function combineUncertainty(...signals: readonly (readonly (number | null)[])[]): (number | null)[] {
  const N = signals[0]?.length ?? 0;
  for (const s of signals)
    if (s.length !== N) throw new UsageError('combineUncertainty: every signal needs one value per item');
  return Array.from({ length: N }, (_, i) => {
    let ss = 0;
    let any = false;
    for (const s of signals) {
      const v = s[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      ss += v * v;
      any = true;
    }
    return any ? Math.sqrt(ss) : null;
  });
}

// ---------------------------------------------------------------------------------------------
// 2. From uncertainty to inclusion probabilities
// ---------------------------------------------------------------------------------------------

export interface ActiveProbabilityOptions {
  /** Expected number of labels, B: Σπ = min(B, N). */
  budget: number;
  /**
   * τ ∈ [0, 1], the share of the budget spread uniformly (Zrnic & Candès' mixing weight):
   * πᵢ = (1 − τ)·B·uᵢ/Σu + τ·B/N before capping, so every item has πᵢ ≥ τB/N and its weight
   * 1/πᵢ is at most N/(τB). τ = 1 is the uniform draw. Default 0.5: the design variance is then
   * at most about twice a uniform draw's (Σ r²/π ≤ (N/τB) Σ r²), whatever the signal is worth.
   */
  floor?: number;
  /** A minimum π for every item, applied on top of τ (e.g. 0.02); must be ≤ B/N. */
  minPi?: number;
}

/**
 * Inclusion probabilities πᵢ for Poisson sampling from per-item uncertainties uᵢ (≥ 0, on the
 * scale of a residual standard deviation):
 *   πᵢ = min(1, κ · max(pmin, (1 − τ)·uᵢ/Σu + τ/N)),  κ chosen so that Σπᵢ = min(B, N) exactly.
 * Items whose π reaches 1 are labelled for sure and their excess is spread over the others in
 * proportion to their shares (the cap-and-rescale iteration, at most N rounds). Equal u give equal
 * π; items without a signal (null) get the mean of the known uncertainties; if every u is 0 (or
 * none is known) the draw is uniform, πᵢ = B/N; a budget ≥ N gives πᵢ = 1 for all (a census).
 */
export function activeProbabilities(
  uncertainty: readonly (number | null)[],
  options: ActiveProbabilityOptions,
): number[] {
  const N = uncertainty.length;
  const { budget } = options;
  const tau = options.floor ?? 0.5;
  if (N === 0) return [];
  if (!(budget > 0)) throw new UsageError(`the budget must be a positive number of labels (got ${budget})`);
  if (!(tau >= 0 && tau <= 1)) throw new UsageError(`the floor τ must be in [0, 1] (got ${tau})`);
  const known = uncertainty.filter((u): u is number => u !== null && u !== undefined);
  for (const u of known)
    if (!(u >= 0 && Number.isFinite(u)))
      throw new UsageError(`uncertainties must be finite and ≥ 0 (got ${u})`);
  if (budget >= N) return uncertainty.map(() => 1);
  const fill = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  const u = uncertainty.map((v) => (v === null || v === undefined ? fill : v));
  const total = u.reduce((a, b) => a + b, 0);
  // the shape: shares that sum to 1
  let shape = total > 0 ? u.map((v) => (1 - tau) * (v / total) + tau / N) : u.map(() => 1 / N);
  if (options.minPi !== undefined) {
    if (!(options.minPi >= 0 && options.minPi <= budget / N))
      throw new UsageError(`minPi must be in [0, budget/N = ${budget / N}] (got ${options.minPi})`);
    const floorShare = options.minPi / budget;
    // raising some shares to the floor share and renormalising can push them back under it; a few
    // rounds settle it (each fixes at least the items already at the floor)
    for (let round = 0; round < N; round++) {
      const raised = shape.map((s) => Math.max(s, floorShare));
      const sum = raised.reduce((a, b) => a + b, 0);
      shape = raised.map((s) => s / sum);
      if (shape.every((s) => s >= floorShare * (1 - 1e-12))) break;
    }
  }
  return capAndRescale(shape, budget);
}

/** π = min(1, κ·shape) with Σπ = B: items at 1 are fixed, the rest rescaled, until none exceeds 1. */
function capAndRescale(shape: readonly number[], budget: number): number[] {
  const N = shape.length;
  const pi = new Array<number>(N).fill(0);
  const capped = new Array<boolean>(N).fill(false);
  let nCapped = 0;
  for (let round = 0; round <= N; round++) {
    let free = 0;
    for (let i = 0; i < N; i++) if (!capped[i]) free += shape[i]!;
    const left = budget - nCapped;
    let changed = false;
    for (let i = 0; i < N; i++) {
      if (capped[i]) continue;
      const p = free > 0 ? (left * shape[i]!) / free : left / (N - nCapped);
      if (p >= 1) {
        capped[i] = true;
        nCapped += 1;
        changed = true;
      }
    }
    if (!changed) {
      for (let i = 0; i < N; i++)
        pi[i] = capped[i] ? 1 : free > 0 ? (left * shape[i]!) / free : left / (N - nCapped);
      return pi;
    }
  }
  return pi.map(() => Math.min(1, budget / N)); // not reached: each round caps at least one item
}

/**
 * τ for a budget from a pilot (Zrnic & Candès tune it the same way): the τ on a grid of 0.01…1
 * that minimises the design variance Σ rᵢ²/πᵢ(τ) over the pilot items, where rᵢ is a pilot
 * item's residual (human − judge) and πᵢ(τ) its probability at the same budget share
 * (B/N of the full set, applied to the pilot's size). Pilot residuals are data: a pilot of a few
 * dozen items gives a noisy τ, so the result is never below `min` (default 0.1).
 */
export function tuneFloor(
  pilot: readonly { uncertainty: number | null; residual: number }[],
  budgetShare: number,
  options: { min?: number } = {},
): number {
  const n = pilot.length;
  const min = options.min ?? 0.1;
  if (n === 0) return 0.5;
  let best = 1;
  let bestV = Number.POSITIVE_INFINITY;
  for (let k = 100; k >= Math.round(min * 100); k--) {
    const tau = k / 100;
    const pi = activeProbabilities(
      pilot.map((p) => p.uncertainty),
      { budget: Math.min(n, budgetShare * n), floor: tau },
    );
    let v = 0;
    for (let i = 0; i < n; i++) v += pilot[i]!.residual ** 2 / pi[i]!;
    if (v < bestV * (1 - 1e-12)) {
      bestV = v;
      best = tau;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// 3. The draw
// ---------------------------------------------------------------------------------------------

/**
 * Poisson sampling: item i is labelled with probability πᵢ, independently of the others, from a
 * seeded uniform stream (one draw per item, in item order: the same π and seed give the same
 * sample on every machine). The number of labels is random with mean Σπ = the budget and
 * variance Σπ(1 − π) ≤ the budget. Returns the labelled flags, and the labelled items in a seeded
 * random order for presentation (the order does not enter the estimate).
 *
 * This is the design plumb uses for `gold sample --active`: the estimator and its variance are
 * exact for it (independent inclusions, known πᵢ), cross-fitting the judge map stays exactly
 * unbiased, and it is the design Zrnic & Candès analyse. Fixed-size πps designs (Sampford,
 * Pareto, systematic) would hit the budget exactly but need joint inclusion probabilities (or
 * approximations to them) for the variance; the budget's shortfall or excess under Poisson
 * sampling is about ±√B (±10 at B = 100), which is the price of an exact variance.
 */
export function drawActive(pi: readonly number[], seed: number): { labelled: boolean[]; order: number[] } {
  const rand = seededRandom(seed);
  const labelled = pi.map((p) => {
    if (!(p > 0 && p <= 1)) throw new UsageError(`inclusion probabilities must be in (0, 1] (got ${p})`);
    return rand() < p;
  });
  const chosen = labelled.flatMap((l, i) => (l ? [i] : []));
  return { labelled, order: shuffled(chosen, rand) };
}

// ---------------------------------------------------------------------------------------------
// 4. Estimation that honours the design
// ---------------------------------------------------------------------------------------------

export interface ActiveItem {
  /** The judge's score on the human scale (calibrated, if a map is in use). */
  f: number;
  /** The item's inclusion probability in the draw that was made. */
  pi: number;
  /** Whether the draw selected it (ξᵢ). */
  labelled: boolean;
  /** The human label, required when labelled. */
  y?: number | null;
  /** Optional cluster (prompt): the population variance is then cluster-robust by it. */
  cluster?: string;
}

export interface ActiveMeanOptions {
  alpha?: number;
  /**
   * The judge map g = c + λf. λ: a number (default 1: the judge score as it is, Zrnic & Candès'
   * estimator) or 'tuned' (power tuning: λ by weighted least squares, clipped to [0, 1]).
   */
  lambda?: 'tuned' | number;
  /**
   * Fit the intercept c (default true): the judge's mean error on the human scale. Both c and a
   * tuned λ are fitted on the labelled items outside each item's fold (cross-fitting, so gᵢ never
   * depends on item i's own draw and θ̂ stays exactly unbiased) by least squares weighted by
   * (1 − π)/π², which makes them the minimisers of the estimated design variance Σ(1/π − 1)(y − g)².
   * false with λ = 1 is exactly Zrnic & Candès' estimator; false with λ = 0 the Horvitz–Thompson
   * mean of the gold labels.
   */
  intercept?: boolean;
  /** The outcome's scale, e.g. [1, 5]: the interval is clipped to it. */
  range?: [number, number];
  /** Cross-fitting folds over all N items (default 5) and the seed of their assignment (default 1). */
  folds?: number;
  seed?: number;
  /** An explicit fold per item (0 … K − 1) instead of the seeded assignment. */
  foldOf?: readonly number[];
  /**
   * 'population' (default): the mean of the population the N items were drawn from; the variance
   * is Var(T)/N over the N terms Tᵢ (cluster-robust when items carry clusters), which also covers
   * the N items' own mean, conservatively. 'items': the mean of these N items; design variance only,
   * Σ ξᵢ (1 − πᵢ) (yᵢ − gᵢ)²/πᵢ² / N² (the Horvitz–Thompson variance under Poisson sampling).
   */
  estimand?: 'population' | 'items';
  /** Fewest labelled items an interval is offered for (default `ACTIVE_MIN_LABELLED`, 10). */
  minLabelled?: number;
}

export interface ActiveMeanResult {
  estimate: number | null;
  ci: Interval | null;
  se?: number;
  /** Degrees of freedom of the t reference: Satterthwaite's 2(Σa)²/Σa², at most labelled items (clusters) − 1. */
  df?: number;
  /** The t quantile used, t_{1−α/2, df}. */
  quantile?: number;
  /** Mean over items of the cross-fitted λ and c. */
  lambda?: number;
  intercept?: number;
  /** Labelled items (n) and all items (N); expected labels Σπ. */
  n: number;
  N: number;
  expectedLabels: number;
  /**
   * Effective n: the labels a uniform random sample of human labels alone (no judge) would need
   * for the same variance: σ̂²_y / se² (population), or with the finite-population correction
   * ('items'), 1/(se²/σ̂²_y + 1/N); σ̂²_y is the design-weighted (Hájek) variance of y.
   */
  effectiveN?: number;
  /**
   * The labels a uniform draw (πᵢ = n_u/N for all i) with this same estimator (same g, estimand
   * and α) would need, in expectation, for the same variance and so the same half-width:
   *   n_u = N · Σᵢ rᵢ² / Σᵢ rᵢ²/πᵢ,  rᵢ = yᵢ − gᵢ,
   * which solves (N/n_u − 1) Σ r² = Σ (1/π − 1) r² (the design variances are equal; the Var(Y)/N
   * term is common to both). Estimated from this sample by Horvitz–Thompson sums over the labelled
   * items: N · Σ ξ r²/π / Σ ξ r²/π². null when every labelled residual is 0. A variance figure:
   * where a few heavily weighted labels carry the variance the active interval also gets fewer
   * Satterthwaite df, so the labels a uniform draw needs for the same printed width can be a few
   * percent fewer than this (bench/active.mjs measures both; 1 − budget/n_u is the saving).
   */
  uniformLabelsForSameWidth?: number | null;
  estimand: 'population' | 'items';
  interval: string;
  reason?: string;
}

interface Prepared {
  N: number;
  g: number[];
  lambdas: number[];
  intercepts: number[];
}

function validate(items: readonly ActiveItem[]): string | null {
  for (const [i, it] of items.entries()) {
    if (!Number.isFinite(it.f)) return `item ${i}: the judge score is not a number`;
    if (!(it.pi > 0 && it.pi <= 1)) return `item ${i}: π = ${it.pi} is not in (0, 1]`;
    if (it.labelled && (it.y === null || it.y === undefined || !Number.isFinite(it.y)))
      return `item ${i}: labelled but has no human score`;
  }
  return null;
}

/**
 * Weighted least squares of y on (1, f) (`intercept`) or on f alone, or only the intercept of
 * y − λf for a fixed λ; a tuned λ is clipped to [0, 1] (1 when fewer than 3 points or f constant).
 */
function fitMap(
  ys: number[],
  fs: number[],
  ws: number[],
  lambda: 'tuned' | number,
  intercept: boolean,
): { lambda: number; c: number } {
  let W = 0;
  let m = 0;
  for (let i = 0; i < ys.length; i++) {
    if (!(ws[i]! > 0)) continue;
    W += ws[i]!;
    m += 1;
  }
  const fixed = lambda === 'tuned' ? 1 : lambda;
  if (m === 0) return { lambda: fixed, c: 0 };
  let my = 0;
  let mf = 0;
  if (intercept)
    for (let i = 0; i < ys.length; i++) {
      if (!(ws[i]! > 0)) continue;
      my += (ws[i]! * ys[i]!) / W;
      mf += (ws[i]! * fs[i]!) / W;
    }
  let lam = fixed;
  if (lambda === 'tuned') {
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < ys.length; i++) {
      if (!(ws[i]! > 0)) continue;
      sxy += ws[i]! * (fs[i]! - mf) * (ys[i]! - my);
      sxx += ws[i]! * (fs[i]! - mf) ** 2;
    }
    lam = m >= 3 && sxx > 1e-12 * W ? Math.max(0, Math.min(1, sxy / sxx)) : 1;
  }
  return { lambda: lam, c: intercept ? my - lam * mf : 0 };
}

function foldAssignment(N: number, K: number, seed: number): number[] {
  const order = shuffled(
    Array.from({ length: N }, (_, i) => i),
    seededRandom(seed),
  );
  const fold = new Array<number>(N).fill(0);
  order.forEach((item, r) => {
    fold[item] = r % K;
  });
  return fold;
}

function prepare(items: readonly ActiveItem[], options: ActiveMeanOptions): Prepared {
  const N = items.length;
  const lam = options.lambda ?? 1;
  const intercept = options.intercept ?? true;
  if (lam !== 'tuned' && !intercept)
    return {
      N,
      g: items.map((it) => lam * it.f),
      lambdas: items.map(() => lam),
      intercepts: items.map(() => 0),
    };
  const fold =
    options.foldOf ?? foldAssignment(N, Math.max(2, Math.min(options.folds ?? 5, N)), options.seed ?? 1);
  const K = Math.max(...fold) + 1;
  const fits: { lambda: number; c: number }[] = [];
  for (let k = 0; k < K; k++) {
    const ys: number[] = [];
    const fs: number[] = [];
    const ws: number[] = [];
    items.forEach((it, i) => {
      if (fold[i] === k || !it.labelled) return;
      ys.push(it.y!);
      fs.push(it.f);
      ws.push((1 - it.pi) / (it.pi * it.pi));
    });
    fits.push(fitMap(ys, fs, ws, lam, intercept));
  }
  const lambdas = items.map((_, i) => fits[fold[i]!]!.lambda);
  const intercepts = items.map((_, i) => fits[fold[i]!]!.c);
  return { N, g: items.map((it, i) => intercepts[i]! + lambdas[i]! * it.f), lambdas, intercepts };
}

/** The per-item terms Tᵢ = gᵢ + ξᵢ(yᵢ − gᵢ)/πᵢ and the design quantities the results need. */
function terms(items: readonly ActiveItem[], p: Prepared) {
  const T = items.map((it, i) => p.g[i]! + (it.labelled ? (it.y! - p.g[i]!) / it.pi : 0));
  let vItems = 0; // Σ ξ (1 − π) r²/π²   (× 1/N² later)
  let vItems2 = 0; // Σ of its terms squared (Satterthwaite)
  let sr2 = 0; // Σ ξ r²/π    ≈ Σ r²
  let sr2pi = 0; // Σ ξ r²/π²  ≈ Σ r²/π
  let hw = 0; // Hájek variance of y
  let hy = 0;
  let hy2 = 0;
  let n = 0;
  for (const [i, it] of items.entries()) {
    if (!it.labelled) continue;
    n += 1;
    const r = it.y! - p.g[i]!;
    const d = ((1 - it.pi) * r * r) / (it.pi * it.pi);
    vItems += d;
    vItems2 += d * d;
    sr2 += (r * r) / it.pi;
    sr2pi += (r * r) / (it.pi * it.pi);
    hw += 1 / it.pi;
    hy += it.y! / it.pi;
    hy2 += (it.y! * it.y!) / it.pi;
  }
  const hMean = hw > 0 ? hy / hw : 0;
  const s2y = n > 1 ? ((hy2 / hw - hMean * hMean) * n) / (n - 1) : Number.NaN;
  return { T, vItems, vItems2, sr2, sr2pi, s2y, n };
}

/**
 * Cluster-robust (G/(G − 1)) variance of Σᵢ cᵢ from the per-item contributions cᵢ = wᵢ(Tᵢ − θ̂),
 * singletons when there are no clusters, with the Satterthwaite effective df of that sum of
 * squares: df = 2 E[V]² / Var(V) with V = Σ a_g, a_g = s_g², E[V] estimated by Σ a_g and each
 * Var(a_g) by a_g² (at least the variance, since Var(a) = E[a²] − E[a]²), so 2(Σa)²/Σa². A
 * variance carried by a handful of heavily weighted labels gets few df and a wider t.
 */
function linearisedVariance(
  contributions: readonly number[],
  clusters: readonly (string | undefined)[] | null,
): { v: number; dfEff: number } {
  const sums = new Map<string, number>();
  contributions.forEach((c, i) => {
    const key = clusters?.[i] ?? `\u0000item${i}`;
    sums.set(key, (sums.get(key) ?? 0) + c);
  });
  const G = sums.size;
  let ss = 0;
  let s4 = 0;
  for (const v of sums.values()) {
    ss += v * v;
    s4 += v ** 4;
  }
  return {
    v: G > 1 ? (ss * G) / (G - 1) : Number.NaN,
    dfEff: s4 > 0 ? (2 * ss * ss) / s4 : Number.POSITIVE_INFINITY,
  };
}

function labelledClusters(items: readonly ActiveItem[]): number {
  const s = new Set<string>();
  items.forEach((it, i) => {
    if (it.labelled) s.add(it.cluster ?? `\u0000item${i}`);
  });
  return s.size;
}

function clip(ci: Interval, range: [number, number] | undefined): Interval {
  return range ? [Math.max(range[0], ci[0]), Math.min(range[1], ci[1])] : ci;
}

/** Below this many labelled items no interval is offered (the variance of a handful of IPW terms is not an estimate). */
export const ACTIVE_MIN_LABELLED = 10;

function describe(options: ActiveMeanOptions, estimand: 'population' | 'items', clustered: boolean): string {
  const lam = options.lambda ?? 1;
  const c = options.intercept ?? true;
  const map =
    lam === 'tuned'
      ? `judge map ${c ? 'c + ' : ''}λf, λ tuned in [0, 1]${c ? ' and c' : ''} cross-fitted`
      : c
        ? `judge ${lam === 1 ? 'score' : `score × ${lam}`} + cross-fitted shift c`
        : lam === 1
          ? 'judge score as is (Zrnic & Candès)'
          : `λ = ${lam} fixed`;
  const v =
    estimand === 'items'
      ? 'Horvitz–Thompson design variance (mean of these items)'
      : clustered
        ? 'cluster-robust variance of the IPW terms'
        : 'variance of the IPW terms';
  return `active (Poisson sampling, inverse-probability weighted), ${map}, ${v}, Satterthwaite t`;
}

/** df: the Satterthwaite effective df, at most (labelled units − 1), at least 1. */
function dfOf(dfEff: number, units: number): number {
  return Math.max(1, Math.min(units - 1, dfEff));
}

/**
 * The active estimate of the mean human score over N judged items, from a Poisson draw with known
 * πᵢ (the items that were not drawn count through their judge score):
 *
 *   θ̂ = (1/N) Σᵢ Tᵢ,  Tᵢ = gᵢ + ξᵢ (yᵢ − gᵢ)/πᵢ,  gᵢ = cₖ₍ᵢ₎ + λₖ₍ᵢ₎ fᵢ,
 *
 * with (c, λ) per fold k fitted on the labelled items outside the fold (so gᵢ does not depend on
 * item i's own draw and θ̂ stays exactly unbiased; by default λ = 1 and only the shift c is
 * fitted), and
 *   population:  SE² = s²(T)/N  (s² with N − 1; cluster-robust by `cluster` when given),
 *   items:       SE² = Σ ξᵢ (1 − πᵢ) rᵢ²/πᵢ² / N²;
 * interval θ̂ ± t_{1−α/2, df} · SE clipped to `range`, where df is the Satterthwaite df of the
 * variance's terms aᵢ, 2(Σaᵢ)²/Σaᵢ² (see linearisedVariance), capped at labelled items − 1
 * (labelled clusters − 1).
 * Uniform π gives the ordinary estimates: λ = 1 without the shift is PPI with the judge mean over
 * all N items, λ = 0 without it the Horvitz–Thompson mean of the gold labels, and every π = 1 the
 * census mean of y.
 *
 * Departures from Zrnic & Candès (each chosen by the seeded study in bench/active.mjs):
 *  - the shift c: under Poisson sampling the number of labels is random, and an uncentred residual
 *    costs (1/π − 1)·E[r]² — a judge 0.3 off on a 1–5 scale pays ~25 % more width without it;
 *  - λ stays 1 unless asked ('tuned'): a tuned slope saved ≤ 2 % of width in the study's settings
 *    and, fitted on a handful of labelled positives, lost coverage with rare 0/1 outcomes (91 % at a
 *    5 % pass rate with 150 labels);
 *  - cross-fitting, and Student's t on the Satterthwaite df where they use z: the variance is carried
 *    by the labelled terms, a few of which can dominate it. (The normal-theory plug-in (Σa)²/Σa²,
 *    without the factor 2, is 2–3 times too small — E[a²] = 3σ⁴ for a normal term — and where a
 *    few weights dominate it covered 97.5 % with intervals 7.5 % wider, turning a 4 % loss against
 *    a uniform draw into 16 %; elsewhere both give the same intervals to within 2 %.)
 * Refused below 10 labelled items (unless every item is labelled for sure: a census).
 */
export function activeMean(items: readonly ActiveItem[], options: ActiveMeanOptions = {}): ActiveMeanResult {
  const N = items.length;
  const estimand = options.estimand ?? 'population';
  const clustered = items.some((it) => it.cluster !== undefined);
  const interval = describe(options, estimand, clustered);
  const n = items.filter((it) => it.labelled).length;
  const expectedLabels = items.reduce((a, it) => a + it.pi, 0);
  const fail = (reason: string): ActiveMeanResult => ({
    estimate: null,
    ci: null,
    n,
    N,
    expectedLabels,
    estimand,
    interval,
    reason,
  });
  if (N === 0) return fail('no items');
  const bad = validate(items);
  if (bad) return fail(bad);
  const census = items.every((it) => it.pi === 1 && it.labelled);
  const minLabelled = Math.max(2, options.minLabelled ?? ACTIVE_MIN_LABELLED);
  if (n < minLabelled && !census) return fail(`needs at least ${minLabelled} labelled items (has ${n})`);
  const p = prepare(items, options);
  const t = terms(items, p);
  let estimate = 0;
  for (const v of t.T) estimate += v / N;
  const alpha = options.alpha ?? 0.05;
  const units = clustered ? labelledClusters(items) : n;
  let variance: number;
  let dfEff: number;
  if (estimand === 'items') {
    variance = t.vItems / (N * N);
    dfEff = t.vItems2 > 0 ? (2 * t.vItems * t.vItems) / t.vItems2 : Number.POSITIVE_INFINITY;
  } else {
    const lin = linearisedVariance(
      t.T.map((v) => (v - estimate) / N),
      clustered ? items.map((it) => it.cluster) : null,
    );
    variance = lin.v;
    dfEff = lin.dfEff;
  }
  const se = Math.sqrt(Math.max(0, variance));
  const df = units > 1 ? dfOf(dfEff, units) : Number.POSITIVE_INFINITY;
  const q = Number.isFinite(df) ? tQuantile(1 - alpha / 2, df) : zCritical(alpha);
  const ci = clip([estimate - q * se, estimate + q * se], options.range);
  const effectiveN =
    se > 0 && t.s2y > 0
      ? estimand === 'items'
        ? 1 / ((se * se) / t.s2y + 1 / N)
        : t.s2y / (se * se)
      : undefined;
  return {
    estimate,
    ci,
    se,
    df,
    quantile: q,
    lambda: p.lambdas.reduce((a, b) => a + b, 0) / N,
    intercept: p.intercepts.reduce((a, b) => a + b, 0) / N,
    n,
    N,
    expectedLabels,
    ...(effectiveN !== undefined ? { effectiveN } : {}),
    uniformLabelsForSameWidth: t.sr2pi > 0 ? (N * t.sr2) / t.sr2pi : null,
    estimand,
    interval,
  };
}

export interface ActiveContrastResult extends ActiveMeanResult {
  /** The two conditions' own estimates (B − A is the contrast). */
  a: ActiveMeanResult;
  b: ActiveMeanResult;
}

/**
 * A contrast between two conditions, θ_B − θ_A, each the active estimate over its own items
 * (each condition gets its own cross-fitted judge shift). Items of the two conditions are
 * independent unless they carry clusters (the same prompt answered under both conditions): then
 * the population variance is cluster-robust over the linearised contrast,
 *   Σ_g ( Σ_{i∈g} wᵢ (Tᵢ − θ̂_{c(i)}) )² · G/(G − 1),  wᵢ = 1/N_B for B items, −1/N_A for A items,
 * with t on its Satterthwaite df (at most labelled clusters − 1); otherwise Var = Var_A + Var_B
 * with the Welch–Satterthwaite df of the two. Under the 'items' estimand the design variances add
 * (inclusions are independent). `uniformLabelsForSameWidth` is the sum of the two conditions'.
 */
export function activeContrast(
  items: readonly (ActiveItem & { condition: string })[],
  A: string,
  B: string,
  options: ActiveMeanOptions = {},
): ActiveContrastResult {
  const ia = items.filter((it) => it.condition === A);
  const ib = items.filter((it) => it.condition === B);
  const a = activeMean(ia, options);
  const b = activeMean(ib, options);
  const estimand = options.estimand ?? 'population';
  const clustered = items.some((it) => it.cluster !== undefined);
  const base = {
    a,
    b,
    n: a.n + b.n,
    N: a.N + b.N,
    expectedLabels: a.expectedLabels + b.expectedLabels,
    estimand,
    interval: `contrast ${B} − ${A}: ${a.interval}`,
  };
  if (a.estimate === null || b.estimate === null)
    return {
      ...base,
      estimate: null,
      ci: null,
      reason: a.estimate === null ? `${A}: ${a.reason}` : `${B}: ${b.reason}`,
    };
  const estimate = b.estimate - a.estimate;
  const alpha = options.alpha ?? 0.05;
  let variance: number;
  let df: number;
  if (clustered && estimand === 'population') {
    const ta = terms(ia, prepare(ia, options)).T;
    const tb = terms(ib, prepare(ib, options)).T;
    const contributions = [
      ...ta.map((v) => -(v - a.estimate!) / ia.length),
      ...tb.map((v) => (v - b.estimate!) / ib.length),
    ];
    const lin = linearisedVariance(
      contributions,
      [...ia, ...ib].map((it) => it.cluster),
    );
    variance = lin.v;
    df = dfOf(lin.dfEff, labelledClusters([...ia, ...ib]));
  } else {
    const va = a.se! ** 2;
    const vb = b.se! ** 2;
    variance = va + vb;
    const denom = (va * va) / a.df! + (vb * vb) / b.df!;
    df = denom > 0 ? (variance * variance) / denom : a.df! + b.df!;
  }
  const se = Math.sqrt(Math.max(0, variance));
  const q = Number.isFinite(df) ? tQuantile(1 - alpha / 2, df) : zCritical(alpha);
  const width = options.range ? options.range[1] - options.range[0] : undefined;
  const ua = a.uniformLabelsForSameWidth;
  const ub = b.uniformLabelsForSameWidth;
  return {
    ...base,
    estimate,
    ci: clip([estimate - q * se, estimate + q * se], width === undefined ? undefined : [-width, width]),
    se,
    df,
    quantile: q,
    uniformLabelsForSameWidth:
      ua === null || ub === null || ua === undefined || ub === undefined ? null : ua + ub,
  };
}

// ---------------------------------------------------------------------------------------------
// 5. Before any label: the expected saving (for gold plan)
// ---------------------------------------------------------------------------------------------

export interface ExpectedSavingOptions {
  budget: number;
  floor?: number;
  minPi?: number;
  /**
   * How the judge's residual variance E[(y − g)² | u] depends on the signal, which nothing but
   * gold can tell. One of:
   *   - `pilot`: gold items with their uncertainty and residual; fits E[r² | u] = a + b·u² by
   *     non-negative least squares;
   *   - `residualSd`: a function u → residual SD (e.g. from a calibration's residual spread);
   *   - otherwise `explained` (default 0.5): the share of the mean residual variance that moves
   *     with u², E[r² | u] ∝ (1 − s)·mean(u²) + s·u². s = 1 is the best case the active rule is
   *     built on (residual SD ∝ u); s = 0 a signal worth nothing (no saving, a small loss).
   */
  pilot?: readonly { uncertainty: number | null; residual: number }[];
  residualSd?: (u: number) => number;
  explained?: number;
}

export interface ExpectedSaving {
  N: number;
  budget: number;
  floor: number;
  /** Design variance of the active draw relative to a uniform draw of the same budget (< 1 is a gain). */
  varianceRatio: number;
  /** Labels a uniform draw needs for the active draw's expected variance: N Σσ² / Σ σ²/π. */
  uniformLabelsForSameWidth: number;
  /** 1 − budget / uniformLabelsForSameWidth: the share of labels the active draw saves. */
  saving: number;
  /** Where E[r² | u] came from. */
  assumption: string;
  /** The fitted a, b of E[r² | u] = a + b·u² (pilot or explained share; absent for a function). */
  model?: { a: number; b: number };
}

/** Non-negative least squares of r² on (1, u²). */
function fitVarianceModel(pilot: readonly { uncertainty: number; residual: number }[]): {
  a: number;
  b: number;
} {
  const n = pilot.length;
  const x = pilot.map((p) => p.uncertainty ** 2);
  const y = pilot.map((p) => p.residual ** 2);
  const line = leastSquaresLine(x, y);
  let b = line.slope;
  let a = line.intercept;
  if (b < 0) {
    b = 0;
    a = line.mean.y;
  } else if (a < 0) {
    a = 0;
    let sxy0 = 0;
    let sxx0 = 0;
    for (let i = 0; i < n; i++) {
      sxy0 += x[i]! * y[i]!;
      sxx0 += x[i]! * x[i]!;
    }
    b = sxx0 > 0 ? sxy0 / sxx0 : 0;
  }
  return { a, b };
}

/**
 * The expected saving of an active draw before any label (`gold plan`). With σᵢ² = E[(yᵢ − gᵢ)² | uᵢ]
 * from the assumed or piloted relation and πᵢ from `activeProbabilities`, the design variances are
 *   active: Σ (1/πᵢ − 1) σᵢ² / N²,   uniform with n labels: (N/n − 1) Σ σᵢ² / N²,
 * so a uniform draw needs n_u = N Σσ² / Σ(σ²/π) labels for the active draw's variance and
 * half-width (the Var(Y)/N term of the population variance is common to both), and the saving is
 * 1 − B/n_u. Large-sample figures for the expected variance: the realised saving varies with the
 * draw, and nothing here checks the assumed relation — a pilot does.
 */
export function expectedSaving(
  uncertainty: readonly (number | null)[],
  options: ExpectedSavingOptions,
): ExpectedSaving {
  const N = uncertainty.length;
  const tau = options.floor ?? 0.5;
  const pi = activeProbabilities(uncertainty, {
    budget: options.budget,
    floor: tau,
    ...(options.minPi !== undefined ? { minPi: options.minPi } : {}),
  });
  const known = uncertainty.filter((u): u is number => u !== null && u !== undefined);
  const fill = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  const u = uncertainty.map((v) => (v === null || v === undefined ? fill : v));
  let sigma2: number[];
  let assumption: string;
  let model: { a: number; b: number } | undefined;
  if (options.pilot && options.pilot.length >= 3) {
    const pilot = options.pilot.map((p) => ({ uncertainty: p.uncertainty ?? fill, residual: p.residual }));
    model = fitVarianceModel(pilot);
    sigma2 = u.map((v) => model!.a + model!.b * v * v);
    assumption = `E[r² | u] = ${model.a.toPrecision(3)} + ${model.b.toPrecision(3)}·u², fitted on ${pilot.length} pilot gold items`;
  } else if (options.residualSd) {
    sigma2 = u.map((v) => options.residualSd!(v) ** 2);
    assumption = 'residual SD as a given function of the uncertainty';
  } else {
    const s = options.explained ?? 0.5;
    if (!(s >= 0 && s <= 1)) throw new UsageError(`explained must be in [0, 1] (got ${s})`);
    const mu2 = u.reduce((a, v) => a + v * v, 0) / Math.max(1, N);
    model = { a: (1 - s) * mu2, b: s };
    sigma2 = u.map((v) => model!.a + model!.b * v * v);
    assumption = `assumed: ${Math.round(100 * s)} % of the residual variance moves with u² (no pilot)`;
  }
  let s2 = 0;
  let s2pi = 0;
  let vAct = 0;
  for (let i = 0; i < N; i++) {
    s2 += sigma2[i]!;
    s2pi += sigma2[i]! / pi[i]!;
    vAct += (1 / pi[i]! - 1) * sigma2[i]!;
  }
  const B = Math.min(options.budget, N);
  const vUnif = (N / B - 1) * s2;
  const nU = s2pi > 0 ? (N * s2) / s2pi : B;
  return {
    N,
    budget: B,
    floor: tau,
    varianceRatio: vUnif > 0 ? vAct / vUnif : 1,
    uniformLabelsForSameWidth: nU,
    saving: nU > 0 ? 1 - B / nU : 0,
    assumption,
    ...(model ? { model } : {}),
  };
}

/**
 * The budget an active draw needs to match a uniform draw of `uniformLabels` (e.g. `gold plan`'s
 * PPI++ figure for a half-width): the smallest B (to 0.1 of a label) with
 * expectedSaving(B).uniformLabelsForSameWidth ≥ uniformLabels, by bisection (it rises with B).
 */
export function activeLabelsFor(
  uniformLabels: number,
  uncertainty: readonly (number | null)[],
  options: Omit<ExpectedSavingOptions, 'budget'>,
): number {
  const N = uncertainty.length;
  if (uniformLabels >= N) return N;
  let lo = 0;
  let hi = uniformLabels;
  if (expectedSaving(uncertainty, { ...options, budget: hi }).uniformLabelsForSameWidth < uniformLabels) {
    // a poor signal: the active draw needs more than the uniform one
    hi = N;
  }
  while (hi - lo > 0.1) {
    const mid = (lo + hi) / 2;
    if (expectedSaving(uncertainty, { ...options, budget: mid }).uniformLabelsForSameWidth >= uniformLabels)
      hi = mid;
    else lo = mid;
  }
  return hi;
}
