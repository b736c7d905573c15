import type { Interval } from '../stats/descriptive.js';
import { seededRandom } from '../stats/random.js';

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
  if (units < 2 || opts.resamples < 1) return null;
  const rand = seededRandom(opts.seed);
  const values: number[] = [];
  const idx = new Array<number>(units);
  for (let b = 0; b < opts.resamples; b++) {
    for (let i = 0; i < units; i++) idx[i] = Math.floor(rand() * units);
    const v = statistic(idx);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length < 0.9 * opts.resamples) return null;
  values.sort((a, b) => a - b);
  const alpha = 1 - (opts.confidence ?? 0.95);
  return [quantile(values, alpha / 2), quantile(values, 1 - alpha / 2)];
}
