import { InputError } from '../core/errors.js';
import { readJsonl } from '../io/jsonl.js';
import { aggregateOverall, computeIndices } from '../rubrics/aggregate.js';
import type { Rubric } from '../rubrics/schema.js';
import type { GoldRating } from './gold.js';

/** What calibrate keeps of each score line (all lines: the unlabelled ones feed PPI). */
export interface ScoredItem {
  id: string;
  scores: Record<string, number | null>;
  overall: number | null;
  indices: Record<string, number | null>;
  metadata: Record<string, unknown>;
}

export interface ScoresFile {
  items: ScoredItem[];
  rubric: { id: string; version: string; hash: string } | null;
  judge: unknown;
}

export async function readScores(file: string): Promise<ScoresFile> {
  const items: ScoredItem[] = [];
  const seen = new Set<string>();
  let rubric: ScoresFile['rubric'] = null;
  let judge: unknown = null;
  for await (const { line, value } of readJsonl(file)) {
    if (value.id === undefined || value.id === null) throw new InputError(file, line, 'missing "id"');
    const id = String(value.id);
    if (seen.has(id)) throw new InputError(file, line, `duplicate id "${id}"`);
    seen.add(id);
    if (value.scores === null || value.scores === undefined) continue; // unscored: nothing to calibrate
    if (typeof value.scores !== 'object' || Array.isArray(value.scores))
      throw new InputError(file, line, '"scores" must be an object');
    rubric ??= (value.rubric as ScoresFile['rubric']) ?? null;
    judge ??= value.judge ?? null;
    const r = value.rubric as ScoresFile['rubric'];
    if (rubric && r && r.hash !== rubric.hash)
      throw new InputError(
        file,
        line,
        `mixed rubrics in one scores file (${r.id}@${r.version} after ${rubric.id}@${rubric.version})`,
      );
    items.push({
      id,
      scores: value.scores as Record<string, number | null>,
      overall: typeof value.overall === 'number' ? value.overall : null,
      indices: (value.indices as Record<string, number | null>) ?? {},
      metadata: (value.metadata as Record<string, unknown>) ?? {},
    });
  }
  return { items, rubric, judge };
}

/** Per item, each rater's values for each criterion (and overall, from the rubric when it can). */
export interface HumanItem {
  id: string;
  /** criterion → rater → value */
  ratings: Map<string, Map<string, number>>;
}

export function groupGold(
  gold: readonly GoldRating[],
  rubric: Rubric | null,
  criteria: string[],
  rater?: string,
): Map<string, HumanItem> {
  const out = new Map<string, HumanItem>();
  for (const g of gold) {
    if (rater !== undefined && g.rater !== rater) continue;
    const item = out.get(g.id) ?? { id: g.id, ratings: new Map() };
    const put = (criterion: string, v: number) => {
      if (!item.ratings.has(criterion)) item.ratings.set(criterion, new Map());
      // the same rater twice for one item: keep the later line, as a correction
      item.ratings.get(criterion)!.set(g.rater, v);
    };
    for (const c of criteria) if (typeof g.scores[c] === 'number') put(c, g.scores[c]!);
    if (typeof g.scores.overall === 'number') put('overall', g.scores.overall);
    else if (rubric) {
      if (rubric.criteria.every((c) => typeof g.scores[c.name] === 'number')) {
        const o = aggregateOverall(rubric, g.scores);
        if (o !== null) put('overall', o);
      }
    } else if (criteria.length && criteria.every((c) => typeof g.scores[c] === 'number')) {
      // no rubric to aggregate with (another tool's scores): the mean of the rated criteria
      put('overall', criteria.reduce((s, c) => s + g.scores[c]!, 0) / criteria.length);
    }
    out.set(g.id, item);
  }
  return out;
}

/** The human value of an item for a criterion: the mean over its raters. */
export function humanValue(item: HumanItem | undefined, criterion: string): number | undefined {
  const r = item?.ratings.get(criterion);
  if (!r || r.size === 0) return undefined;
  let s = 0;
  for (const v of r.values()) s += v;
  return s / r.size;
}

/** The human AAI/EII of an item, from the mean rating of each criterion, via the rubric. */
export function humanIndices(rubric: Rubric, item: HumanItem | undefined): Record<string, number | null> {
  const scores: Record<string, number | null> = {};
  for (const c of rubric.criteria) scores[c.name] = humanValue(item, c.name) ?? null;
  const all = rubric.criteria.every((c) => scores[c.name] !== null || c.requires_reference);
  return all ? computeIndices(rubric, scores) : {};
}

export function judgeValue(item: ScoredItem, criterion: string): number | undefined {
  const v = criterion === 'overall' ? item.overall : item.scores[criterion];
  return typeof v === 'number' ? v : undefined;
}
