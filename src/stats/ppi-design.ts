import { cr2MeanFromSummaries } from './cr2.js';
import type { Interval } from './descriptive.js';
import { tQuantile } from './distributions.js';
import { seededRandom, shuffled } from './random.js';

/**
 * Prediction-powered inference (PPI++, Angelopoulos, Duchi & Zrnic 2023) for a mean on the human
 * scale, with intervals that hold at small gold sets and under the designs gold is really drawn
 * by: whole prompts (clusters), strata with unequal inclusion probabilities, paired contrasts.
 *
 * The plain PPI++ interval (ppi_py's ppi_mean_ci; src/calibration/ppi.ts) is a z interval with
 * λ̂ fitted on the same gold items whose residual variance it then reports. λ̂ minimises that
 * in-sample variance, so the variance is biased down, and with skewed or rare outcomes the z
 * quantile is too small: over 9 judge-versus-human settings (bench/coverage.mjs) it covers
 * 69.0–93.9 % at n = 30 (69 % at a 5 % pass rate), 86.9–94.2 % at n = 50 and 89.9–94.6 % at
 * n = 100. What this file does instead (chosen by a seeded study of t(n − 1) alone, a studentised
 * bootstrap, 2-fold, 5-fold and leave-one-out cross-fitting, and pseudo-pairs; the chosen method
 * covers 94.8–100 % in every cell at n = 30, 50, 100, N = 1,000 and 10,000):
 *   1. λ is cross-fitted: the labelled items are split into K = 5 folds (a seeded shuffle); each
 *      item's rectifier Y − λ₋ₖ f uses λ₋ₖ computed as ppi_py does (`_calc_lam_glm` for a mean:
 *      Cov(Y, f)/((1 + n/N) Var(f ∪ f̃)), clipped to [0, 1]) on the other folds and all f̃;
 *   2. the variance uses ddof = 1 and the interval Student's t on n − 1 degrees of freedom;
 *   3. for 0/1 outcomes (human and judge both binary) four pseudo-pairs (0,0), (0,1), (1,0), (1,1)
 *      join each λ fit and the rectifier variance (the Agresti–Caffo idea): with few
 *      disagreements in the gold set the residual variance is otherwise ~0 and the interval a point;
 *   4. the interval is clipped to the outcome's range when one is known (0/1 for binary): clipping
 *      to the parameter space never removes the true value, so coverage is unchanged.
 *   θ̂ = λ̄ · mean(f̃) + mean_i(Y_i − λ₋ₖ₍ᵢ₎ f_i),  λ̄ = mean_i λ₋ₖ₍ᵢ₎,
 *   SE² = λ̄² s²(f̃)/N + s²(rectifiers [+ 4 pseudo])/(n [+ 4]).
 */

/** estimate ± t(1 − α/2, df)·se, kept inside the scale's range (a 0/1 criterion's is [0, 1]). */
function tInterval(
  estimate: number,
  se: number,
  df: number,
  options: { alpha?: number; range?: [number, number] },
  binary: boolean,
) {
  const half = tQuantile(1 - (options.alpha ?? 0.05) / 2, df) * se;
  const range = options.range ?? (binary ? ([0, 1] as [number, number]) : undefined);
  return { estimate, ci: clipTo([estimate - half, estimate + half], range), se, df };
}

export interface PpiDesignResult {
  estimate: number | null;
  ci: Interval | null;
  se?: number;
  /** Degrees of freedom of the t reference. */
  df?: number;
  /** Mean of the cross-fitted λ's (per stratum: see `strata`). */
  lambda?: number;
  /** Labelled and unlabelled items used. */
  n: number;
  N: number;
  interval: string;
  reason?: string;
  /** Stratified designs: per stratum estimate, variance, n, N and weight. */
  strata?: {
    stratum: string;
    estimate: number;
    variance: number;
    n: number;
    N: number;
    weight: number;
    lambda: number;
  }[];
  /** Clustered designs: gold clusters. */
  clusters?: number;
}

export interface PpiDesignOptions {
  alpha?: number;
  /** Cross-fitting folds (default 5; at most n). */
  folds?: number;
  /** Seed of the fold assignment (default 1). */
  seed?: number;
  /** Treat outcomes as 0/1 and add the four pseudo-pairs: 'auto' (default) when every y and f is 0 or 1. */
  binary?: boolean | 'auto';
  /** Clip the interval to this range (default [0, 1] for binary outcomes, none otherwise). */
  range?: [number, number];
}

/** Summary of the unlabelled judge scores: count, mean, Σ(f − mean)². */
interface Moments {
  n: number;
  mean: number;
  m2: number;
}

function moments(xs: readonly number[]): Moments {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const x of xs) {
    n += 1;
    const d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  return { n, mean, m2 };
}

/** ppi_py's λ for a mean from labelled (y, f) and the unlabelled moments, clipped to [0, 1]. */
export function ppiLambdaFromMoments(
  y: readonly number[],
  f: readonly number[],
  unlabelled: Moments,
): number {
  const n = y.length;
  const N = unlabelled.n;
  if (n < 2 || N < 1) return 0;
  let my = 0;
  let mf = 0;
  for (let i = 0; i < n; i++) {
    my += y[i]! / n;
    mf += f[i]! / n;
  }
  let cov = 0;
  let ssf = 0;
  for (let i = 0; i < n; i++) {
    cov += (y[i]! - my) * (f[i]! - mf);
    ssf += (f[i]! - mf) ** 2;
  }
  cov /= n;
  // Var(f ∪ f̃) with ddof 1, pooled from the two parts' moments
  const tot = n + N;
  const pooledMean = (n * mf + N * unlabelled.mean) / tot;
  const ss = ssf + unlabelled.m2 + n * (mf - pooledMean) ** 2 + N * (unlabelled.mean - pooledMean) ** 2;
  const varAll = ss / (tot - 1);
  if (!(varAll > 1e-15)) return 0;
  return Math.max(0, Math.min(1, cov / ((1 + n / N) * varAll)));
}

const PSEUDO_Y = [0, 0, 1, 1];
const PSEUDO_F = [0, 1, 0, 1];

function isBinary(y: readonly number[], f: readonly number[], fu: readonly number[]): boolean {
  const b = (v: number) => v === 0 || v === 1;
  return y.every(b) && f.every(b) && fu.every(b);
}

/** Cross-fitted λ per labelled item: fold assignment by a seeded shuffle; groups keep items together. */
function crossFittedLambdas(
  y: readonly number[],
  f: readonly number[],
  unlabelled: Moments,
  folds: number,
  seed: number,
  pseudo: boolean,
  groups?: readonly string[],
): number[] {
  const n = y.length;
  const units = groups ? [...new Set(groups)] : y.map((_, i) => String(i));
  const K = Math.max(2, Math.min(folds, units.length));
  const order = shuffled(units, seededRandom(seed));
  const foldOf = new Map<string, number>();
  order.forEach((u, i) => {
    foldOf.set(u, i % K);
  });
  const itemFold = y.map((_, i) => foldOf.get(groups ? groups[i]! : String(i))!);
  const lambdas: number[] = [];
  for (let k = 0; k < K; k++) {
    const yy: number[] = [];
    const ff: number[] = [];
    for (let i = 0; i < n; i++)
      if (itemFold[i] !== k) {
        yy.push(y[i]!);
        ff.push(f[i]!);
      }
    if (pseudo) {
      yy.push(...PSEUDO_Y);
      ff.push(...PSEUDO_F);
    }
    lambdas.push(ppiLambdaFromMoments(yy, ff, unlabelled));
  }
  return itemFold.map((k) => lambdas[k]!);
}

interface Core {
  estimate: number;
  rect: number[];
  lambdaBar: number;
  /** Variance of the labelled (rectifier) part of the mean and of the unlabelled part. */
  vLab: number;
  vUnlab: number;
}

function ppiCore(
  y: readonly number[],
  f: readonly number[],
  fu: Moments,
  folds: number,
  seed: number,
  pseudo: boolean,
  groups?: readonly string[],
): Core {
  const n = y.length;
  const lam = crossFittedLambdas(y, f, fu, folds, seed, pseudo, groups);
  const rect = y.map((v, i) => v - lam[i]! * f[i]!);
  let lambdaBar = 0;
  let rectMean = 0;
  for (let i = 0; i < n; i++) {
    lambdaBar += lam[i]! / n;
    rectMean += rect[i]! / n;
  }
  const all = pseudo ? [...rect, ...PSEUDO_Y.map((v, j) => v - lambdaBar * PSEUDO_F[j]!)] : rect;
  const m = moments(all);
  const vLab = m.m2 / (m.n - 1) / m.n;
  const vUnlab = fu.n > 1 ? (lambdaBar * lambdaBar * (fu.m2 / (fu.n - 1))) / fu.n : 0;
  return { estimate: lambdaBar * fu.mean + rectMean, rect, lambdaBar, vLab, vUnlab };
}

function clipTo(ci: Interval, range: [number, number] | undefined): Interval {
  if (!range) return ci;
  return [Math.max(range[0], ci[0]), Math.min(range[1], ci[1])];
}

const METHOD = 'PPI++, cross-fitted λ, t(n − 1)';
const METHOD_BINARY = 'PPI++, cross-fitted λ, t(n − 1), four pseudo-pairs (0/1 outcomes)';

/** The smallest gold set the interval is offered for. */
export const PPI_MIN_LABELLED = 10;

/** PPI++ mean with the small-sample interval described above: independent gold items. */
export function ppiMeanInterval(
  y: readonly number[],
  f: readonly number[],
  fUnlabelled: readonly number[],
  options: PpiDesignOptions = {},
): PpiDesignResult {
  const n = y.length;
  const N = fUnlabelled.length;
  const binary =
    options.binary === 'auto' || options.binary === undefined ? isBinary(y, f, fUnlabelled) : options.binary;
  const interval = binary ? METHOD_BINARY : METHOD;
  if (n < PPI_MIN_LABELLED || N < 1)
    return {
      estimate: null,
      ci: null,
      n,
      N,
      interval,
      reason: `needs at least ${PPI_MIN_LABELLED} gold items and one item without gold (has ${n} and ${N})`,
    };
  const c = ppiCore(y, f, moments(fUnlabelled), options.folds ?? 5, options.seed ?? 1, binary);
  return {
    ...tInterval(c.estimate, Math.sqrt(c.vLab + c.vUnlab), n - 1, options, binary),
    lambda: c.lambdaBar,
    n,
    N,
    interval,
  };
}

/**
 * PPI++ with whole prompts in gold: the labelled items come in clusters (every response to a
 * prompt rated), so the rectifier mean's variance is the CR2 cluster-robust one (cr2.ts) with its
 * Satterthwaite df, λ is cross-fitted by clusters (a cluster's items share a fold), and the
 * unlabelled part's variance is cluster-robust too when its items carry clusters. The t reference
 * has the Welch–Satterthwaite df of the two parts (in practice the labelled part's, ≤ G − 1).
 * Binary outcomes add the four pseudo-pairs as four clusters of one to the variance (not to the
 * df). Needs at least 10 gold clusters.
 * Long on purpose: the cross-fitting by clusters, the two variances and their df follow the
 * description above step by step, in one place where a reviewer can check them line by line.
 */
export function ppiClusteredMeanInterval(
  labelled: readonly { y: number; f: number; cluster: string }[],
  unlabelled: readonly { f: number; cluster?: string | null }[],
  options: PpiDesignOptions = {},
): PpiDesignResult {
  const y = labelled.map((l) => l.y);
  const f = labelled.map((l) => l.f);
  const fu = unlabelled.map((u) => u.f);
  const groups = labelled.map((l) => l.cluster);
  const G = new Set(groups).size;
  const n = y.length;
  const N = fu.length;
  const binary =
    options.binary === 'auto' || options.binary === undefined ? isBinary(y, f, fu) : options.binary;
  const interval = `${binary ? METHOD_BINARY : METHOD}, CR2 by gold cluster`.replace(
    't(n − 1)',
    'Satterthwaite t',
  );
  if (G < PPI_MIN_LABELLED || N < 1)
    return {
      estimate: null,
      ci: null,
      n,
      N,
      clusters: G,
      interval,
      reason: `needs at least ${PPI_MIN_LABELLED} gold clusters and one item without gold (has ${G} and ${N})`,
    };
  const c = ppiCore(y, f, moments(fu), options.folds ?? 5, options.seed ?? 1, binary, groups);
  // labelled part: CR2 on the rectifiers by cluster
  const sums = new Map<string, { n: number; sum: number }>();
  c.rect.forEach((r, i) => {
    const s = sums.get(groups[i]!);
    if (s) {
      s.n += 1;
      s.sum += r;
    } else sums.set(groups[i]!, { n: 1, sum: r });
  });
  const lab = cr2MeanFromSummaries(sums.values());
  let vLab = lab.se! ** 2;
  if (binary) {
    const pseudo = PSEUDO_Y.map((v, j) => v - c.lambdaBar * PSEUDO_F[j]!);
    const pm = moments(pseudo);
    const withPseudo = cr2MeanFromSummaries(sums.values(), { n: 4, mean: pm.mean, m2: pm.m2 });
    vLab = Math.max(vLab, withPseudo.se! ** 2);
  }
  // unlabelled part: cluster-robust when clustered (CR2 of the mean of f̃), else iid
  let vUnlab = c.vUnlab;
  let dfUnlab = N - 1;
  if (unlabelled.some((u) => u.cluster !== undefined && u.cluster !== null)) {
    const us = new Map<string, { n: number; sum: number }>();
    const singles: number[] = [];
    for (const u of unlabelled) {
      if (u.cluster === undefined || u.cluster === null) {
        singles.push(u.f);
        continue;
      }
      const s = us.get(u.cluster);
      if (s) {
        s.n += 1;
        s.sum += u.f;
      } else us.set(u.cluster, { n: 1, sum: u.f });
    }
    const sm = moments(singles);
    const r = cr2MeanFromSummaries(us.values(), sm.n ? sm : null);
    if (r.se !== undefined) {
      vUnlab = c.lambdaBar ** 2 * r.se ** 2;
      dfUnlab = r.df!;
    }
  }
  const v = vLab + vUnlab;
  const df = vUnlab > 0 ? (v * v) / ((vLab * vLab) / lab.df! + (vUnlab * vUnlab) / dfUnlab) : lab.df!;
  return {
    ...tInterval(c.estimate, Math.sqrt(v), df, options, binary),
    lambda: c.lambdaBar,
    n,
    N,
    clusters: G,
    interval,
  };
}

/**
 * Stratified PPI++ (Fisch et al. 2024, "Stratified prediction-powered inference for hybrid
 * language model evaluation"): PPI++ within each stratum, λₖ per stratum (cross-fitted as above),
 * combined with the strata's population shares Wₖ = (nₖ + Nₖ)/Σ(nₗ + Nₗ) (labelled plus unlabelled
 * items of the stratum, unless `weights` gives them):
 *   θ̂ = Σₖ Wₖ θ̂ₖ,  Var = Σₖ Wₖ² Varₖ,  df = (Σₖ Wₖ² Varₖ)² / Σₖ (Wₖ² Varₖ)²/(nₖ − 1)  (Welch–Satterthwaite).
 * Gold may be allocated to strata in any proportions (Neyman allocation, oversampling a rare
 * stratum): each stratum's estimate stands on its own items. A stratum with fewer than 2 gold
 * items has no variance estimate: refused, with the stratum named (merge it with a neighbour or
 * add gold). Strata with fewer than 10 gold items use 2 folds (or λ = 0 below 4 items).
 * Long on purpose: the per-stratum estimate, its refusals and the combination read as the
 * formulas above, in one place where a reviewer can check them line by line.
 */
export function ppiStratifiedMeanInterval(
  labelled: readonly { y: number; f: number; stratum: string }[],
  unlabelled: readonly { f: number; stratum: string }[],
  options: PpiDesignOptions & { weights?: Record<string, number> } = {},
): PpiDesignResult {
  const names = [...new Set([...labelled.map((l) => l.stratum), ...unlabelled.map((u) => u.stratum)])].sort();
  const allY = labelled.map((l) => l.y);
  const allF = labelled.map((l) => l.f);
  const allFu = unlabelled.map((u) => u.f);
  const binary =
    options.binary === 'auto' || options.binary === undefined ? isBinary(allY, allF, allFu) : options.binary;
  const interval = `stratified ${binary ? METHOD_BINARY : METHOD}`.replace(
    't(n − 1)',
    'Welch–Satterthwaite t',
  );
  const n = labelled.length;
  const N = unlabelled.length;
  const fail = (reason: string): PpiDesignResult => ({ estimate: null, ci: null, n, N, interval, reason });
  const parts: NonNullable<PpiDesignResult['strata']> = [];
  let total = 0;
  for (const s of names) {
    const ls = labelled.filter((l) => l.stratum === s);
    const us = unlabelled.filter((u) => u.stratum === s);
    if (ls.length < 2)
      return fail(
        `stratum ${s} has ${ls.length} gold item${ls.length === 1 ? '' : 's'}: its variance cannot be estimated (merge it with a neighbouring stratum or add gold)`,
      );
    const w = options.weights?.[s] ?? ls.length + us.length;
    total += w;
    const y = ls.map((l) => l.y);
    const f = ls.map((l) => l.f);
    if (us.length === 0) {
      // a stratum entirely in gold: its mean is known up to sampling of the gold itself
      const m = moments(y);
      parts.push({
        stratum: s,
        estimate: m.mean,
        variance: m.m2 / (m.n - 1) / m.n,
        n: ls.length,
        N: 0,
        weight: w,
        lambda: 0,
      });
      continue;
    }
    const folds = ls.length >= 10 ? (options.folds ?? 5) : ls.length >= 4 ? 2 : 0;
    const um = moments(us.map((u) => u.f));
    const c =
      folds > 0
        ? ppiCore(y, f, um, folds, options.seed ?? 1, binary)
        : (() => {
            const m = moments(y);
            return { estimate: m.mean, rect: y, lambdaBar: 0, vLab: m.m2 / (m.n - 1) / m.n, vUnlab: 0 };
          })();
    parts.push({
      stratum: s,
      estimate: c.estimate,
      variance: c.vLab + c.vUnlab,
      n: ls.length,
      N: us.length,
      weight: w,
      lambda: c.lambdaBar,
    });
  }
  if (parts.length === 0) return fail('no gold items');
  const { estimate, v, denom } = combineStrata(parts, total);
  const df = denom > 0 ? (v * v) / denom : n - parts.length;
  const se = Math.sqrt(v);
  const half = tQuantile(1 - (options.alpha ?? 0.05) / 2, df) * se;
  const range = options.range ?? (binary ? ([0, 1] as [number, number]) : undefined);
  return {
    estimate,
    ci: clipTo([estimate - half, estimate + half], range),
    se,
    df,
    n,
    N,
    interval,
    strata: parts,
  };
}

/**
 * Strata combined (Cochran 1977, §5.3 and §5A.4): each part's weight normalised by `total` (in
 * place: the parts are reported with their share), the weighted estimate, its variance
 * v = Σ Wₖ² vₖ, and the Welch–Satterthwaite denominator Σ (Wₖ² vₖ)² / (nₖ − 1) over strata of two
 * or more items (a census stratum of one item has no sampling variance to count).
 */
function combineStrata(
  parts: NonNullable<PpiDesignResult['strata']>,
  total: number,
): { estimate: number; v: number; denom: number } {
  let estimate = 0;
  let v = 0;
  let denom = 0;
  for (const p of parts) {
    p.weight /= total;
    estimate += p.weight * p.estimate;
    const vk = p.weight * p.weight * p.variance;
    v += vk;
    if (p.n > 1) denom += (vk * vk) / (p.n - 1);
  }
  return { estimate, v, denom };
}

/**
 * The stratified (weighted) mean of gold labels alone, for gold drawn by stratified sampling with
 * inclusion probabilities πₖ that differ by stratum (e.g. Neyman allocation): each item carries its
 * inclusion weight wᵢ = 1/πₖ, equal within a stratum. With N̂ₖ = Σ_{i∈k} wᵢ (the stratum's
 * population size), nₖ its gold items and Wₖ = N̂ₖ / Σ N̂ₗ:
 *   ȳ_st = Σₖ Wₖ ȳₖ,  Var = Σₖ Wₖ² (1 − nₖ/N̂ₖ) sₖ²/nₖ  (finite-population correction),
 *   t with the Welch–Satterthwaite df Σ(…)² / Σ(…)²/(nₖ − 1)  (Cochran 1977, §5.3 and §5A.4).
 * The design-based estimate of the finite-population mean (R's survey::svymean with strata and
 * fpc gives the same point and standard error). For 0/1 outcomes each stratum's s² is taken from
 * its items plus one pseudo-0 and one pseudo-1 (small strata are often all 0 or all 1, and
 * then claim no variance: 92 % coverage without this, ≥ 94 % with it, bench/coverage.mjs);
 * `binary: false` gives the textbook formula. A stratum with one gold item is refused unless it
 * is a census (wᵢ = 1: no sampling variance); weights that differ within a stratum are refused.
 */
export function stratifiedMean(
  labelled: readonly { y: number; stratum: string; weight: number }[],
  options: { alpha?: number; range?: [number, number]; binary?: boolean | 'auto' } = {},
): PpiDesignResult {
  const names = [...new Set(labelled.map((l) => l.stratum))].sort();
  const binary =
    options.binary === 'auto' || options.binary === undefined
      ? labelled.every((l) => l.y === 0 || l.y === 1)
      : options.binary;
  const n = labelled.length;
  const interval = 'stratified mean, finite-population correction, Welch–Satterthwaite t';
  const fail = (reason: string): PpiDesignResult => ({ estimate: null, ci: null, n, N: 0, interval, reason });
  if (n === 0) return fail('no gold items');
  const parts: NonNullable<PpiDesignResult['strata']> = [];
  let total = 0;
  for (const s of names) {
    const ls = labelled.filter((l) => l.stratum === s);
    const w = ls[0]!.weight;
    if (!(w >= 1)) return fail(`stratum ${s}: inclusion weights must be ≥ 1 (1/π)`);
    if (ls.some((l) => Math.abs(l.weight - w) > 1e-9 * w))
      return fail(`stratum ${s}: inclusion weights differ within the stratum`);
    const Nk = w * ls.length;
    const fpc = Math.max(0, 1 - ls.length / Nk);
    const m = moments(ls.map((l) => l.y));
    if (ls.length < 2 && fpc > 1e-12)
      return fail(
        `stratum ${s} has 1 gold item of ${Math.round(Nk)}: its variance cannot be estimated (merge it with a neighbouring stratum or add gold)`,
      );
    // 0/1 outcomes: the stratum variance from the items plus one pseudo-0 and one pseudo-1 (a
    // stratum of 4 items that are all 0 otherwise claims no variance at all)
    const s2 = binary ? moments([...ls.map((l) => l.y), 0, 1]) : m;
    const variance = ls.length < 2 ? 0 : (fpc * (s2.m2 / (s2.n - 1))) / m.n;
    total += Nk;
    parts.push({ stratum: s, estimate: m.mean, variance, n: ls.length, N: Nk, weight: Nk, lambda: 0 });
  }
  const { estimate, v, denom } = combineStrata(parts, total);
  const se = Math.sqrt(v);
  if (!(v > 0))
    return { estimate, ci: [estimate, estimate], se: 0, n, N: Math.round(total), interval, strata: parts };
  const df = (v * v) / denom;
  const half = tQuantile(1 - (options.alpha ?? 0.05) / 2, df) * se;
  return {
    estimate,
    ci: clipTo([estimate - half, estimate + half], options.range),
    se,
    df,
    n,
    N: Math.round(total),
    interval,
    strata: parts,
  };
}

/** Below this many gold prompts a paired PPI++ contrast is refused. */
export const PPI_PAIRED_MIN_PROMPTS = 10;

/**
 * A paired PPI++ contrast across prompts: each prompt contributes one contrast value (condition
 * B − condition A on that prompt, averaged over its responses), judged on every prompt and rated by
 * humans on the gold prompts. PPI++ on those per-prompt values (cross-fitted λ, t on the number of
 * gold prompts − 1); refused below 10 gold prompts, with the reason instead of an interval.
 */
export function ppiPairedContrast(
  gold: readonly { human: number; judge: number }[],
  judgeOnly: readonly number[],
  options: PpiDesignOptions = {},
): PpiDesignResult {
  if (gold.length < PPI_PAIRED_MIN_PROMPTS)
    return {
      estimate: null,
      ci: null,
      n: gold.length,
      N: judgeOnly.length,
      interval: 'paired PPI++ contrast, cross-fitted λ, t(prompts − 1)',
      reason: `needs at least ${PPI_PAIRED_MIN_PROMPTS} gold prompts for a paired contrast (has ${gold.length})`,
    };
  const r = ppiMeanInterval(
    gold.map((g) => g.human),
    gold.map((g) => g.judge),
    judgeOnly,
    { ...options, binary: false },
  );
  return { ...r, interval: 'paired PPI++ contrast, cross-fitted λ, t(prompts − 1)' };
}
