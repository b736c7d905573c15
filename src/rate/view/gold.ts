import { readGold } from '../../calibration/gold.js';
import { readGoldVerdicts } from '../../calibration/verdicts.js';
import type { RunKind } from './kinds.js';

/**
 * People's ratings beside the judge's: a gold file, a filled rating sheet, `plumb rate` ratings or
 * the viewer's own reviews (`--gold`), read by calibration's own readers so the viewer and
 * `plumb calibrate` see the same ratings. A probe's gold rates single turns (`<conversation>|t<k>`,
 * the ids of stance.scores.jsonl); it is shown on its conversation.
 */
export interface GoldRatingView {
  rater: string;
  /** The turn rated, for a probe conversation. */
  turn?: number;
  scores?: Record<string, number>;
  verdict?: string;
}

export interface GoldSet {
  file: string;
  kind: 'scores' | 'verdicts';
  raters: string[];
  /** Item id (a probe's conversation) → its ratings. */
  byId: Map<string, GoldRatingView[]>;
}

const TURN = /^(.*)\|t(\d+)$/;

/** Reads the gold as the run's kind needs it: verdicts for pairs, scores for everything else. */
export async function loadGold(file: string, kind: RunKind): Promise<GoldSet> {
  const byId = new Map<string, GoldRatingView[]>();
  const raters = new Set<string>();
  const put = (id: string, r: GoldRatingView) => {
    let key = id;
    if (kind === 'probe') {
      const m = TURN.exec(id);
      if (m) {
        key = m[1]!;
        r.turn = Number(m[2]);
      }
    }
    if (!byId.has(key)) byId.set(key, []);
    byId.get(key)!.push(r);
    raters.add(r.rater);
  };
  if (kind === 'pairwise') {
    for (const g of await readGoldVerdicts(file)) put(g.id, { rater: g.rater, verdict: g.verdict });
    return { file, kind: 'verdicts', raters: [...raters].sort(), byId };
  }
  for (const g of await readGold(file)) {
    if (Object.keys(g.scores).length === 0) continue; // an unrated sheet row
    put(g.id, { rater: g.rater || 'gold', scores: { ...g.scores } });
  }
  return { file, kind: 'scores', raters: [...raters].sort(), byId };
}

/** Per criterion, the mean of the raters' values — each rater's latest rating counts once. */
export function humanMeans(ratings: readonly GoldRatingView[], turn?: number): Record<string, number> {
  const latest = new Map<string, Record<string, number>>();
  for (const r of ratings) {
    if (turn !== undefined && r.turn !== turn) continue;
    if (!r.scores) continue;
    latest.set(r.rater, { ...(latest.get(r.rater) ?? {}), ...r.scores });
  }
  const sums: Record<string, [number, number]> = {};
  for (const s of latest.values())
    for (const [c, v] of Object.entries(s)) {
      sums[c] ??= [0, 0];
      const t = sums[c]!;
      t[0] += v;
      t[1] += 1;
    }
  return Object.fromEntries(Object.entries(sums).map(([c, [s, n]]) => [c, s / n]));
}

/** The judge–human gap of a scored item: the mean over the rated criteria of |judge − mean human|. */
export function scoreGap(
  judge: (criterion: string) => number | null,
  ratings: readonly GoldRatingView[],
): { gap: number | null; byCriterion: Record<string, number> } {
  const means = humanMeans(ratings);
  const byCriterion: Record<string, number> = {};
  for (const [c, h] of Object.entries(means)) {
    const j = judge(c);
    if (j !== null) byCriterion[c] = Math.abs(j - h);
  }
  const gaps = Object.values(byCriterion);
  return { gap: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null, byCriterion };
}

/** The judge–human gap of a pair: the share of raters whose verdict is not the judge's. */
export function verdictGap(judge: string | null, ratings: readonly GoldRatingView[]): number | null {
  if (judge === null) return null;
  const latest = new Map<string, string>();
  for (const r of ratings) if (r.verdict) latest.set(r.rater, r.verdict);
  if (latest.size === 0) return null;
  return [...latest.values()].filter((v) => v !== judge).length / latest.size;
}
