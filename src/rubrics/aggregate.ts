import type { Rubric } from './schema.js';

export type CriterionScores = Record<string, number | null>;

/**
 * The rubric's `overall` from its criteria. Criteria that are null (not applicable, e.g. no
 * reference) are left out and the weights of the rest renormalised; null when none remain.
 */
export function aggregateOverall(rubric: Rubric, scores: CriterionScores): number | null {
  const present = rubric.criteria.map((c) => c.name).filter((n) => typeof scores[n] === 'number');
  if (present.length === 0) return null;
  const values = present.map((n) => scores[n] as number);
  switch (rubric.overall.method) {
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'weighted_mean': {
      const w = rubric.overall.weights ?? {};
      let num = 0;
      let den = 0;
      for (const n of present) {
        const wi = w[n] ?? 0;
        num += wi * (scores[n] as number);
        den += wi;
      }
      return den > 0 ? num / den : null;
    }
  }
}

/** Rescales a score on the rubric's scale to [0, 1]. */
export function toUnit(rubric: Rubric, score: number): number {
  return (score - rubric.scale.min) / (rubric.scale.max - rubric.scale.min);
}

/**
 * The AAI/EII values this rubric defines for one item: each is the weighted mean of its criteria
 * rescaled to [0, 1] (inverted criteria as 1 − x). Null criteria are left out; an index none of
 * whose criteria are present is null.
 */
export function computeIndices(rubric: Rubric, scores: CriterionScores): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [name, def] of Object.entries(rubric.indices)) {
    let num = 0;
    let den = 0;
    for (const [criterion, weight] of Object.entries(def.weights)) {
      const s = scores[criterion];
      if (typeof s !== 'number') continue;
      const unit = toUnit(rubric, s);
      num += weight * (def.invert.includes(criterion) ? 1 - unit : unit);
      den += weight;
    }
    out[name] = den > 0 ? num / den : null;
  }
  return out;
}
