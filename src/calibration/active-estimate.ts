import { compareConditions, conditionKey, conditionOf } from '../core/conditions.js';
import {
  type ActiveContrastResult,
  type ActiveItem,
  type ActiveMeanResult,
  activeContrast,
  activeMean,
} from '../stats/active.js';
import type { SheetDesign } from './gold.js';
import type { ScoredItem } from './join.js';

/**
 * `plumb calibrate` on a sheet `gold sample --active` drew (issue #24): the sheet's rows say
 * `design: active` and carry each drawn item's inclusion probability πᵢ. Such gold is never a
 * random sample — the active rule drew the items the judge was least sure of — so the
 * design-based PPI++ of design.ts does not apply and is not run; the estimate is the active one
 * (src/stats/active.ts, activeMean): the inverse-probability-weighted mean of the judge's errors
 * added to the judge's mean over all N scored items, with the cross-fitted shift, the population
 * variance and Student's t on the Satterthwaite df. Per criterion (and overall); for the focus
 * criterion also per condition (role/personalization) and the contrast of each condition against
 * the first (activeContrast), each with
 * "a uniform draw would need about M labels for this width".
 */

/** True when the sheet was drawn by the active rule (any row says `design: active`). */
export function isActiveSheet(sheet: SheetDesign | null | undefined): boolean {
  return !!sheet && [...sheet.items.values()].some((d) => d.design === 'active');
}

/** True when the sheet is a sequential session of `plumb rate --active`. */
export function isSequentialSheet(sheet: SheetDesign | null | undefined): boolean {
  return !!sheet && [...sheet.items.values()].some((d) => d.design === 'sequential');
}

export interface ActiveEstimate {
  criterion: string;
  /** A condition (role/personalization), or null for every item. */
  condition: string | null;
  result: ActiveMeanResult;
}

export interface ActiveContrastEstimate {
  criterion: string;
  /** B − A. */
  a: string;
  b: string;
  result: Omit<ActiveContrastResult, 'a' | 'b'>;
}

export interface ActiveCalibration {
  kind: 'active';
  sheet: string;
  note: string;
  alpha: number;
  /** Scored items the draw was made from (as the sheet recorded it) and now. */
  drawn_from: number | null;
  scored: number;
  drawn: number;
  rated: number;
  warnings: string[];
  means: ActiveEstimate[];
  contrasts: ActiveContrastEstimate[];
}

/** Why a design of a sheet cannot be honoured by the active estimator (its file named), or null. */
export function activeSheetProblem(sheet: SheetDesign): string | null {
  const rows = [...sheet.items.entries()];
  const mixed = rows.filter(([, d]) => d.design !== 'active');
  if (mixed.length)
    return `${sheet.file}: ${rows.length - mixed.length} of its ${rows.length} rows were drawn by the active rule and ${mixed.length} were not (sheets joined by hand?): plumb cannot tell which design to honour`;
  const noPi = rows.filter(([, d]) => d.inclusion_probability === undefined);
  if (noPi.length)
    return `${sheet.file}: ${noPi.length} active row(s) without an inclusion_probability (${noPi
      .slice(0, 3)
      .map(([id]) => id)
      .join(', ')}): the active estimate weights each rated item by 1/π`;
  return null;
}

/**
 * The active estimates of an active sheet. `judge(it, c)` is the judge's value, `human(it, c)` the
 * people's (mean over raters) where rated; `criteria` those the gold rates (and overall).
 */
export function activeCalibration(o: {
  sheet: SheetDesign;
  items: readonly ScoredItem[];
  criteria: readonly string[];
  judge: (it: ScoredItem, criterion: string) => number | undefined;
  human: (it: ScoredItem, criterion: string) => number | undefined;
  /** The criterion estimated per condition and contrasted between conditions (default overall). */
  focus?: string;
  range: [number, number];
  alpha: number;
  seed: number;
  /** What the drawn items' other figures are (default: calibrate's agreement metrics and mapping). */
  others?: string;
}): ActiveCalibration {
  const warnings: string[] = [];
  const design = o.sheet.items;
  const drawnFrom = [...design.values()].find((d) => d.stratum_size !== undefined)?.stratum_size ?? null;
  const ids = new Set(o.items.map((it) => it.id));
  const drawn = [...design.keys()];
  const missing = drawn.filter((id) => !ids.has(id));
  if (missing.length)
    warnings.push(
      `${missing.length} drawn item(s) are not in the scores (${missing.slice(0, 3).join(', ')}): left out`,
    );
  if (drawnFrom !== null && drawnFrom !== o.items.length)
    warnings.push(
      `the sheet was drawn from ${drawnFrom} scored items and the scores now hold ${o.items.length}: the estimate is over the items now scored, with the recorded probabilities`,
    );
  const anyRated = (it: ScoredItem) => o.criteria.some((c) => o.human(it, c) !== undefined);
  const notRated = o.items.filter((it) => design.has(it.id) && !anyRated(it)).map((it) => it.id);
  if (notRated.length)
    warnings.push(
      `${notRated.length} item(s) drawn for the sheet ${notRated.length === 1 ? 'was' : 'were'} not rated (${notRated.slice(0, 5).join(', ')}${notRated.length > 5 ? '…' : ''}): left out, assumed missing at random — every drawn item should be rated, or the estimate is no longer unbiased`,
    );
  const outside = o.items.filter((it) => !design.has(it.id) && anyRated(it)).length;
  if (outside)
    warnings.push(
      `${outside} rated item(s) were not drawn by this sheet: their ratings are left out of the active estimate (they have no inclusion probability)`,
    );
  warnings.push(
    `${o.others ?? 'the agreement metrics and the mapping above'} describe the drawn items, which the active rule picked for the judge’s uncertainty: not a random sample of the run`,
  );
  const itemsFor = (list: readonly ScoredItem[], criterion: string) => {
    const out: (ActiveItem & { condition: string })[] = [];
    for (const it of list) {
      const f = o.judge(it, criterion);
      if (f === undefined) continue;
      const d = design.get(it.id);
      const y = d ? o.human(it, criterion) : undefined;
      const labelled = d !== undefined && y !== undefined;
      out.push({
        f,
        // an item not drawn enters through its judge score alone: its π does not enter the estimate
        pi: labelled ? d!.inclusion_probability! : 1,
        labelled,
        ...(labelled ? { y } : {}),
        condition: conditionKey(conditionOf(it.metadata)),
      });
    }
    return out;
  };
  const opts = { alpha: o.alpha, seed: o.seed, range: o.range };
  const means: ActiveEstimate[] = [];
  const contrasts: ActiveContrastEstimate[] = [];
  const conditions = [...new Map(o.items.map((it) => [conditionKey(conditionOf(it.metadata)), it])).entries()]
    .sort((a, b) => compareConditions(conditionOf(a[1].metadata), conditionOf(b[1].metadata)))
    .map(([k]) => k);
  for (const c of o.criteria) {
    const all = itemsFor(o.items, c);
    if (!all.some((x) => x.labelled)) continue;
    means.push({ criterion: c, condition: null, result: activeMean(all, opts) });
    if (conditions.length < 2 || c !== (o.focus ?? 'overall')) continue;
    for (const k of conditions)
      means.push({
        criterion: c,
        condition: k,
        result: activeMean(
          all.filter((x) => x.condition === k),
          opts,
        ),
      });
    const [ref, ...others] = conditions;
    for (const k of others) {
      const { a: _a, b: _b, ...result } = activeContrast(all, ref!, k, opts);
      contrasts.push({ criterion: c, a: ref!, b: k, result });
    }
  }
  const rated = o.items.filter((it) => design.has(it.id) && anyRated(it)).length;
  return {
    kind: 'active',
    sheet: o.sheet.file,
    note: `an active draw (recorded on ${o.sheet.file}): ${drawn.length} items drawn with probabilities from the judge's uncertainty${drawnFrom !== null ? ` out of ${drawnFrom}` : ''}, ${rated} rated; estimated by inverse-probability weighting (never as a random sample)`,
    alpha: o.alpha,
    drawn_from: drawnFrom,
    scored: o.items.length,
    drawn: drawn.length,
    rated,
    warnings,
    means,
    contrasts,
  };
}
