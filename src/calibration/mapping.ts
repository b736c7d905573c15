import { leastSquaresLine } from '../stats/descriptive.js';
import { seededRandom, shuffled } from '../stats/random.js';

/** A fitted map from raw judge scores to the human scale. */
export type Mapping =
  | { method: 'none' }
  | { method: 'linear'; intercept: number; slope: number }
  /** Non-decreasing; predictions interpolate linearly between knots and clip outside them. */
  | { method: 'isotonic'; x: number[]; y: number[] };

export type MappingMethod = Mapping['method'];

/**
 * Isotonic regression by pool-adjacent-violators on the distinct x values (ties pooled first,
 * weighted by count), as sklearn's IsotonicRegression(increasing=True, out_of_bounds="clip").
 */
export function fitIsotonic(x: readonly number[], y: readonly number[]): Mapping {
  const byX = new Map<number, { sum: number; w: number }>();
  x.forEach((xi, i) => {
    const g = byX.get(xi) ?? { sum: 0, w: 0 };
    g.sum += y[i]!;
    g.w += 1;
    byX.set(xi, g);
  });
  const xs = [...byX.keys()].sort((a, b) => a - b);
  // blocks of pooled points: mean value, weight, and how many distinct x they span
  const blocks: { v: number; w: number; span: number }[] = [];
  for (const xv of xs) {
    const g = byX.get(xv)!;
    blocks.push({ v: g.sum / g.w, w: g.w, span: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.v > blocks[blocks.length - 1]!.v) {
      const b = blocks.pop()!;
      const a = blocks.pop()!;
      blocks.push({ v: (a.v * a.w + b.v * b.w) / (a.w + b.w), w: a.w + b.w, span: a.span + b.span });
    }
  }
  const ys: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.span; k++) ys.push(b.v);
  return { method: 'isotonic', x: xs, y: ys };
}

/** Ordinary least squares y = a + b·x; a constant x gives the mean (slope 0). */
export function fitLinear(x: readonly number[], y: readonly number[]): Mapping {
  const { intercept, slope } = leastSquaresLine(x, y);
  return { method: 'linear', intercept, slope };
}

export function fitMapping(method: MappingMethod, x: readonly number[], y: readonly number[]): Mapping {
  if (method === 'linear') return fitLinear(x, y);
  if (method === 'isotonic') return fitIsotonic(x, y);
  return { method: 'none' };
}

export function applyMapping(m: Mapping, v: number): number {
  if (m.method === 'none') return v;
  if (m.method === 'linear') return m.intercept + m.slope * v;
  const { x, y } = m;
  if (v <= x[0]!) return y[0]!;
  if (v >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= v) lo = mid;
    else hi = mid;
  }
  const t = (v - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}

export interface MappingError {
  mae: number;
  rmse: number;
}

function errors(pred: number[], y: readonly number[]): MappingError {
  let a = 0;
  let s = 0;
  pred.forEach((p, i) => {
    a += Math.abs(p - y[i]!);
    s += (p - y[i]!) ** 2;
  });
  return { mae: a / y.length, rmse: Math.sqrt(s / y.length) };
}

/** A fitted mapping with its in-sample error and, with 2+ folds, its cross-validated error. */
export interface MappingEvaluation {
  mapping: Mapping;
  in_sample: MappingError;
  cross_validated: MappingError | null;
  folds: number;
}

/**
 * In-sample error next to k-fold cross-validated error (seeded folds): a mapping that fits the
 * gold far better than it predicts held-out gold is overfitting, and the gap shows it.
 */
export function evaluateMapping(
  method: MappingMethod,
  x: readonly number[],
  y: readonly number[],
  k = 5,
  seed = 0,
): MappingEvaluation {
  const fitted = fitMapping(method, x, y);
  const inSample = errors(
    x.map((v) => applyMapping(fitted, v)),
    y,
  );
  const folds = Math.min(k, x.length);
  if (folds < 2) return { mapping: fitted, in_sample: inSample, cross_validated: null, folds: 0 };
  const order = shuffled(
    x.map((_, i) => i),
    seededRandom(seed),
  );
  const pred = new Array<number>(x.length);
  for (let f = 0; f < folds; f++) {
    const test = order.filter((_, i) => i % folds === f);
    const testSet = new Set(test);
    const train = order.filter((i) => !testSet.has(i));
    const m = fitMapping(
      method,
      train.map((i) => x[i]!),
      train.map((i) => y[i]!),
    );
    for (const i of test) pred[i] = applyMapping(m, x[i]!);
  }
  return { mapping: fitted, in_sample: inSample, cross_validated: errors(pred, y), folds };
}
