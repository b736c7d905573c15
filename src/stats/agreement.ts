/**
 * Agreement statistics on the rubric's integer scale: quadratic-weighted kappa, Krippendorff's
 * alpha (interval and ordinal, any number of raters, missing values allowed), error measures and
 * the confusion matrix. Non-integer values (a mean over samples or raters) are rounded to the
 * nearest scale point where a statistic needs categories, and said so in the report.
 */

export function roundToScale(v: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(v)));
}

/** Cohen's kappa with quadratic weights over the full scale min..max (as sklearn with labels=range). */
export function quadraticWeightedKappa(
  a: readonly number[],
  b: readonly number[],
  min: number,
  max: number,
): number | null {
  return cohenKappa(a, b, min, max, 'quadratic');
}

/**
 * Cohen's kappa over the categories min..max: unweighted (nominal labels) or with quadratic
 * weights, as sklearn's cohen_kappa_score with labels=range(min, max + 1).
 */
export function cohenKappa(
  a: readonly number[],
  b: readonly number[],
  min: number,
  max: number,
  weights: 'none' | 'quadratic',
): number | null {
  const k = max - min + 1;
  const n = a.length;
  if (n < 2) return null;
  const obs = Array.from({ length: k }, () => new Float64Array(k));
  const ra = new Float64Array(k);
  const rb = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const x = roundToScale(a[i]!, min, max) - min;
    const y = roundToScale(b[i]!, min, max) - min;
    obs[x]![y]! += 1;
    ra[x]! += 1;
    rb[y]! += 1;
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = weights === 'quadratic' ? (i - j) ** 2 : i === j ? 0 : 1;
      num += w * obs[i]![j]!;
      den += (w * ra[i]! * rb[j]!) / n;
    }
  }
  if (den === 0) return null;
  return 1 - num / den;
}

/**
 * Krippendorff's alpha from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
 * alpha-reliability"). `units` holds, per unit, the values its coders gave (missing ones left out);
 * units with fewer than two values are not pairable and are dropped. `nominal` treats the values
 * as unordered labels (a pairwise verdict).
 */
export function krippendorffAlpha(
  units: readonly (readonly number[])[],
  level: 'interval' | 'ordinal' | 'nominal',
): number | null {
  const pairable = units.filter((u) => u.length >= 2);
  // one unit cannot show agreement beyond chance: α would come out as exactly 0, which reads as a result
  if (pairable.length < 2) return null;
  const values = [...new Set(pairable.flat())].sort((a, b) => a - b);
  if (values.length < 2) return null;
  const index = new Map(values.map((v, i) => [v, i]));
  const V = values.length;
  const o = Array.from({ length: V }, () => new Float64Array(V));
  for (const u of pairable) {
    const m = u.length;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        o[index.get(u[i]!)!]![index.get(u[j]!)!]! += 1 / (m - 1);
      }
    }
  }
  const nc = o.map((row) => row.reduce((s, v) => s + v, 0));
  const n = nc.reduce((s, v) => s + v, 0);
  const delta2 = (c: number, k: number): number => {
    if (level === 'nominal') return c === k ? 0 : 1;
    if (level === 'interval') return (values[c]! - values[k]!) ** 2;
    const [lo, hi] = c < k ? [c, k] : [k, c];
    let s = 0;
    for (let g = lo; g <= hi; g++) s += nc[g]!;
    return (s - (nc[c]! + nc[k]!) / 2) ** 2;
  };
  let Do = 0;
  let De = 0;
  for (let c = 0; c < V; c++) {
    for (let k = 0; k < V; k++) {
      if (c === k) continue;
      const d = delta2(c, k);
      Do += o[c]![k]! * d;
      De += nc[c]! * nc[k]! * d;
    }
  }
  if (De === 0) return null;
  return 1 - ((n - 1) * Do) / De;
}

export function meanAbsoluteError(judge: readonly number[], human: readonly number[]): number | null {
  if (judge.length === 0) return null;
  let s = 0;
  for (let i = 0; i < judge.length; i++) s += Math.abs(judge[i]! - human[i]!);
  return s / judge.length;
}

/** Mean of judge − human: positive when the judge scores higher than people do. */
export function meanBias(judge: readonly number[], human: readonly number[]): number | null {
  if (judge.length === 0) return null;
  let s = 0;
  for (let i = 0; i < judge.length; i++) s += judge[i]! - human[i]!;
  return s / judge.length;
}

/** Share of items whose rounded scores are equal (within = 0) or at most `within` points apart. */
export function agreementRate(
  judge: readonly number[],
  human: readonly number[],
  min: number,
  max: number,
  within = 0,
): number | null {
  if (judge.length === 0) return null;
  let hit = 0;
  for (let i = 0; i < judge.length; i++) {
    if (Math.abs(roundToScale(judge[i]!, min, max) - roundToScale(human[i]!, min, max)) <= within) hit += 1;
  }
  return hit / judge.length;
}

/** Counts with rows = human (rounded), columns = judge (rounded), over min..max. */
export function confusionMatrix(
  judge: readonly number[],
  human: readonly number[],
  min: number,
  max: number,
): { labels: number[]; counts: number[][] } {
  const labels = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const counts = labels.map(() => labels.map(() => 0));
  for (let i = 0; i < judge.length; i++) {
    counts[roundToScale(human[i]!, min, max) - min]![roundToScale(judge[i]!, min, max) - min]! += 1;
  }
  return { labels, counts };
}
