import { type Estimate, RunningMoments } from './descriptive.js';
import { tQuantile } from './distributions.js';

export interface ClusteredEstimate extends Estimate {
  /** Distinct clusters: the interval's degrees of freedom are clusters − 1. */
  clusters: number;
  /** The cluster-robust standard error of the mean. */
  se?: number;
}

/**
 * The mean of `ys` with a cluster-robust interval, for observations that share a cluster (several
 * responses to one prompt, both orders of one pair): "Adding Error Bars to Evals" (Miller 2024).
 * The variance is the sandwich estimator with the small-sample factor G/(G − 1),
 *   Var(ȳ) = G/(G−1) · Σ_g (Σ_{i∈g} (y_i − ȳ))² / N²,
 * and the interval uses Student's t with G − 1 degrees of freedom — as statsmodels'
 * OLS(y, 1).fit(cov_type='cluster', use_t=True). With one observation per cluster this is the
 * ordinary t interval of the mean. Fewer than two clusters give no interval.
 */
export function clusteredMean(
  ys: readonly number[],
  clusters: readonly (string | number)[],
  confidence = 0.95,
): ClusteredEstimate {
  const n = ys.length;
  if (n === 0) return { value: null, ci: null, n: 0, clusters: 0, reason: 'no values' };
  let sum = 0;
  for (const y of ys) sum += y;
  const mean = sum / n;
  const residualSums = new Map<string | number, number>();
  ys.forEach((y, i) => {
    const g = clusters[i]!;
    residualSums.set(g, (residualSums.get(g) ?? 0) + (y - mean));
  });
  const G = residualSums.size;
  if (G < 2) return { value: mean, ci: null, n, clusters: G, reason: 'one cluster: no interval' };
  let ss = 0;
  for (const r of residualSums.values()) ss += r * r;
  const se = Math.sqrt(((G / (G - 1)) * ss) / (n * n));
  const half = tQuantile(1 - (1 - confidence) / 2, G - 1) * se;
  return { value: mean, ci: [mean - half, mean + half], n, clusters: G, se };
}

/**
 * clusteredMean, streamed: the same estimate from values pushed one at a time, holding one sum
 * and count per cluster — never the values. Values without a cluster are clusters of their own
 * (an item with no `metadata.group`), kept as running moments rather than one entry each, so a run
 * with no groups at all holds nothing per item. With no clusters given, the interval is the
 * ordinary t interval of the mean (and no cluster count), as clusteredMean's is with one value per
 * cluster.
 */
export class ClusteredMoments {
  private readonly all = new RunningMoments();
  /** Values with no cluster: each is a cluster of one. */
  private readonly singles = new RunningMoments();
  private readonly sums = new Map<string, { n: number; sum: number }>();

  push(y: number, cluster?: string | null): void {
    this.all.push(y);
    if (cluster === undefined || cluster === null) {
      this.singles.push(y);
      return;
    }
    const g = this.sums.get(cluster);
    if (g) {
      g.n += 1;
      g.sum += y;
    } else this.sums.set(cluster, { n: 1, sum: y });
  }

  get n(): number {
    return this.all.n;
  }

  /** Clusters so far, a value without one counting as its own. */
  get clusters(): number {
    return this.sums.size + this.singles.n;
  }

  /** True once any value came with a cluster. */
  get clustered(): boolean {
    return this.sums.size > 0;
  }

  /** The ordinary estimate while no value has a cluster; the cluster-robust one after. */
  estimate(confidence = 0.95): Estimate | ClusteredEstimate {
    const n = this.all.n;
    if (this.sums.size === 0) return this.all.estimate(confidence);
    const mean = this.all.mean;
    const G = this.sums.size + this.singles.n;
    if (G < 2) return { value: mean, ci: null, n, clusters: G, reason: 'one cluster: no interval' };
    // Σ_g (Σ_{i∈g} (y_i − ȳ))²: a cluster's residual sum is S_g − n_g ȳ; a single's, y_i − ȳ
    let ss = 0;
    for (const { n: ng, sum } of this.sums.values()) ss += (sum - ng * mean) ** 2;
    if (this.singles.n) {
      const m2 = this.singles.n > 1 ? this.singles.variance * (this.singles.n - 1) : 0;
      ss += m2 + this.singles.n * (this.singles.mean - mean) ** 2;
    }
    const se = Math.sqrt(((G / (G - 1)) * ss) / (n * n));
    const half = tQuantile(1 - (1 - confidence) / 2, G - 1) * se;
    return { value: mean, ci: [mean - half, mean + half], n, clusters: G, se };
  }
}
