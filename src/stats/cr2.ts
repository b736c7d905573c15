import { StringIndex } from '../io/id-set.js';
import type { Estimate } from './descriptive.js';
import { tQuantile, tSf } from './distributions.js';
import {
  cholesky,
  dot,
  inverse,
  type Matrix,
  matMul,
  matVec,
  symmetricEigen,
  transpose,
  zeros,
} from './matrix.js';

/**
 * Cluster-robust inference with the CR2 ("bias-reduced linearisation") variance of Bell &
 * McCaffrey (2002) and the Satterthwaite degrees of freedom of Pustejovsky & Tipton (2018), as
 * clubSandwich 0.5.8's `coef_test(lm(...), vcov = "CR2", cluster = g, test = "Satterthwaite")`
 * with its default working model (ordinary least squares, working variance the identity).
 *
 * Why not CR1 with t(G − 1) (cluster.ts)? CR1 only rescales the sandwich by G/(G − 1); with few
 * clusters of unequal size the sandwich is biased down and G − 1 overstates its precision: with one
 * or two dominant clusters the CR1 interval covers 81–91 % at G = 5–20 and 93.7–94.4 % even at
 * G = 50 (bench/coverage.mjs). CR2 removes the bias exactly when the errors are independent with
 * equal variance, and Satterthwaite's df (smaller than G − 1 whenever cluster sizes are unequal)
 * carry the remaining imprecision. With equal cluster sizes CR2 = CR1 and df = G − 1 exactly, for
 * the mean: the only case where CR1 may be kept. clubSandwich's df (working model: independence)
 * still cover only 93.0–93.8 % in two of the bench's cells (G = 10–20, skewed, ICC 0.05–0.2);
 * `dfModel = 'exchangeable'` (Satterthwaite under an exchangeable working model with the ANOVA ICC)
 * covers 94.6–97.2 % in every cell and is what plumb should print; 'independence' (the default)
 * is kept because it is the published, reference-checked clubSandwich number.
 *
 * For the mean (y ~ 1), with N values in G clusters of n_g values summing to S_g:
 *   Var_CR2(ȳ) = Σ_g (S_g − n_g ȳ)² / (1 − n_g/N) / N²,
 *   df = N² / (Σ_g n_g² + Σ_{g≠h} a_g a_h / N²),  a_g = n_g² / (1 − n_g/N),
 * (derived from clubSandwich's general formulas, where the adjustment matrix of a cluster is
 * (I − J/N)^{-1/2} = I + (1/√(1 − n_g/N) − 1) J/n_g), so a count and a sum per cluster suffice.
 */

export interface Cr2Estimate extends Estimate {
  /** Distinct clusters. */
  clusters: number;
  /** CR2 standard error. */
  se?: number;
  /** Satterthwaite degrees of freedom of the t reference. */
  df?: number;
  /** Two-sided p-value of the test that the value is 0. */
  p?: number;
  /** The CR1 standard error (G/(G − 1) factor) on the same data, for comparison. */
  se_cr1?: number;
  interval: 'CR2, Satterthwaite t';
}

/** One cluster's count and sum: all the CR2 mean needs (Σy² only for the exchangeable-model df). */
export interface ClusterSummary {
  n: number;
  sum: number;
  sumSq?: number;
}

/**
 * Degrees of freedom: 'independence' is clubSandwich's default working model (the identity);
 * 'exchangeable' computes Satterthwaite's df under an exchangeable working model whose
 * intra-cluster correlation is the one-way ANOVA estimate from the data (needs Σy² per cluster),
 * which with unequal cluster sizes and real clustering gives fewer, more honest df
 * (bench/coverage.mjs). The variance is CR2 either way.
 */
export type Cr2DfModel = 'independence' | 'exchangeable';

/** Values that are each their own cluster, held as running moments (count, mean, Σ(y − mean)²). */
export interface SinglesSummary {
  n: number;
  mean: number;
  m2: number;
}

const METHOD = 'CR2, Satterthwaite t' as const;

function finish(
  value: number,
  n: number,
  G: number,
  se: number,
  seCr1: number,
  df: number,
  confidence: number,
): Cr2Estimate {
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  const p = se > 0 ? Math.min(1, 2 * tSf(Math.abs(value / se), df)) : undefined;
  return {
    value,
    ci: [value - half, value + half],
    n,
    clusters: G,
    se,
    df,
    ...(p === undefined ? {} : { p }),
    se_cr1: seCr1,
    interval: METHOD,
  };
}

/**
 * The clusters' counts and sums (and Σy² where kept), visited in a fixed order without an object
 * per cluster: how a summary that holds them in typed arrays (Cr2Moments) hands them to the
 * estimates, so that assembling a summary with 10^5 clusters and a dozen means builds no
 * per-estimate arrays of them (bench/cluster-memory.mjs). Clusters with no values are not visited.
 */
export interface ClusterSums {
  /** Clusters with values. */
  readonly size: number;
  /** Whether every cluster carries Σy² (the exchangeable-model df needs it). */
  readonly hasSumSq: boolean;
  forEach(visit: (n: number, sum: number, sumSq: number) => void): void;
}

/** ClusterSums over cluster summaries held as objects (those with n = 0 left out). */
export function clusterSumsOf(clusters: Iterable<ClusterSummary>): ClusterSums {
  const list = [...clusters].filter((c) => c.n > 0);
  return {
    size: list.length,
    hasSumSq: list.every((c) => c.sumSq !== undefined),
    forEach(visit) {
      for (const c of list) visit(c.n, c.sum, c.sumSq ?? Number.NaN);
    },
  };
}

/**
 * The cluster sizes in the order the df formulas take them: every cluster's, then a 1 for each
 * value that is its own cluster.
 */
export function sizesOf(clusters: ClusterSums, singles: number): (visit: (n: number) => void) => void {
  return (visit) => {
    clusters.forEach((n) => {
      visit(n);
    });
    for (let i = 0; i < singles; i++) visit(1);
  };
}

/**
 * CR2 mean from per-cluster counts and sums (and, optionally, values that are their own cluster
 * kept as moments) — what a streaming summary holds. Fewer than two clusters give no interval.
 */
export function cr2MeanFromSummaries(
  clusters: Iterable<ClusterSummary>,
  singles: SinglesSummary | null = null,
  confidence = 0.95,
  dfModel: Cr2DfModel = 'independence',
): Cr2Estimate {
  return cr2MeanFromSums(clusterSumsOf(clusters), singles, confidence, dfModel);
}

/** cr2MeanFromSummaries over ClusterSums. */
export function cr2MeanFromSums(
  clusters: ClusterSums,
  singles: SinglesSummary | null = null,
  confidence = 0.95,
  dfModel: Cr2DfModel = 'independence',
): Cr2Estimate {
  const k = singles?.n ?? 0;
  let N = k;
  let total = k ? singles!.mean * k : 0;
  clusters.forEach((n, sum) => {
    N += n;
    total += sum;
  });
  const G = clusters.size + k;
  if (N === 0) return { value: null, ci: null, n: 0, clusters: 0, reason: 'no values', interval: METHOD };
  const mean = total / N;
  if (G < 2)
    return { value: mean, ci: null, n: N, clusters: G, reason: 'one cluster: no interval', interval: METHOD };
  let ss2 = 0; // Σ r_g² / (1 − n_g/N)
  let ss1 = 0; // Σ r_g²  (for CR1)
  let sumN2 = 0;
  let sumA = 0;
  let sumA2 = 0;
  clusters.forEach((n, sum) => {
    const r = sum - n * mean;
    const shrink = 1 - n / N;
    ss1 += r * r;
    ss2 += (r * r) / shrink;
    sumN2 += n * n;
    const a = (n * n) / shrink;
    sumA += a;
    sumA2 += a * a;
  });
  if (k) {
    const shrink = 1 - 1 / N;
    const r2 = singles!.m2 + k * (singles!.mean - mean) ** 2;
    ss1 += r2;
    ss2 += r2 / shrink;
    sumN2 += k;
    sumA += k / shrink;
    sumA2 += k / (shrink * shrink);
  }
  const se = Math.sqrt(ss2) / N;
  const seCr1 = Math.sqrt((G / (G - 1)) * ss1) / N;
  let df = (N * N) / (sumN2 + (sumA * sumA - sumA2) / (N * N));
  if (dfModel === 'exchangeable') {
    const rho = anovaIcc(clusters, singles, mean, N);
    if (rho > 0) df = dfExchangeable(sizesOf(clusters, k), rho);
  }
  return finish(mean, N, G, se, seCr1, df, confidence);
}

/** CR2 mean with Satterthwaite df from values and their cluster labels. */
export function cr2Mean(
  ys: readonly number[],
  clusters: readonly (string | number)[],
  confidence = 0.95,
  dfModel: Cr2DfModel = 'independence',
): Cr2Estimate {
  return cr2MeanFromSummaries(summariesByCluster(ys, clusters), null, confidence, dfModel);
}

/** Per cluster (in order of first appearance): its count, sum and sum of squares. */
export function summariesByCluster(
  ys: readonly number[],
  clusters: readonly (string | number)[],
): IterableIterator<Required<ClusterSummary>> {
  const sums = new Map<string | number, Required<ClusterSummary>>();
  ys.forEach((y, i) => {
    const g = clusters[i]!;
    const s = sums.get(g);
    if (s) {
      s.n += 1;
      s.sum += y;
      s.sumSq += y * y;
    } else sums.set(g, { n: 1, sum: y, sumSq: y * y });
  });
  return sums.values();
}

/**
 * One-way ANOVA estimate of the intra-cluster correlation, truncated to [0, 1], from per-cluster
 * counts, sums and sums of squares (singles add to the between-cluster part only). 0 when Σy² is
 * missing or there is no within-cluster replication.
 */
export function anovaIcc(
  clusters: ClusterSums,
  singles: SinglesSummary | null,
  mean: number,
  N: number,
): number {
  const G = clusters.size + (singles?.n ?? 0);
  if (G < 2 || N <= G || !clusters.hasSumSq) return 0;
  let ssb = singles ? singles.m2 + singles.n * (singles.mean - mean) ** 2 : 0;
  let ssw = 0;
  let sn2 = singles?.n ?? 0;
  clusters.forEach((n, sum, sumSq) => {
    const m = sum / n;
    ssb += n * (m - mean) ** 2;
    ssw += Math.max(0, sumSq - n * m * m);
    sn2 += n * n;
  });
  const msb = ssb / (G - 1);
  const msw = ssw / (N - G);
  const n0 = (N - sn2 / N) / (G - 1);
  const den = msb + (n0 - 1) * msw;
  return den > 0 ? Math.max(0, Math.min(1, (msb - msw) / den)) : 0;
}

/**
 * Satterthwaite df of the CR2 mean (intercept-only OLS) under an exchangeable working model:
 * within a cluster Var = 1, Cov = ρ, across clusters 0 (clubSandwich's formula
 * df = (Σ_g p_gᵀΦp_g)² / Σ_{g,h} (p_gᵀΦp_h)² with Φ that model instead of the identity; the
 * adjustment matrices stay those of the identity, as in cr2Mean). With d_g = 1 − ρ + ρ n_g and
 * c_g = (1 − n_g/N)^{-1/2}:
 *   p_gᵀΦp_h ∝ c_g c_h [δ_gh n_g d_g − n_g n_h (d_g + d_h)/N + n_g n_h Σ_k n_k d_k / N²].
 * At ρ = 0 this is the independence df.
 */
export function cr2DfExchangeable(sizes: readonly number[], rho: number): number {
  return dfExchangeable((visit) => {
    for (const n of sizes) visit(n);
  }, rho);
}

/** cr2DfExchangeable over cluster sizes handed out by a visitor (no array of them built). */
export function dfExchangeable(eachSize: (visit: (n: number) => void) => void, rho: number): number {
  // With a_g = c_g n_g, e_g = d_g/N and κ = Σ n_k d_k/N², the off-diagonal part is
  // w_gh = a_g a_h (κ − e_g − e_h) for every g, h, and p_gᵀΦp_h = w_gh + δ_gh c_g² n_g d_g, so
  // Σ_{g,h} (p_gᵀΦp_h)² = κ²A₀² − 4κA₀A₁ + 2A₀A₂ + 2A₁² + Σ_g (2 w_gg b_g + b_g²), b_g = c_g² n_g d_g,
  // A_j = Σ_g a_g² e_g^j: O(G), so a run with many ungrouped items (clusters of one) stays fast.
  let N = 0;
  let T = 0;
  eachSize((n) => {
    N += n;
    T += n * (1 - rho + rho * n);
  });
  const kappa = T / (N * N);
  let A0 = 0;
  let A1 = 0;
  let A2 = 0;
  let num = 0;
  let diag = 0;
  eachSize((n) => {
    const d = 1 - rho + rho * n;
    const c2 = 1 / (1 - n / N);
    const a2 = c2 * n * n;
    const e = d / N;
    A0 += a2;
    A1 += a2 * e;
    A2 += a2 * e * e;
    const w = a2 * (kappa - 2 * e);
    const b = c2 * n * d;
    num += w + b;
    diag += 2 * w * b + b * b;
  });
  const den = kappa * kappa * A0 * A0 - 4 * kappa * A0 * A1 + 2 * A0 * A2 + 2 * A1 * A1 + diag;
  return (num * num) / den;
}

/** Clusters a page of Cr2Moments holds (the count, sum and sum of squares of each, side by side). */
const PAGE = 4096;

/**
 * cr2Mean, streamed: one count and sum per cluster, values without a cluster kept as running
 * moments (each is a cluster of one), never the values themselves.
 *
 * A cluster is named by a string, or by a number a caller has already interned it to (a summary
 * with many running means interns each `metadata.group` once and hands every mean its number).
 * The per-cluster count, sum and sum of squares live in typed-array pages of 4,096 clusters,
 * indexed by that number — 24 bytes a cluster, no object or map entry per cluster and mean, a
 * page only where a mean has values, and none copied as the clusters grow: with 10^6 items in
 * groups of six, a summary's means once held 245 MB of maps, now a few MB
 * (bench/cluster-memory.mjs). The estimates read the pages in place (ClusterSums).
 */
export class Cr2Moments {
  /** String names → dense indices, for callers that pass strings. */
  private readonly ids = new StringIndex();
  /** Page p holds clusters p·PAGE … (p + 1)·PAGE − 1 as [count, sum, sumSq] triples. */
  private readonly pages: (Float64Array | undefined)[] = [];
  private distinct = 0;
  private total = 0;
  private singlesN = 0;
  private singlesMean = 0;
  private singlesM2 = 0;

  push(y: number, cluster?: string | number | null): void {
    if (cluster === undefined || cluster === null) {
      this.singlesN += 1;
      const d = y - this.singlesMean;
      this.singlesMean += d / this.singlesN;
      this.singlesM2 += d * (y - this.singlesMean);
      return;
    }
    const i = typeof cluster === 'number' ? cluster : this.ids.intern(cluster);
    const p = Math.floor(i / PAGE);
    let page = this.pages[p];
    if (!page) {
      page = new Float64Array(3 * PAGE);
      this.pages[p] = page;
    }
    const o = 3 * (i - p * PAGE);
    if (page[o] === 0) this.distinct += 1;
    page[o]! += 1;
    page[o + 1]! += y;
    page[o + 2]! += y * y;
    this.total += 1;
  }

  get n(): number {
    return this.singlesN + this.total;
  }

  get clusters(): number {
    return this.distinct + this.singlesN;
  }

  /** The clusters that have values, in the order of their indices (first seen, for string names). */
  private clusterSums(): ClusterSums {
    const pages = this.pages;
    return {
      size: this.distinct,
      hasSumSq: true,
      forEach(visit) {
        for (const page of pages) {
          if (!page) continue;
          for (let o = 0; o < page.length; o += 3)
            if (page[o]! > 0) visit(page[o]!, page[o + 1]!, page[o + 2]!);
        }
      },
    };
  }

  private singles(): SinglesSummary | null {
    return this.singlesN ? { n: this.singlesN, mean: this.singlesMean, m2: this.singlesM2 } : null;
  }

  /** The per-cluster sums and the values without a cluster (as moments): for the clustered share. */
  summaries(): { clusters: ClusterSums; singles: SinglesSummary | null } {
    return { clusters: this.clusterSums(), singles: this.singles() };
  }

  estimate(confidence = 0.95, dfModel: Cr2DfModel = 'independence'): Cr2Estimate {
    return cr2MeanFromSums(this.clusterSums(), this.singles(), confidence, dfModel);
  }
}

/**
 * An interval for a mean clipped to the range its values live in (a 0–1 index, a 1–5 scale), and
 * whether it was. Clipping to the parameter space is legitimate for coverage: the true mean lies in
 * the range, so the clipped interval covers whenever the unclipped one does. But an interval that
 * needs clipping is a symmetric interval near a boundary, where its normal approximation is poor;
 * keep the flag and, for 0/1 values, use cluster-share.ts's clusteredProportion instead.
 */
export function clipToRange(
  ci: [number, number] | null,
  range: readonly [number, number],
): { ci: [number, number] | null; clipped: boolean } {
  if (!ci) return { ci, clipped: false };
  const lo = Math.max(range[0], ci[0]);
  const hi = Math.min(range[1], ci[1]);
  return { ci: [lo, hi], clipped: lo !== ci[0] || hi !== ci[1] };
}

/** A linear combination c'β of an OLS fit with its CR2 standard error and Satterthwaite df. */
export interface Cr2Contrast extends Cr2Estimate {
  /** All coefficients of the fit. */
  coefficients?: number[];
}

/**
 * CR2 + Satterthwaite for the contrast c'β of an ordinary least-squares fit y = Xβ + e with
 * clustered errors (clubSandwich's coef_test / linear_contrast for lm with vcov = "CR2"). X is
 * given by rows; a design with a handful of columns (a difference of means, a few conditions).
 * Per cluster g the adjustment is A_g = (I − X_g M X_gᵀ)^{-1/2}, M = (XᵀX)^{-1}, computed through
 * the p×p eigen-decomposition of Lᵀ X_gᵀ X_g L (M = L Lᵀ), with clubSandwich's rule that
 * eigenvalues of I − H_gg at or below 1e-12 get a 0 in the inverse root (a cluster that alone
 * identifies a coefficient). With v_g = A_g X_g M c and w_g = X_gᵀ v_g, Satterthwaite's df is
 *   (Σ_g |v_g|² − Σ_g w_gᵀ M w_g)² / Σ_{g,h} (δ_gh |v_g|² − w_gᵀ M w_h)².
 * Long on purpose: one pass of linear algebra whose intermediate matrices feed each other in the
 * order the formulas above give them; split, it would pass a dozen matrices between functions.
 */
export function cr2Ols(
  X: readonly (readonly number[])[],
  y: readonly number[],
  clusters: readonly (string | number)[],
  contrast: readonly number[],
  confidence = 0.95,
): Cr2Contrast {
  const N = y.length;
  const p = contrast.length;
  const groups = new Map<string | number, number[]>();
  clusters.forEach((g, i) => {
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  });
  const G = groups.size;
  const xtx = zeros(p, p);
  const xty = new Array<number>(p).fill(0);
  for (let i = 0; i < N; i++) {
    const row = X[i]!;
    for (let a = 0; a < p; a++) {
      xty[a]! += row[a]! * y[i]!;
      for (let b = 0; b < p; b++) xtx[a]![b]! += row[a]! * row[b]!;
    }
  }
  const M = inverse(xtx);
  if (!M)
    return { value: null, ci: null, n: N, clusters: G, reason: 'the design is singular', interval: METHOD };
  const beta = matVec(M, xty);
  const value = dot(contrast, beta);
  if (G < 2)
    return {
      value,
      ci: null,
      n: N,
      clusters: G,
      reason: 'one cluster: no interval',
      interval: METHOD,
      coefficients: beta,
    };
  const L = cholesky(M);
  const Mc = matVec(M, contrast);
  const resid = y.map((v, i) => v - dot(X[i]!, beta));
  let varCr2 = 0;
  let varCr1 = 0;
  const W: number[][] = [];
  const vNorms: number[] = [];
  for (const idx of groups.values()) {
    const Xg = idx.map((i) => X[i]!);
    const eg = idx.map((i) => resid[i]!);
    const B: Matrix = Xg.map((row) => L[0]!.map((_, j) => row.reduce((s, x, a) => s + x * L[a]![j]!, 0)));
    const { values, vectors } = symmetricEigen(matMul(transpose(B), B));
    // columns of Q = B V Λ^{-1/2} for the non-null eigenvalues, each with its factor d − 1
    const Q: number[][] = [];
    const factors: number[] = [];
    values.forEach((lam, j) => {
      if (!(lam > 1e-14)) return;
      Q.push(B.map((row) => row.reduce((s, x, a) => s + x * vectors[a]![j]!, 0) / Math.sqrt(lam)));
      const rest = 1 - lam;
      factors.push((rest > 1e-12 ? 1 / Math.sqrt(rest) : 0) - 1);
    });
    const adjust = (v: readonly number[]): number[] => {
      const out = [...v];
      Q.forEach((q, j) => {
        const k = dot(q, v) * factors[j]!;
        for (let i = 0; i < out.length; i++) out[i]! += k * q[i]!;
      });
      return out;
    };
    const Ae = adjust(eg);
    const v = adjust(Xg.map((row) => dot(row, Mc)));
    const u = new Array<number>(p).fill(0);
    const u1 = new Array<number>(p).fill(0);
    const w = new Array<number>(p).fill(0);
    Xg.forEach((row, i) => {
      for (let a = 0; a < p; a++) {
        u[a]! += row[a]! * Ae[i]!;
        u1[a]! += row[a]! * eg[i]!;
        w[a]! += row[a]! * v[i]!;
      }
    });
    varCr2 += dot(Mc, u) ** 2;
    varCr1 += dot(Mc, u1) ** 2;
    vNorms.push(dot(v, v));
    W.push(w);
  }
  // with m_gh = w_gᵀ M w_h: Σ_{g,h}(δ_gh|v_g|² − m_gh)² = Σ|v_g|⁴ − 2Σ|v_g|² m_gg + tr(M T M T), T = Σ w_g w_gᵀ
  const T = zeros(p, p);
  let trace = 0;
  let vSq = 0;
  let vm = 0;
  W.forEach((w, g) => {
    for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) T[a]![b]! += w[a]! * w[b]!;
    const mgg = dot(w, matVec(M, w));
    const a = vNorms[g]!;
    trace += a - mgg;
    vSq += a * a;
    vm += a * mgg;
  });
  const MT = matMul(M, T);
  let cross = 0;
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) cross += MT[a]![b]! * MT[b]![a]!;
  const df = (trace * trace) / (vSq - 2 * vm + cross);
  const se = Math.sqrt(varCr2);
  const seCr1 = Math.sqrt((G / (G - 1)) * varCr1);
  return { ...finish(value, N, G, se, seCr1, df, confidence), coefficients: beta };
}

/**
 * CR2 difference of means between two conditions, mean(B) − mean(A), where clusters may span both
 * (a prompt rated under each condition) or not: the OLS fit y = β₀ + β₁·[condition = B].
 */
export function cr2MeanDifference(
  ys: readonly number[],
  conditions: readonly (string | number)[],
  clusters: readonly (string | number)[],
  baseline: string | number,
  confidence = 0.95,
): Cr2Contrast {
  const X = conditions.map((c) => [1, c === baseline ? 0 : 1]);
  return cr2Ols(X, ys, clusters, [0, 1], confidence);
}
