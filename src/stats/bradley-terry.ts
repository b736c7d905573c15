import { bootstrapCis } from './bootstrap.js';

/** One comparison: `score` is 1 when `a` won, 0 when `b` won, 0.5 for a tie. */
export interface Comparison {
  a: string;
  b: string;
  score: number;
  /** Resampled together in the bootstrap (a prompt's several pairs); each comparison alone by default. */
  cluster?: string;
}

export interface BradleyTerryFit {
  systems: string[];
  /** Log-strengths β, centred to mean 0: P(i beats j) = 1 / (1 + exp(β_j − β_i)). */
  strengths: number[] | null;
  reason?: string;
  iterations?: number;
}

interface Tally {
  systems: string[];
  /** wins[i][j]: i's score against j (ties count a half to each). */
  wins: number[][];
}

function tally(comparisons: readonly Comparison[], systems: string[]): Tally {
  const index = new Map(systems.map((s, i) => [s, i]));
  const k = systems.length;
  const wins = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const c of comparisons) {
    const i = index.get(c.a)!;
    const j = index.get(c.b)!;
    wins[i]![j]! += c.score;
    wins[j]![i]! += 1 - c.score;
  }
  return { systems, wins };
}

/**
 * Whether the maximum-likelihood strengths exist (are finite): they do exactly when, for every
 * split of the systems into two groups, someone in each group beat or tied someone in the other —
 * the "beat-or-tied" graph is strongly connected (Ford 1957; Hunter 2004, assumption 1).
 */
function stronglyConnected(wins: number[][]): boolean {
  const k = wins.length;
  const reach = (edge: (i: number, j: number) => boolean) => {
    const seen = new Set([0]);
    const stack = [0];
    while (stack.length) {
      const i = stack.pop()!;
      for (let j = 0; j < k; j++)
        if (!seen.has(j) && edge(i, j)) {
          seen.add(j);
          stack.push(j);
        }
    }
    return seen.size === k;
  };
  return reach((i, j) => wins[i]![j]! > 0) && reach((i, j) => wins[j]![i]! > 0);
}

/**
 * Bradley–Terry maximum-likelihood strengths by Newton's method on the (concave) log-likelihood
 *   ℓ(β) = Σ_{i≠j} w_ij (β_i − log(e^β_i + e^β_j)),
 * with ties as half a win to each side, β_0 fixed at 0 while fitting and the result centred.
 * Newton with step halving converges from β = 0 whenever the MLE exists; it is checked first.
 * Hand-written: no maintained JavaScript library fits Bradley–Terry (the reference in the tests is
 * statsmodels' binomial GLM on the same data).
 */
export function bradleyTerry(comparisons: readonly Comparison[], systemsIn?: string[]): BradleyTerryFit {
  const systems =
    systemsIn ?? [...new Set(comparisons.flatMap((c) => [c.a, c.b]))].sort((x, y) => x.localeCompare(y));
  const k = systems.length;
  if (k < 2) return { systems, strengths: null, reason: 'fewer than two systems' };
  const { wins } = tally(comparisons, systems);
  if (!stronglyConnected(wins))
    return {
      systems,
      strengths: null,
      reason:
        'some systems won (or lost) every comparison with the rest: their strengths are unbounded (compare them more, or with more systems)',
    };
  const n = (i: number, j: number) => wins[i]![j]! + wins[j]![i]!;
  const loglik = (beta: number[]) => {
    let l = 0;
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        if (i === j || wins[i]![j]! === 0) continue;
        const d = beta[j]! - beta[i]!;
        // log(1 + e^d) without overflow
        l -= wins[i]![j]! * (d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d)));
      }
    return l;
  };
  let beta = new Array<number>(k).fill(0);
  let current = loglik(beta);
  let iterations = 0;
  for (; iterations < 200; iterations++) {
    // gradient and Hessian in β_1..β_{k−1} (β_0 = 0)
    const m = k - 1;
    const grad = new Array<number>(m).fill(0);
    const hess = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    for (let i = 0; i < k; i++)
      for (let j = i + 1; j < k; j++) {
        const nij = n(i, j);
        if (nij === 0) continue;
        const p = 1 / (1 + Math.exp(beta[j]! - beta[i]!)); // P(i beats j)
        const g = wins[i]![j]! - nij * p; // ∂ℓ/∂β_i from this pair (and −g for β_j)
        const h = nij * p * (1 - p);
        if (i > 0) {
          grad[i - 1]! += g;
          hess[i - 1]![i - 1]! -= h;
        }
        if (j > 0) {
          grad[j - 1]! -= g;
          hess[j - 1]![j - 1]! -= h;
        }
        if (i > 0 && j > 0) {
          hess[i - 1]![j - 1]! += h;
          hess[j - 1]![i - 1]! += h;
        }
      }
    const step = solve(
      hess,
      grad.map((g) => -g),
    );
    if (!step)
      return {
        systems,
        strengths: null,
        reason: 'the likelihood is flat: the comparisons do not connect the systems',
      };
    let t = 1;
    let next = beta;
    let nextLik = current;
    for (let halvings = 0; halvings < 40; halvings++) {
      next = [0, ...beta.slice(1).map((b, i) => b + t * step[i]!)];
      nextLik = loglik(next);
      if (nextLik >= current - 1e-12 * Math.abs(current)) break;
      t /= 2;
    }
    const moved = Math.max(...step.map((s) => Math.abs(t * s)));
    beta = next;
    current = nextLik;
    if (moved < 1e-13) break;
  }
  const centre = beta.reduce((s, b) => s + b, 0) / k;
  return { systems, strengths: beta.map((b) => b - centre), iterations };
}

/** Solves A x = b by Gaussian elimination with partial pivoting; null when A is singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const m = b.length;
  const M = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    if (Math.abs(M[p]![c]!) < 1e-300) return null;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < m; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let cc = c; cc <= m; cc++) M[r]![cc]! -= f * M[c]![cc]!;
    }
  }
  const x = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) {
    let s = M[r]![m]!;
    for (let cc = r + 1; cc < m; cc++) s -= M[r]![cc]! * x[cc]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

export interface StrengthEstimate {
  system: string;
  strength: number | null;
  ci: [number, number] | null;
  comparisons: number;
}

/**
 * Strengths with percentile bootstrap intervals: comparisons (or their clusters) are resampled
 * with replacement from a seeded generator. A resample in which the strengths do not exist (a
 * system that happened to win everything) is skipped; when more than a tenth are, the intervals
 * are withheld with the reason (the rule every plumb bootstrap follows).
 */
export function bradleyTerryWithIntervals(
  comparisons: readonly Comparison[],
  options: { resamples?: number; seed?: number; confidence?: number } = {},
): { estimates: StrengthEstimate[]; reason?: string; undefined_resamples: number; resamples: number } {
  const resamples = options.resamples ?? 1000;
  const fit = bradleyTerry(comparisons);
  const systems = fit.systems;
  const counts = systems.map((s) => comparisons.filter((c) => c.a === s || c.b === s).length);
  if (!fit.strengths)
    return {
      estimates: systems.map((system, i) => ({ system, strength: null, ci: null, comparisons: counts[i]! })),
      reason: fit.reason,
      undefined_resamples: 0,
      resamples: 0,
    };
  const groups = new Map<string, Comparison[]>();
  comparisons.forEach((c, i) => {
    const key = c.cluster ?? `#${i}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  });
  const clusters = [...groups.values()];
  const { intervals, undefinedResamples } = bootstrapCis(
    clusters.length,
    systems.length,
    (idx) =>
      bradleyTerry(
        idx.flatMap((i) => clusters[i]!),
        systems,
      ).strengths,
    { resamples, seed: options.seed ?? 0, confidence: options.confidence },
  );
  const withheld = intervals.every((ci) => ci === null);
  return {
    estimates: systems.map((system, i) => ({
      system,
      strength: fit.strengths![i]!,
      ci: intervals[i] ?? null,
      comparisons: counts[i]!,
    })),
    ...(withheld
      ? {
          reason:
            clusters.length < 2
              ? 'one comparison unit: no interval'
              : `${undefinedResamples} of ${resamples} bootstrap resamples had a system that won or lost everything: no interval`,
        }
      : {}),
    undefined_resamples: undefinedResamples,
    resamples,
  };
}
