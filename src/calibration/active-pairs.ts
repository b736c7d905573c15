import { VERDICT_VALUE } from '../stats/active.js';
import { type ActiveCalibration, activeCalibration } from './active-estimate.js';
import { readUncertaintyItems } from './active-sample.js';
import type { SheetDesign } from './gold.js';
import type { ScoredItem } from './join.js';

/**
 * `plumb calibrate` on pairs that `gold sample --active` drew (issue #24): pairwise lines
 * (`plumb pairwise`) against people's verdicts on an active sheet. plumb calibrates a pairwise
 * judge by agreement (calibrateVerdicts: accuracy, κ, α over the rated pairs) — figures of the
 * rated pairs, which an active draw picked for the judge's order disagreement, so they describe
 * those pairs and not the run. What the design does allow without bias is the mean people's
 * verdict over every judged pair, on the "B is better" scale (A → 0, tie → ½, B → 1): the share
 * of pairs people prefer B in, ties counting half — with `--contrast personalization=none,profile`
 * the share preferring the personalized reply. It is the active estimate of active-estimate.ts
 * (activeMean: inverse-probability weighting of the judge's errors, cross-fitted shift,
 * Satterthwaite t) with
 *   fᵢ = the judge's value of pair i (the mean of its orders' verdicts and votes: pairJudgeValue),
 *   yᵢ = the mean of its raters' verdict values (each rater's latest verdict),
 *   πᵢ = the inclusion probability the sheet recorded,
 * per condition (role/personalization of the pair's metadata) and contrasted between conditions,
 * each with the labels a uniform draw would need for the same width. Pairs without a judge
 * verdict in either order are outside the estimate (the mean is over judged pairs). Agreement
 * with the judge is not estimated under the design: no tested estimator for it here.
 */

export interface PeopleVerdict {
  id: string;
  rater: string;
  verdict: keyof typeof VERDICT_VALUE;
}

/** Each pair's people value: the mean over raters of their latest verdict, A → 0, tie → ½, B → 1. */
export function peopleValues(gold: readonly PeopleVerdict[]): Map<string, number> {
  const latest = new Map<string, Map<string, number>>();
  for (const g of gold) {
    if (!latest.has(g.id)) latest.set(g.id, new Map());
    latest.get(g.id)!.set(g.rater, VERDICT_VALUE[g.verdict]);
  }
  const out = new Map<string, number>();
  for (const [id, raters] of latest) {
    const v = [...raters.values()];
    out.set(id, v.reduce((a, b) => a + b, 0) / v.length);
  }
  return out;
}

/** The active estimates of the people's verdict over the pairs of a pairwise file, from an active sheet. */
export async function activeVerdictCalibration(o: {
  pairsFile: string;
  sheet: SheetDesign;
  gold: readonly PeopleVerdict[];
  alpha?: number;
  seed: number;
}): Promise<ActiveCalibration> {
  const read = await readUncertaintyItems(o.pairsFile, 'overall');
  const judge = new Map<string, number>();
  const items: ScoredItem[] = read.ids.map((id, i) => {
    const f = read.items[i]!.judge;
    if (f !== undefined) judge.set(id, f);
    return { id, scores: {}, overall: f ?? null, indices: {}, metadata: read.metadata[i]! };
  });
  const people = peopleValues(o.gold);
  const active = activeCalibration({
    sheet: o.sheet,
    items,
    criteria: ['verdict'],
    judge: (it) => judge.get(it.id),
    human: (it) => people.get(it.id),
    focus: 'verdict',
    range: [0, 1],
    alpha: o.alpha ?? 0.05,
    seed: o.seed,
    others: 'the agreement figures above',
  });
  const unjudged = read.ids.length - judge.size;
  return {
    ...active,
    note: `${active.note}; the estimate is people's verdict on the "B is better" scale (A 0, tie ½, B 1) over the ${judge.size} judged pairs${unjudged ? ` (${unjudged} without a judge verdict left out)` : ''}`,
  };
}
