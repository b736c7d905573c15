import type { Interval } from './descriptive.js';
import { seededRandom } from './random.js';

export interface BootstrapOptions {
  resamples: number;
  seed: number;
  /** Two-sided confidence level. */
  confidence?: number;
}

/** Empirical quantile with linear interpolation (numpy's default, "type 7"). */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Percentile bootstrap over resampling units (items, or whole groups at the group level).
 * `statistic` receives the resampled unit indices. Resamples where the statistic is undefined
 * (e.g. a constant vector) are skipped; when more than a tenth are, no interval is given.
 */
export function bootstrapCi(
  units: number,
  statistic: (idx: number[]) => number | null,
  opts: BootstrapOptions,
): Interval | null {
  return bootstrapCis(
    units,
    1,
    (idx) => {
      const v = statistic(idx);
      return v === null ? null : [v];
    },
    opts,
  ).intervals[0]!;
}

/**
 * The same for a statistic with several components (one per system, say), from one set of
 * resamples: `statistic` returns all of them, or null when they are undefined for that resample.
 */
export function bootstrapCis(
  units: number,
  dims: number,
  statistic: (idx: number[]) => number[] | null,
  opts: BootstrapOptions,
): { intervals: (Interval | null)[]; undefinedResamples: number } {
  const none = { intervals: new Array<Interval | null>(dims).fill(null), undefinedResamples: 0 };
  if (units < 2 || opts.resamples < 1) return none;
  const rand = seededRandom(opts.seed);
  const values: number[][] = Array.from({ length: dims }, () => []);
  const idx = new Array<number>(units);
  let undefinedResamples = 0;
  for (let b = 0; b < opts.resamples; b++) {
    for (let i = 0; i < units; i++) idx[i] = Math.floor(rand() * units);
    const v = statistic(idx);
    if (v === null || !v.every(Number.isFinite)) {
      undefinedResamples += 1;
      continue;
    }
    for (const [d, x] of v.entries()) values[d]!.push(x);
  }
  if (opts.resamples - undefinedResamples < 0.9 * opts.resamples) return { ...none, undefinedResamples };
  const alpha = 1 - (opts.confidence ?? 0.95);
  return {
    intervals: values.map((vs) => {
      vs.sort((a, b) => a - b);
      return [quantile(vs, alpha / 2), quantile(vs, 1 - alpha / 2)] as Interval;
    }),
    undefinedResamples,
  };
}
