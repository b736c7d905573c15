import { krippendorffAlpha } from '../stats/agreement.js';
import { readAppended } from './append.js';

/**
 * How far the rating has got (the rating page's progress view): per rater, the items assigned and
 * done; per stratum, the items with all their ratings; and the agreement between raters so far —
 * Krippendorff's alpha (on the rubric's scale type; nominal for verdicts) and the share of rater
 * pairs that agree exactly, over the items at least two raters have rated. Only people's ratings
 * are read: the judge's never are.
 */

export interface RatingKey {
  rater: string;
  id: string;
  /** A criterion, or `verdict` for a pair. */
  criterion: string;
}

/** Each rater's latest value per item and criterion (null: cleared), from the ratings file. */
export function latestRatings(file: string): Map<string, number | string | null> {
  const out = new Map<string, number | string | null>();
  for (const r of readAppended(file)) {
    if (typeof r.rater !== 'string' || r.id === undefined) continue;
    if (typeof r.criterion === 'string')
      out.set(key(r.rater, String(r.id), r.criterion), r.value as number | null);
    else if ('verdict' in r)
      out.set(key(r.rater, String(r.id), 'verdict'), (r.verdict as string | null) ?? null);
  }
  return out;
}

export const key = (rater: string, id: string, criterion: string) => `${rater}\u0000${id}\u0000${criterion}`;

export interface Progress {
  raters: { rater: string; assigned: number; done: number }[];
  strata: { stratum: string; items: number; ratings: number; wanted: number; complete: number }[];
  agreement: {
    criterion: string;
    /** Items rated by at least two raters. */
    items: number;
    alpha: number | null;
    /** Share of rater pairs (within an item) giving the same value. */
    exact: number | null;
  }[];
  level: 'interval' | 'ordinal' | 'nominal';
}

export function progressOf(o: {
  items: readonly { id: string; stratum: string; criteria: string[] }[];
  assignment: Map<string, string[]>;
  ratings: Map<string, number | string | null>;
  level: 'interval' | 'ordinal' | 'nominal';
}): Progress {
  const done = (rater: string, item: { id: string; criteria: string[] }) =>
    item.criteria.every((c) => {
      const v = o.ratings.get(key(rater, item.id, c));
      return v !== null && v !== undefined;
    });
  const raterNames = [...new Set([...o.assignment.values()].flat())];
  const raters = raterNames.map((rater) => {
    const mine = o.items.filter((i) => o.assignment.get(i.id)?.includes(rater));
    return { rater, assigned: mine.length, done: mine.filter((i) => done(rater, i)).length };
  });
  const strataNames = [...new Set(o.items.map((i) => i.stratum))].sort();
  const strata = strataNames.map((stratum) => {
    const its = o.items.filter((i) => i.stratum === stratum);
    let ratings = 0;
    let wanted = 0;
    let complete = 0;
    for (const i of its) {
      const who = o.assignment.get(i.id) ?? [];
      const n = who.filter((r) => done(r, i)).length;
      ratings += n;
      wanted += who.length;
      if (n === who.length) complete += 1;
    }
    return { stratum, items: its.length, ratings, wanted, complete };
  });
  const criteria = [...new Set(o.items.flatMap((i) => i.criteria))];
  const codes = new Map<string, number>();
  const code = (v: number | string) => {
    if (typeof v === 'number') return v;
    if (!codes.has(v)) codes.set(v, codes.size);
    return codes.get(v)!;
  };
  const agreement = criteria.map((criterion) => {
    const units: number[][] = [];
    let pairs = 0;
    let same = 0;
    for (const i of o.items) {
      if (!i.criteria.includes(criterion)) continue;
      const values = (o.assignment.get(i.id) ?? [])
        .map((r) => o.ratings.get(key(r, i.id, criterion)))
        .filter((v): v is number | string => v !== null && v !== undefined);
      if (values.length < 2) continue;
      units.push(values.map(code));
      for (let a = 0; a < values.length; a++)
        for (let b = a + 1; b < values.length; b++) {
          pairs += 1;
          if (values[a] === values[b]) same += 1;
        }
    }
    return {
      criterion,
      items: units.length,
      alpha: krippendorffAlpha(units, criterion === 'verdict' ? 'nominal' : o.level),
      exact: pairs ? same / pairs : null,
    };
  });
  return { raters, strata, agreement, level: o.level };
}
